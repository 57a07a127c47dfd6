//! Front matter: split it from the body, parse YAML (`---`) or TOML (`+++`), check every field.
//!
//! Both formats are read into one JSON-like map first, so a TOML bare date and a YAML string date
//! end up as the same typed [`Date`]; then each known field is checked by hand, which lets one
//! file report all its problems at once, each at the line of its key.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::diagnostics::{did_you_mean, line_column, Diagnostic};

/// A calendar date written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
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
    let (front, warnings) = check_fields(file, front_text, map)?;
    Ok((
        Document {
            front,
            body: body.to_string(),
            body_line,
        },
        warnings,
    ))
}

#[derive(Clone, Copy)]
enum Format {
    Yaml,
    Toml,
}

/// Hyphens and the dashes that look like them: em dash, en dash, full-width hyphen-minus,
/// horizontal bar, box-drawing line, the katakana prolonged sound mark.
fn is_dash_like(c: char) -> bool {
    matches!(c, '-' | '—' | '–' | '－' | '―' | '─' | 'ー' | '━')
}

/// Finds the front matter block: the first line is `---` or `+++`, and the same line closes it.
fn split<'t>(file: &str, text: &'t str) -> Result<(Format, &'t str, &'t str, usize), Vec<Diagnostic>> {
    let first_line = text.lines().next().unwrap_or("").trim_end();
    let (format, fence) = match first_line {
        "---" => (Format::Yaml, "---"),
        "+++" => (Format::Toml, "+++"),
        // Dashes an input method types (`———`, `－－－`) or one too many (`----`).
        line if line.chars().count() >= 2 && line.chars().all(is_dash_like) => {
            return Err(vec![Diagnostic::error(
                file,
                format!("the front matter starts with `{line}`, not `---`"),
            )
            .at_column(1, 1)
            .help("type exactly three half-width hyphens `---` on the first line, and the same on the line that closes the block")])
        }
        "" if text.lines().find(|l| !l.trim().is_empty()).map(str::trim) == Some("---") => {
            let blank = text.lines().take_while(|l| l.trim().is_empty()).count();
            return Err(vec![Diagnostic::error(
                file,
                "the front matter must start on the first line",
            )
            .at_column(1, 1)
            .help(format!(
                "remove the {blank} empty line{} before `---`",
                if blank == 1 { "" } else { "s" }
            ))]);
        }
        _ => {
            return Err(vec![Diagnostic::error(file, "missing front matter")
                .at_column(1, 1)
                .help("start the file with a front matter block, e.g.\n\n         ---\n         title: 页面标题\n         date: 2024-03-12\n         ---")])
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
    let look_alike = text.lines().enumerate().skip(1).find(|(_, line)| {
        let line = line.trim_end();
        line.chars().count() >= 2 && line.chars().all(is_dash_like) && fence == "---"
    });
    if let Some((index, line)) = look_alike {
        return Err(vec![Diagnostic::error(
            file,
            format!("the front matter is closed with `{}`, not `---`", line.trim_end()),
        )
        .at_column(index + 1, 1)
        .help("type exactly three half-width hyphens `---`")]);
    }
    Err(vec![Diagnostic::error(
        file,
        format!("front matter opened with `{fence}` on line 1 is never closed"),
    )
    .at_column(1, 1)
    .help(format!("add a line with only `{fence}` after the last field"))])
}

/// The first front matter line whose key ends with a full-width colon (`title：会议`, as a
/// Chinese input method types it), as its 1-based line in the file and the key.
fn full_width_colon(text: &str) -> Option<(usize, &str)> {
    text.lines().enumerate().find_map(|(index, line)| {
        let (key, _) = line.split_once('：')?;
        let key = key.trim();
        let is_key = !key.is_empty()
            && !line.trim_start().starts_with(['#', '-'])
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        is_key.then_some((index + 2, key))
    })
}

/// The first front matter line whose key is followed by a colon but no space (`date:2024-03-12`,
/// or a full-width space after it, as Chinese input methods type), as its 1-based line in the
/// file, the key and the value after the colon.
fn colon_without_space(text: &str) -> Option<(usize, &str, &str)> {
    text.lines().enumerate().find_map(|(index, line)| {
        if line.starts_with([' ', '\t', '#', '-']) {
            return None;
        }
        let (key, value) = line.split_once(':')?;
        let is_key = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        let spaced = value.is_empty() || value.starts_with([' ', '\t']);
        (is_key && !spaced).then(|| (index + 2, key, value.trim_start_matches('\u{3000}').trim()))
    })
}

/// Indentation YAML refuses in words an editor knows: a tab, or a first field that does not
/// start at the beginning of its line. Its 1-based line in the file, the message and the help.
fn indentation_problem(text: &str) -> Option<(usize, &'static str, &'static str)> {
    for (index, line) in text.lines().enumerate() {
        let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
        if indent.contains('\t') && !line.trim().is_empty() {
            return Some((
                index + 2,
                "this line is indented with a tab",
                "YAML indents with spaces: replace the tab with two spaces",
            ));
        }
    }
    let (index, first) = text.lines().enumerate().find(|(_, l)| !l.trim().is_empty())?;
    first.starts_with(char::is_whitespace).then_some((
        index + 2,
        "the first field does not start at the beginning of its line",
        "remove the spaces before it: fields start at the left edge, e.g. `title: 页面标题`",
    ))
}

fn parse_yaml(file: &str, text: &str) -> Result<Map<String, Value>, Vec<Diagnostic>> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    let parsed = yaml_serde::from_str::<Value>(text);
    // YAML reads `title：会议` as text, not a field: say what the editor typed.
    if let Some((line, key)) = full_width_colon(text) {
        let read_as_field = matches!(&parsed, Ok(Value::Object(map)) if map.contains_key(key));
        if !read_as_field {
            return Err(vec![Diagnostic::error(
                file,
                format!("`{key}` is followed by a full-width colon `：`"),
            )
            .at(line)
            .help(format!("type a half-width colon and a space: `{key}: …`"))]);
        }
    }
    // A full-width space before a field (`　title: …`) makes YAML read a key with it.
    if let Some((index, _)) = text.lines().enumerate().find(|(_, l)| l.starts_with('\u{3000}')) {
        return Err(vec![Diagnostic::error(
            file,
            "this line starts with a full-width space",
        )
        .at(index + 2)
        .help("remove it: fields start at the left edge, e.g. `title: 页面标题`")]);
    }
    // YAML reads `date:2024-03-12` as text, or fails on the line after it.
    if let Some((line, key, value)) = colon_without_space(text) {
        let read_as_field = matches!(&parsed, Ok(Value::Object(map)) if map.contains_key(key));
        if !read_as_field {
            return Err(vec![Diagnostic::error(
                file,
                format!("`{key}:` is not followed by a space"),
            )
            .at(line)
            .help(format!(
                "type a half-width space after the colon: `{key}: {value}`"
            ))]);
        }
    }
    match parsed {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(_) => Err(vec![Diagnostic::error(
            file,
            "front matter is not a list of `key: value` fields",
        )
        .at_column(2, 1)
        .help("write one field per line, e.g. `title: 页面标题`")]),
        Err(_) if indentation_problem(text).is_some() => {
            let (line, message, help) = indentation_problem(text).expect("just checked");
            Err(vec![Diagnostic::error(file, message).at(line).help(help)])
        }
        Err(err) => {
            let message = err.to_string();
            let reason = message.split(" at line ").next().unwrap_or(&message).to_string();
            let mut diagnostic = Diagnostic::error(file, format!("invalid YAML front matter: {reason}"));
            if let Some(location) = err.location() {
                diagnostic = diagnostic.at_column(location.line() + 1, location.column());
            } else {
                diagnostic = diagnostic.at(2);
            }
            Err(vec![diagnostic.help(
                "YAML needs `key: value` with a space after the colon; quote values that contain `:` or start with `[`, `{`, `*` or `#`",
            )])
        }
    }
}

fn parse_toml(file: &str, text: &str) -> Result<Map<String, Value>, Vec<Diagnostic>> {
    match text.parse::<toml::Table>() {
        Ok(table) => Ok(table
            .into_iter()
            .map(|(key, value)| (key, toml_to_json(value)))
            .collect()),
        Err(err) => {
            let mut diagnostic = Diagnostic::error(
                file,
                format!("invalid TOML front matter: {}", err.message().trim()),
            );
            diagnostic = match err.span() {
                Some(span) => {
                    let (line, column) = line_column(text, span.start);
                    diagnostic.at_column(line + 1, column)
                }
                None => diagnostic.at(2),
            };
            Err(vec![
                diagnostic.help("TOML needs `key = value`, with strings in double quotes")
            ])
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

/// Checks each field; collects every problem of the file.
fn check_fields(
    file: &str,
    front_text: &str,
    map: Map<String, Value>,
) -> Result<(FrontMatter, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut front = FrontMatter::default();
    let line_of = |key: &str| key_line(front_text, key).unwrap_or(2);
    let error = |key: &str, message: String| Diagnostic::error(file, message).at(line_of(key));

    front.lines = FieldLines {
        title: line_of("title"),
        date: line_of("date"),
        meeting: line_of("meeting"),
        kind: line_of("kind"),
        tags: line_of("tags"),
    };

    for (key, value) in map {
        match key.as_str() {
            "title" => match value {
                Value::String(s) if !s.trim().is_empty() => front.title = s.trim().to_string(),
                Value::Number(n) => front.title = n.to_string(),
                _ => errors.push(
                    error("title", "`title` must be non-empty text".into())
                        .help("e.g. `title: 学习贯彻党的二十大精神心得`"),
                ),
            },
            "date" => match text_of(&value).as_deref().map(|s| (s, Date::parse(s))) {
                Some((_, Some(date))) => front.date = Some(date),
                Some((text, None)) => errors.push(
                    error(
                        "date",
                        format!("`date` is `{text}`, not a date written YYYY-MM-DD"),
                    )
                    .help(date_hint(text)),
                ),
                None => errors.push(
                    error("date", "`date` must be a date written YYYY-MM-DD".into())
                        .help("e.g. `date: 2024-03-12`"),
                ),
            },
            "tags" => match value {
                Value::Array(items) => {
                    for item in items {
                        match text_of(&item) {
                            // `[安全，生产]` typed with a Chinese input method: two tags, as
                            // in the `tags: 安全，生产` form.
                            Some(tag) if !tag.trim().is_empty() => front.tags.extend(
                                tag.split(['，', '、'])
                                    .map(str::trim)
                                    .filter(|t| !t.is_empty())
                                    .map(String::from),
                            ),
                            _ => errors.push(
                                error("tags", "every tag must be non-empty text".into())
                                    .help("e.g. `tags: [安全生产, 第一议题]`"),
                            ),
                        }
                    }
                }
                // `tags: 安全，生产、应急` and `［安全，生产］` (a list typed with full-width
                // brackets, which YAML reads as text).
                Value::String(s) => front.tags.extend(
                    s.trim()
                        .trim_start_matches(['［', '【', '['])
                        .trim_end_matches(['］', '】', ']'])
                        .split([',', '，', '、'])
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(String::from),
                ),
                Value::Null => {}
                _ => errors.push(
                    error("tags", "`tags` must be a list of words".into())
                        .help("e.g. `tags: [安全生产, 第一议题]`"),
                ),
            },
            "draft" => match value {
                Value::Bool(b) => front.draft = b,
                other => errors.push(
                    error(
                        "draft",
                        format!("`draft` is `{}`, not true or false", display_value(&other)),
                    )
                    .help("write `draft: true` to keep the page out of the site, or remove the line to publish it"),
                ),
            },
            "weight" => match value.as_i64() {
                Some(w) => front.weight = Some(w),
                None => errors.push(
                    error("weight", "`weight` must be a whole number".into())
                        .help("pages with a smaller weight come first, e.g. `weight: 10`"),
                ),
            },
            "summary" | "description" | "meeting" | "topic" | "host" => {
                let text = match &value {
                    Value::Null => None,
                    other => match text_of(other) {
                        Some(text) => Some(text.trim().to_string()).filter(|t| !t.is_empty()),
                        None => {
                            errors.push(
                                error(&key, format!("`{key}` is `{}`, not text", display_value(other)))
                                    .help(format!(
                                        "write it on one line, e.g. `{key}: {}`; text that holds `: ` or starts with `[` goes in quotes: `{key}: \"…\"`",
                                        text_field_example(&key)
                                    )),
                            );
                            None
                        }
                    },
                };
                match key.as_str() {
                    "summary" => front.summary = text,
                    "description" => front.description = text,
                    "meeting" => front.meeting = text,
                    "topic" => front.topic = text,
                    _ => front.host = text,
                }
            }
            "kind" => match value.as_str().and_then(Kind::parse) {
                Some(kind) => front.kind = Some(kind),
                None => errors.push(
                    error("kind", format!("unknown kind `{}`", display_value(&value)))
                        .help("`kind` is `note` (a study material) or `session` (a study session record)"),
                ),
            },
            "attendees" => match &value {
                Value::Number(n) if n.as_u64().is_some_and(|n| n <= u64::from(u32::MAX)) => {
                    front.attendees = n.as_u64().map(|n| n as u32)
                }
                Value::Number(n) if n.as_i64().is_some_and(|n| n < 0) => errors.push(
                    error("attendees", format!("`attendees` is {n}, a negative number"))
                        .help("write how many people attended, e.g. `attendees: 13`"),
                ),
                Value::String(s) if s.trim().parse::<u32>().is_ok() => {
                    front.attendees = s.trim().parse().ok()
                }
                other => errors.push(
                    error(
                        "attendees",
                        format!("`attendees` is `{}`, not a whole number", display_value(other)),
                    )
                    .help("write how many people attended as digits, e.g. `attendees: 13`"),
                ),
            },
            "materials" => {
                let items = match value {
                    Value::Array(items) => items,
                    // `materials: a.md，b.md` typed on one line: each is a material.
                    Value::String(s) => s
                        .split([',', '，', '、'])
                        .filter(|m| !m.trim().is_empty())
                        .map(|m| Value::String(m.trim().to_string()))
                        .collect(),
                    Value::Null => Vec::new(),
                    _ => {
                        errors.push(error("materials", "`materials` must be a list of page paths".into())
                            .help("e.g. `materials: [notes/2024/safety-speech.md]` (paths relative to content/)"));
                        Vec::new()
                    }
                };
                let key_line = line_of("materials");
                let mut last_line = key_line;
                for (number, item) in items.into_iter().enumerate() {
                    match text_of(&item) {
                        Some(target) if !target.trim().is_empty() => {
                            let target = target.trim().to_string();
                            let line = entry_line(front_text, key_line, last_line, &target);
                            if line > key_line {
                                last_line = line;
                            }
                            front.materials.push(MaterialRef { target, line });
                        }
                        _ => errors.push(
                            error(
                                "materials",
                                format!(
                                    "material {} is `{}`, not a page path",
                                    number + 1,
                                    display_value(&item)
                                ),
                            )
                            .help("list the pages studied by their paths, one per line as `- notes/2024/safety-speech.md` (relative to content/)"),
                        ),
                    }
                }
            }
            _ => {
                let mut warning =
                    Diagnostic::warning(file, format!("unknown field `{key}`")).at(line_of(&key));
                warning = match did_you_mean(&key, KNOWN_FIELDS) {
                    Some(guess) => warning.help(format!(
                        "did you mean `{guess}`? (the value stays available to templates as `page.extra.{key}`)"
                    )),
                    None => warning.help(format!(
                        "studybook does not use it; templates can read it as `page.extra.{key}`"
                    )),
                };
                warnings.push(warning);
                front.extra.insert(key, value);
            }
        }
    }
    // YAML keeps the last of two equal keys without a word: say so, as an editor copying
    // fields from another page often leaves the old line in.
    let mut seen: Vec<&str> = Vec::new();
    for (index, line) in front_text.lines().enumerate() {
        let key = line.split([':', '=']).next().unwrap_or("").trim_end();
        let is_key = line.contains([':', '='])
            && !key.is_empty()
            && !line.starts_with([' ', '\t', '#', '-', '['])
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !is_key {
            continue;
        }
        if seen.contains(&key) {
            warnings.push(
                Diagnostic::warning(file, format!("`{key}` is written twice; the last one is used"))
                    .at(index + 2)
                    .help(format!("remove one of the `{key}` lines")),
            );
        } else {
            seen.push(key);
        }
    }
    if front.title.is_empty() && !errors.iter().any(|e: &Diagnostic| e.message.contains("`title`")) {
        errors.push(
            Diagnostic::error(file, "missing `title`")
                .at(2)
                .help("add a line such as `title: 学习贯彻党的二十大精神心得` to the front matter"),
        );
    }
    errors.sort_by_key(|e| (e.line, e.column));
    if errors.is_empty() {
        Ok((front, warnings))
    } else {
        Err(errors)
    }
}

/// The line of a block-list entry (`- path`) after its key, or the key's own line.
fn entry_line(front_text: &str, key_line: usize, after: usize, target: &str) -> usize {
    front_text
        .lines()
        .enumerate()
        .skip(key_line.saturating_sub(1))
        .take_while(|(index, line)| {
            *index + 2 == key_line || line.starts_with([' ', '\t', '-']) || line.trim().is_empty()
        })
        .find(|(index, line)| {
            let value = line
                .trim()
                .trim_start_matches('-')
                .trim()
                .trim_matches(['"', '\'']);
            *index + 2 > after.max(key_line) && value == target
        })
        .map_or(key_line, |(index, _)| index + 2)
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A value to show in the help of a text field.
fn text_field_example(key: &str) -> &'static str {
    match key {
        "meeting" => "党支部委员会会议",
        "topic" => "学习贯彻党的二十大精神",
        "host" => "张三",
        _ => "一句话说明本页的内容",
    }
}

/// A value as an editor would write it in YAML's short form: `是`, `[甲, 乙]`, `{a: 1}`.
fn display_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(display_value).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(key, value)| format!("{key}: {}", display_value(value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// Suggests the YYYY-MM-DD spelling of a date written another common way.
fn date_hint(text: &str) -> String {
    let parts: Vec<&str> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect();
    if let [year, month, day] = parts.as_slice() {
        if year.len() == 4 && month.len() <= 2 && day.len() <= 2 {
            let guess = format!("{year}-{month:0>2}-{day:0>2}");
            if Date::parse(&guess).is_some() {
                return format!("write it as `date: {guess}`");
            }
            return format!("`{guess}` is not a day of the calendar; check the month and day");
        }
    }
    "write the date as YYYY-MM-DD, e.g. `date: 2024-03-12`".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(errors[0].help.as_deref(), Some("write it as `date: 2024-03-05`"));
    }

    #[test]
    fn material_entries_point_at_their_own_line() {
        let text = "---\ntitle: x\nmaterials:\n  - a.md\n  - b.md\n---\n";
        let (doc, _) = parse_document("s.md", text).unwrap();
        let lines: Vec<usize> = doc.front.materials.iter().map(|m| m.line).collect();
        assert_eq!(lines, [4, 5]);
    }
}
