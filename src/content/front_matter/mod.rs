//! Front matter: split it from the body, parse YAML (`---`) or TOML (`+++`), check every field.
//!
//! Both formats are read into one JSON-like map first, so a TOML bare date and a YAML string date
//! end up as the same typed [`Date`]; then each known field is checked by hand, which lets one
//! file report all its problems at once, each at the line of its key.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::diagnostics::{line_column, Diagnostic};
use crate::text;

mod fields;
mod slips;
mod toml_slips;

use fields::{check_fields, read_fields};

/// A calendar date written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// The current year by the system clock (UTC): for the check of dates far ahead, and the
    /// century of a year of two digits in a query.
    pub fn current_year() -> u32 {
        let days = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs() / 86_400);
        // Whole years of 365.2425 days since 1970: off by a day at most around New Year, which
        // a check for dates more than a year ahead does not notice.
        1970 + (days * 10_000 / 3_652_425) as u32
    }

    /// Parses exactly `YYYY-MM-DD` and checks that the day exists.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = &text[range];
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (year >= 1 && (1..=days_in_month).contains(&day)).then_some(Date {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        })
    }

    /// `YYYYMMDD` as a number, for sorting and range filters.
    pub fn ordinal(self) -> u32 {
        u32::from(self.year) * 10_000 + u32::from(self.month) * 100 + u32::from(self.day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// What a page is: a study note, or the record of a first-topic study session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Note,
    Session,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Note => "note",
            Kind::Session => "session",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        match text.trim() {
            "note" => Some(Kind::Note),
            "session" => Some(Kind::Session),
            _ => None,
        }
    }
}

/// One `materials` entry and the line it was written on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterialRef {
    pub target: String,
    pub line: usize,
}

/// The checked front matter of one file.
#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    pub title: String,
    pub date: Option<Date>,
    pub tags: Vec<String>,
    pub draft: bool,
    pub weight: Option<i64>,
    pub summary: Option<String>,
    pub description: Option<String>,
    /// The kind written in the file; the section default applies when absent.
    pub kind: Option<Kind>,
    pub meeting: Option<String>,
    pub topic: Option<String>,
    pub host: Option<String>,
    pub attendees: Option<u32>,
    pub materials: Vec<MaterialRef>,
    /// Fields studybook does not know, kept for templates as `page.extra`.
    pub extra: Map<String, Value>,
    /// Line of each key, for later checks that need to point at a field.
    pub lines: FieldLines,
}

/// 1-based lines of the fields later stages report on.
#[derive(Debug, Clone, Default)]
pub struct FieldLines {
    pub title: usize,
    pub date: usize,
    pub meeting: usize,
    pub attendees: usize,
    pub kind: usize,
    pub tags: usize,
}

pub const KNOWN_FIELDS: &[&str] = &[
    "title",
    "date",
    "tags",
    "draft",
    "weight",
    "summary",
    "description",
    "kind",
    "meeting",
    "topic",
    "host",
    "attendees",
    "materials",
];

/// A file split into its checked front matter and its Markdown body.
#[derive(Debug, Clone)]
pub struct Document {
    pub front: FrontMatter,
    pub body: String,
    /// The 1-based line of the file on which the body starts.
    pub body_line: usize,
}

/// Parses a whole page file. `file` names it in diagnostics; `text` has had its BOM removed and
/// its line endings normalised to `\n`. Warnings come back with the document; errors instead.
pub fn parse_document(file: &str, text: &str) -> Result<(Document, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (format, front_text, body, body_line) = split(file, text)?;
    let map = match format {
        Format::Yaml => parse_yaml(file, front_text)?,
        Format::Toml => parse_toml(file, front_text)?,
    };
    // A value YAML dropped as a comment may be why a field is missing: said beside the error.
    let dropped = |errors: Vec<Diagnostic>| match format {
        Format::Yaml => errors
            .into_iter()
            .chain(
                slips::cut_by_comment(front_text)
                    .into_iter()
                    .map(|slip| slip.warning(file)),
            )
            .collect(),
        Format::Toml => errors,
    };
    let (front, mut warnings) = check_fields(file, front_text, map).map_err(dropped)?;
    if let Format::Yaml = format {
        warnings.extend(
            slips::cut_by_comment(front_text)
                .into_iter()
                .chain(slips::list_item_slips(front_text))
                .map(|slip| slip.warning(file)),
        );
        warnings.sort_by_key(|w| (w.line, w.column));
    }
    Ok((
        Document {
            front,
            body: body.to_string(),
            body_line,
        },
        warnings,
    ))
}

/// The `materials` of a front matter block that has errors elsewhere (a bad date, a missing
/// title), when it parses: they are checked in the same build as the errors are reported.
pub fn materials_despite_errors(file: &str, text: &str) -> Vec<MaterialRef> {
    let Ok((format, front_text, _, _)) = split(file, text) else {
        return Vec::new();
    };
    let map = match format {
        Format::Yaml => parse_yaml(file, front_text),
        Format::Toml => parse_toml(file, front_text),
    };
    map.map(|map| read_fields(file, front_text, map).0.materials)
        .unwrap_or_default()
}

/// The text after a front matter block that has errors, and its first line: when the block
/// at least ends, the rest can still be checked.
pub fn body_after_front_matter(file: &str, text: &str) -> Option<(String, usize)> {
    split(file, text)
        .ok()
        .map(|(_, _, body, line)| (body.to_string(), line))
}

/// The title a front matter with errors seems to give (`title: …` or `title = "…"` on a line
/// of its own), so that a `[[title]]` elsewhere is not reported as leading nowhere: the file's
/// own errors are.
pub fn guessed_title(file: &str, text: &str) -> Option<String> {
    let (_, front, _, _) = split(file, text).ok()?;
    front.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("title")?.trim_start();
        let value = rest
            .strip_prefix(':')
            .or_else(|| rest.strip_prefix('：'))
            .or_else(|| rest.strip_prefix('='))?;
        let value = value.trim().trim_matches(['"', '\'', '“', '”']).trim();
        (!value.is_empty()).then(|| value.to_string())
    })
}

#[derive(Clone, Copy)]
enum Format {
    Yaml,
    Toml,
}

/// Finds the front matter block: the first line is `---` or `+++`, and the same line closes it.
fn split<'t>(file: &str, text: &'t str) -> Result<(Format, &'t str, &'t str, usize), Vec<Diagnostic>> {
    let first_line = text.lines().next().unwrap_or("").trim_end();
    let (format, fence) = match first_line {
        "---" => (Format::Yaml, "---"),
        "+++" => (Format::Toml, "+++"),
        // Dashes an input method types (`———`, `－－－`) or one too many (`----`).
        line if slips::is_dash_line(line) => {
            return Err(vec![Diagnostic::error(
                file,
                text!(
                    "the front matter starts with `{line}`, not `---`",
                    "文件头的开头是 `{line}`，而不是 `---`"
                ),
            )
            .at_column(1, 1)
            .help(text!(
                "type exactly three half-width hyphens `---` on the first line, and the same on the line that closes the block",
                "请在第一行输入三个半角连字符 `---`，文件头结束的那一行也一样"
            ))])
        }
        "" if text.lines().find(|l| !l.trim().is_empty()).map(str::trim) == Some("---") => {
            let blank = text.lines().take_while(|l| l.trim().is_empty()).count();
            let plural = if blank == 1 { "" } else { "s" };
            return Err(vec![Diagnostic::error(
                file,
                text!("the front matter must start on the first line", "文件头必须从第一行开始"),
            )
            .at_column(1, 1)
            .help(text!(
                "remove the {blank} empty line{plural} before `---`",
                "请删掉 `---` 前面的 {blank} 个空行"
            ))]);
        }
        _ => {
            return Err(vec![Diagnostic::error(file, text!("missing front matter", "缺少文件头"))
                .at_column(1, 1)
                .help(text!(
                    "start the file with a front matter block, e.g.\n\n         ---\n         title: 页面标题\n         date: 2024-03-12\n         ---",
                    "请在文件开头写上文件头，例如：\n\n         ---\n         title: 页面标题\n         date: 2024-03-12\n         ---"
                ))])
        }
    };
    let after_open = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut offset = after_open;
    for (line_number, line) in (2..).zip(text[after_open..].split_inclusive('\n')) {
        let closes = line.trim_end() == fence || (fence == "---" && line.trim_end() == "...");
        if closes {
            let front = &text[after_open..offset];
            let body_start = offset + line.len();
            return Ok((format, front, &text[body_start..], line_number + 1));
        }
        offset += line.len();
    }
    // Closed with look-alike dashes (`———`): point at that line.
    let look_alike = text
        .lines()
        .enumerate()
        .skip(1)
        .find(|(_, line)| fence == "---" && slips::is_dash_line(line));
    if let Some((index, line)) = look_alike {
        return Err(vec![Diagnostic::error(
            file,
            text!(
                "the front matter is closed with `{}`, not `---`",
                "文件头的结束行是 `{}`，而不是 `---`",
                line.trim_end()
            ),
        )
        .at_column(index + 1, 1)
        .help(text!(
            "type exactly three half-width hyphens `---`",
            "请输入三个半角连字符 `---`"
        ))]);
    }
    Err(vec![Diagnostic::error(
        file,
        text!(
            "front matter opened with `{fence}` on line 1 is never closed",
            "第 1 行用 `{fence}` 开始的文件头没有结束"
        ),
    )
    .at_column(1, 1)
    .help(text!(
        "add a line with only `{fence}` after the last field",
        "请在最后一个字段后面加一行，只写 `{fence}`"
    ))])
}

fn parse_yaml(file: &str, text: &str) -> Result<Map<String, Value>, Vec<Diagnostic>> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    let parsed = yaml_serde::from_str::<Value>(text);
    let misread = slips::misread(text, &parsed);
    if !misread.is_empty() {
        return Err(misread.into_iter().map(|slip| slip.diagnostic(file)).collect());
    }
    match parsed {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(_) => Err(vec![Diagnostic::error(
            file,
            text!(
                "front matter is not a list of `key: value` fields",
                "文件头不是一行一个的 `key: value` 字段"
            ),
        )
        .at_column(2, 1)
        .help(text!(
            "write one field per line, e.g. `title: 页面标题`",
            "请每行写一个字段，例如 `title: 页面标题`"
        ))]),
        Err(err) => {
            let error_line = err.location().map(|location| location.line() + 1);
            let mut found = slips::stray_line(text);
            found.extend(slips::unquoted(text));
            if let Some(slip) = slips::indentation(text).or_else(|| slips::at_error(found, error_line)) {
                return Err(vec![slip.diagnostic(file)]);
            }
            if let Some(diagnostic) = number_out_of_range(file, text, &err) {
                return Err(vec![diagnostic]);
            }
            let message = err.to_string();
            let reason = message.split(" at line ").next().unwrap_or(&message).to_string();
            let mut diagnostic = Diagnostic::error(
                file,
                text!(
                    "invalid YAML front matter: {reason}",
                    "YAML 文件头有错误：{reason}"
                ),
            );
            if let Some(location) = err.location() {
                diagnostic = diagnostic.at_column(location.line() + 1, location.column());
            } else {
                diagnostic = diagnostic.at(2);
            }
            Err(vec![diagnostic.help(text!(
                "YAML needs `key: value` with a space after the colon; quote values that contain `:` or start with `[`, `{{`, `*` or `#`",
                "YAML 要求写成 `key: value`，冒号后面要有空格；值里有 `:`，或者以 `[`、`{{`、`*`、`#` 开头时，要给值加上引号"
            ))])
        }
    }
}

/// A number too long for any field (`attendees: 99999999999999999999`, a title of digits
/// alone): said with the key and what was typed, where the YAML parser speaks of JSON.
fn number_out_of_range(file: &str, text: &str, err: &yaml_serde::Error) -> Option<Diagnostic> {
    if !err.to_string().contains("number out of range") {
        return None;
    }
    let location = err.location()?;
    let line = text.lines().nth(location.line().checked_sub(1)?)?;
    // The number: the longest run of digits on the line (the line may hold a list, a
    // comment, a key with digits).
    let number = line
        .split(|c: char| !c.is_ascii_digit())
        .max_by_key(|run| run.len())
        .filter(|run| run.len() > 18)?;
    // Its field: the key of the line, when it has one of its own (not a list item's).
    let key = line
        .split_once(':')
        .map(|(key, _)| key.trim().trim_matches(['"', '\'']))
        .filter(|key| !key.is_empty() && !key.starts_with('-') && !key.contains(char::is_whitespace));
    let (message, help) = match key {
        Some("attendees") => (
            text!(
                "`attendees` is `{number}`, too large a number",
                "`attendees` 的数字太大（现在是 `{number}`）"
            ),
            text!(
                "write how many people attended, e.g. `attendees: 13`",
                "请写参会人数，例如 `attendees: 13`"
            ),
        ),
        Some("weight") => (
            text!(
                "`weight` is `{number}`, too large a number",
                "`weight` 的数字太大（现在是 `{number}`）"
            ),
            text!(
                "a smaller whole number orders as well, e.g. `weight: 10`",
                "排序用较小的整数就可以，例如 `weight: 10`"
            ),
        ),
        Some(key) => (
            text!(
                "`{key}` holds `{number}`, a number too long to read",
                "`{key}` 里的 `{number}` 是数字，太长，无法读取"
            ),
            text!(
                "if it is text, put it in quotes: `\"{number}\"`",
                "如果它是文字，请加上引号：`\"{number}\"`"
            ),
        ),
        None => (
            text!(
                "`{number}` is a number too long to read",
                "`{number}` 是数字，太长，无法读取"
            ),
            text!(
                "if it is text, put it in quotes: `\"{number}\"`",
                "如果它是文字，请加上引号：`\"{number}\"`"
            ),
        ),
    };
    Some(
        Diagnostic::error(file, message)
            .at_column(location.line() + 1, location.column())
            .help(help),
    )
}

fn parse_toml(file: &str, text: &str) -> Result<Map<String, Value>, Vec<Diagnostic>> {
    match text.parse::<toml::Table>() {
        Ok(table) => Ok(table
            .into_iter()
            .map(|(key, value)| (key, toml_to_json(value)))
            .collect()),
        Err(err) => {
            let place = err.span().map(|span| line_column(text, span.start));
            let duplicate = err.message().contains("duplicate key");
            if let Some(slip) = place.and_then(|(line, _)| toml_slips::toml_line(text, line, duplicate)) {
                let column = place.map_or(1, |(_, column)| column);
                return Err(vec![Diagnostic::error(file, slip.message)
                    .at_column(slip.line, column)
                    .help(slip.help)]);
            }
            let mut diagnostic = Diagnostic::error(
                file,
                text!(
                    "invalid TOML front matter: {}",
                    "TOML 文件头有错误：{}",
                    err.message().trim()
                ),
            );
            diagnostic = match place {
                Some((line, column)) => diagnostic.at_column(line + 1, column),
                None => diagnostic.at(2),
            };
            Err(vec![diagnostic.help(text!(
                "TOML needs `key = value`, with strings in double quotes",
                "TOML 要求写成 `key = value`，文字要放在半角双引号里"
            ))])
        }
    }
}

/// TOML values as JSON values; dates become their `YYYY-MM-DD` text.
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(key, value)| (key, toml_to_json(value)))
                .collect(),
        ),
    }
}

/// The 1-based file line on which a top-level `key` is set (front matter starts on line 2).
fn key_line(front_text: &str, key: &str) -> Option<usize> {
    front_text
        .lines()
        .position(|line| {
            line.strip_prefix(key).is_some_and(|rest| {
                let rest = rest.trim_start();
                rest.starts_with(':') || rest.starts_with('=')
            }) || line.strip_prefix(&format!("\"{key}\"")).is_some()
        })
        .map(|index| index + 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Text;

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("2024-3-5").is_none());
        assert_eq!(Date::parse("2024-03-05").unwrap().to_string(), "2024-03-05");
    }

    #[test]
    fn yaml_and_toml_give_the_same_fields() {
        let yaml = "---\ntitle: 学习\ndate: 2024-03-12\ntags: [a, b]\n---\n正文\n";
        let toml = "+++\ntitle = \"学习\"\ndate = 2024-03-12\ntags = [\"a\", \"b\"]\n+++\n正文\n";
        let (a, _) = parse_document("a.md", yaml).unwrap();
        let (b, _) = parse_document("b.md", toml).unwrap();
        assert_eq!(a.front.date, b.front.date);
        assert_eq!(a.front.tags, b.front.tags);
        assert_eq!(a.body, "正文\n");
        assert_eq!(a.body_line, 6);
    }

    #[test]
    fn every_field_problem_is_reported_at_its_line() {
        let text = "---\ntitle: x\ndate: 2024/3/5\nattendees: -3\n---\n";
        let errors = parse_document("s.md", text).unwrap_err();
        let shown: Vec<String> = errors.iter().map(|e| e.location()).collect();
        assert_eq!(shown, ["s.md:3", "s.md:4"]);
        assert_eq!(
            errors[0].help.as_ref().map(Text::en),
            Some("write it as `date: 2024-03-05`")
        );
    }

    #[test]
    fn material_entries_point_at_their_own_line() {
        let text = "---\ntitle: x\nmaterials:\n  - a.md\n  - b.md\n---\n";
        let (doc, _) = parse_document("s.md", text).unwrap();
        let lines: Vec<usize> = doc.front.materials.iter().map(|m| m.line).collect();
        assert_eq!(lines, [4, 5]);
    }
}
