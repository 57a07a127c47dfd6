//! Front matter fields: each known field checked by hand, so that one file reports all its
//! problems at once, each at the line of its key, with what was written and how to fix it.

use serde_json::{Map, Value};

use super::{key_line, Date, FieldLines, FrontMatter, Kind, MaterialRef, KNOWN_FIELDS};
use crate::diagnostics::{did_you_mean, Diagnostic, Text};
use crate::search::analyzer::normalize;
use crate::text;

/// Checks each field; collects every problem of the file.
pub(super) fn check_fields(
    file: &str,
    front_text: &str,
    map: Map<String, Value>,
) -> Result<(FrontMatter, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (front, warnings, errors) = read_fields(file, front_text, map);
    if errors.is_empty() {
        Ok((front, warnings))
    } else {
        Err(errors)
    }
}

/// Each field as far as it reads, with the warnings and the errors: the fields that read
/// well are there even when others have errors (`materials` is still checked).
pub(super) fn read_fields(
    file: &str,
    front_text: &str,
    map: Map<String, Value>,
) -> (FrontMatter, Vec<Diagnostic>, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut front = FrontMatter::default();
    let line_of = |key: &str| key_line(front_text, key).unwrap_or(2);
    let error = |key: &str, message: Text| Diagnostic::error(file, message).at(line_of(key));

    front.lines = FieldLines {
        title: line_of("title"),
        date: line_of("date"),
        meeting: line_of("meeting"),
        attendees: line_of("attendees"),
        kind: line_of("kind"),
        tags: line_of("tags"),
    };

    for (key, value) in map {
        match key.as_str() {
            "title" => match value {
                Value::String(s) if !s.trim().is_empty() => front.title = s.trim().to_string(),
                Value::Number(n) => front.title = n.to_string(),
                _ => errors.push(
                    error("title", text!("`title` must be non-empty text", "`title` 必须是文字，不能为空"))
                        .help(text!(
                            "e.g. `title: 学习贯彻党的二十大精神心得`",
                            "例如 `title: 学习贯彻党的二十大精神心得`"
                        )),
                ),
            },
            "date" => match text_of(&value).as_deref().map(|s| (s, Date::parse(s))) {
                Some((text, Some(date))) => {
                    // `2204-03-05` for 2024: a ledger year of its own, two centuries on.
                    let this_year = super::Date::current_year();
                    if u32::from(date.year) > this_year + 1 {
                        warnings.push(
                            Diagnostic::warning(
                                file,
                                text!(
                                    "`date` is `{text}`, in the year {}: is the year typed right?",
                                    "`date` 是 `{text}`，在 {} 年：年份写对了吗？",
                                    date.year
                                ),
                            )
                            .at(line_of("date"))
                            .help(text!(
                                "the ledger and the year pages list it under {}; correct the year if it is a slip",
                                "学习台账和年度页面会把它列在 {} 年下；如果是笔误，请改正年份",
                                date.year
                            )),
                        );
                    }
                    front.date = Some(date);
                }
                Some((text, None)) => errors.push(
                    error(
                        "date",
                        text!(
                            "`date` is `{text}`, not a date written YYYY-MM-DD",
                            "`date` 是 `{text}`，不是按 YYYY-MM-DD 写的日期"
                        ),
                    )
                    .help(date_hint(text)),
                ),
                None => errors.push(
                    error(
                        "date",
                        text!(
                            "`date` must be a date written YYYY-MM-DD",
                            "`date` 必须是按 YYYY-MM-DD 写的日期"
                        ),
                    )
                    .help(text!("e.g. `date: 2024-03-12`", "例如 `date: 2024-03-12`")),
                ),
            },
            "tags" => match value {
                Value::Array(items) => {
                    for item in items {
                        match text_of(&item) {
                            // `[安全，生产]` typed with a Chinese input method: two tags, as
                            // in the `tags: 安全，生产` form.
                            Some(tag) if !tag.trim().is_empty() => front.tags.extend(
                                tag.split(['，', '、', '；'])
                                    .map(str::trim)
                                    .filter(|t| !t.is_empty())
                                    .map(String::from),
                            ),
                            _ => errors.push(
                                error(
                                    "tags",
                                    text!("every tag must be non-empty text", "每个标签都必须是文字，不能为空"),
                                )
                                .help(text!(
                                    "e.g. `tags: [安全生产, 第一议题]`",
                                    "例如 `tags: [安全生产, 第一议题]`"
                                )),
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
                        .split([',', '，', '、', ';', '；'])
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(String::from),
                ),
                Value::Null => {}
                _ => errors.push(
                    error("tags", text!("`tags` must be a list of words", "`tags` 必须是由词语组成的列表"))
                        .help(text!(
                            "e.g. `tags: [安全生产, 第一议题]`",
                            "例如 `tags: [安全生产, 第一议题]`"
                        )),
                ),
            },
            "draft" => match value {
                Value::Bool(b) => front.draft = b,
                other => errors.push(
                    error(
                        "draft",
                        text!(
                            "`draft` is `{}`, not true or false",
                            "`draft` 是 `{}`，不是 true 或 false",
                            display_value(&other)
                        ),
                    )
                    .help(text!(
                        "write `draft: true` to keep the page out of the site, or remove the line to publish it",
                        "写 `draft: true` 表示这个页面先不放到站点上；要发布，删掉这一行即可"
                    )),
                ),
            },
            "weight" => match value.as_i64() {
                Some(w) => front.weight = Some(w),
                None => errors.push(
                    error("weight", text!("`weight` must be a whole number", "`weight` 必须是整数"))
                        .help(text!(
                            "pages with a smaller weight come first, e.g. `weight: 10`",
                            "`weight` 越小，页面排得越靠前，例如 `weight: 10`"
                        )),
                ),
            },
            "summary" | "description" | "meeting" | "topic" | "host" => {
                let text = match &value {
                    Value::Null => None,
                    other => match text_of(other) {
                        Some(text) => Some(text.trim().to_string()).filter(|t| !t.is_empty()),
                        None => {
                            errors.push(
                                error(
                                    &key,
                                    text!(
                                        "`{key}` is `{}`, not text",
                                        "`{key}` 是 `{}`，不是文字",
                                        display_value(other)
                                    ),
                                )
                                .help(text!(
                                    "write it on one line, e.g. `{key}: {}`; text that holds `: ` or starts with `[` goes in quotes: `{key}: \"…\"`",
                                    "请写在一行里，例如 `{key}: {}`；文字里有 `: ` 或者以 `[` 开头时，要放在引号里：`{key}: \"…\"`",
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
                    error(
                        "kind",
                        text!("unknown kind `{}`", "未知的页面类型 `{}`", display_value(&value)),
                    )
                    .help(text!(
                        "`kind` is `note` (a study material) or `session` (a study session record)",
                        "`kind` 只能是 `note`（学习材料）或 `session`（学习记录）"
                    )),
                ),
            },
            "attendees" => {
                let typed = typed_value(front_text, "attendees");
                match read_attendees(&value, typed.as_deref()) {
                    Ok(attendees) => front.attendees = attendees,
                    Err((message, help)) => errors.push(error("attendees", message).help(help)),
                }
            }
            "materials" => {
                let items = match value {
                    // `[a.md、b.md]`: paths apart by a Chinese comma inside one item, when
                    // every part names a page (a file name may hold `、` itself).
                    Value::Array(items) => items
                        .into_iter()
                        .flat_map(|item| match item {
                            Value::String(s) if several_paths(&s) => s
                                .split(['，', '、', '；'])
                                .map(|m| Value::String(m.trim().to_string()))
                                .collect(),
                            other => vec![other],
                        })
                        .collect(),
                    // `materials: a.md，b.md` typed on one line: each is a material.
                    Value::String(s) => s
                        .split([',', '，', '、'])
                        .filter(|m| !m.trim().is_empty())
                        .map(|m| Value::String(m.trim().to_string()))
                        .collect(),
                    Value::Null => Vec::new(),
                    _ => {
                        errors.push(
                            error(
                                "materials",
                                text!(
                                    "`materials` must be a list of page paths",
                                    "`materials` 必须是页面路径的列表"
                                ),
                            )
                            .help(text!(
                                "e.g. `materials: [notes/2024/safety-speech.md]` (paths relative to content/)",
                                "例如 `materials: [notes/2024/safety-speech.md]`（路径从内容文件夹 content/ 算起）"
                            )),
                        );
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
                                text!(
                                    "material {} is `{}`, not a page path",
                                    "第 {} 项学习材料是 `{}`，不是页面路径",
                                    number + 1,
                                    display_value(&item)
                                ),
                            )
                            .help(text!(
                                "list the pages studied by their paths, one per line as `- notes/2024/safety-speech.md` (relative to content/)",
                                "请写出所学页面的路径，每行一个，写成 `- notes/2024/safety-speech.md`（路径从内容文件夹 content/ 算起）"
                            )),
                        ),
                    }
                }
            }
            _ => {
                let mut warning =
                    Diagnostic::warning(file, text!("unknown field `{key}`", "未知字段 `{key}`"))
                        .at(line_of(&key));
                warning = match field_meant(&key) {
                    Some(guess) => warning.help(text!(
                        "did you mean `{guess}`? (the value stays available to templates as `page.extra.{key}`)",
                        "是不是要写 `{guess}`？（这个值仍可在模板里通过 `page.extra.{key}` 读取）"
                    )),
                    None => warning.help(text!(
                        "studybook does not use it; templates can read it as `page.extra.{key}`",
                        "studybook 不使用这个字段；模板可以通过 `page.extra.{key}` 读取它"
                    )),
                };
                warnings.push(warning);
                front.extra.insert(key, value);
            }
        }
    }
    // Tags pasted from Word keep its curly quotes (`“学习”`): the tag is the word inside. A
    // tag written twice is one tag.
    for tag in &mut front.tags {
        let unquoted = [('“', '”'), ('‘', '’'), ('「', '」')]
            .iter()
            .find_map(|&(open, close)| {
                let inner = tag.strip_prefix(open)?.strip_suffix(close)?;
                // `“两个确立”与“两个维护”` is quoted in parts, not as a whole.
                (!inner.contains([open, close])).then_some(inner)
            })
            .map(str::trim)
            .filter(|inner| !inner.is_empty());
        if let Some(inner) = unquoted {
            *tag = inner.to_string();
        }
    }
    let mut seen_tags = std::collections::HashSet::new();
    front.tags.retain(|tag| seen_tags.insert(tag.clone()));
    tag_slips(&front.tags, file, line_of("tags"), &mut warnings);
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
                Diagnostic::warning(
                    file,
                    text!(
                        "`{key}` is written twice; the last one is used",
                        "`{key}` 写了两次，以最后一次为准"
                    ),
                )
                .at(index + 2)
                .help(text!("remove one of the `{key}` lines", "请删掉其中一行 `{key}`")),
            );
        } else {
            seen.push(key);
        }
    }
    if front.title.is_empty()
        && !errors
            .iter()
            .any(|e: &Diagnostic| e.message.en().contains("`title`"))
    {
        // `Title:` or `标题:`: the title is there under another name (its warning is not shown
        // beside a failed file, so the error says it).
        let written = front
            .extra
            .iter()
            .find(|(key, _)| field_meant(key) == Some("title"))
            .map(|(key, value)| (key.clone(), text_of(value).unwrap_or_default()));
        errors.push(match written {
            Some((key, value)) => Diagnostic::error(
                file,
                text!(
                    "missing `title`: the title is written as `{key}`",
                    "缺少 `title`：标题写成了 `{key}`"
                ),
            )
            .at(line_of(&key))
            .help(text!(
                "field names are lowercase English words: write `title: {value}`",
                "字段名要用小写英文：请写成 `title: {value}`"
            )),
            None => Diagnostic::error(file, text!("missing `title`", "缺少 `title`"))
                .at(2)
                .help(text!(
                    "add a line such as `title: 学习贯彻党的二十大精神心得` to the front matter",
                    "请在文件头里加一行，例如 `title: 学习贯彻党的二十大精神心得`"
                )),
        });
    }
    // More than a meeting holds: a digit or two typed too many (130 for 13), which the
    // attendance totals would carry.
    if let Some(attendees) = front.attendees.filter(|&n| n > MOST_ATTENDEES) {
        warnings.push(
            Diagnostic::warning(
                file,
                text!(
                    "`attendees` is {attendees}: did that many people attend?",
                    "`attendees` 是 {attendees}：真有这么多人参会吗？"
                ),
            )
            .at(line_of("attendees"))
            .help(text!(
                "check the number; it counts in the attendance totals of the ledger",
                "请核对人数：它会计入学习台账的参会人次"
            )),
        );
    }
    errors.sort_by_key(|e| (e.line, e.column));
    (front, warnings, errors)
}

/// Most attendees a record may give without a warning.
const MOST_ATTENDEES: u32 = 10_000;

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

/// The number of attendees a record gives (`None`: not recorded), or what is wrong with it
/// and how to write it. What was typed decides, where the line is found: YAML reads `1e3`,
/// `0x10` and `12.0` as numbers, which an editor meant as none of them.
fn read_attendees(value: &Value, typed: Option<&str>) -> Result<Option<u32>, (Text, Text)> {
    let example = || {
        text!(
            "write how many people attended as digits, e.g. `attendees: 13`",
            "请用阿拉伯数字写参会人数，例如 `attendees: 13`"
        )
    };
    let write = |count: u64| text!("write `attendees: {count}`", "请写成 `attendees: {count}`");
    let how_many = || {
        text!(
            "write how many people attended, e.g. `attendees: 13`",
            "请写参会人数，例如 `attendees: 13`"
        )
    };
    let not_digits = |shown: &str| {
        text!(
            "`attendees` is `{shown}`, not a whole number in digits",
            "`attendees` 是 `{shown}`，不是用阿拉伯数字写的整数"
        )
    };
    match value {
        // `attendees:` left blank in a template: not recorded, as if the line were not there.
        Value::Null => Ok(None),
        Value::Number(n) if n.as_i64().is_some_and(|n| n < 0) => Err((
            text!(
                "`attendees` is {n}, a negative number",
                "`attendees` 不能是负数（现在是 {n}）"
            ),
            how_many(),
        )),
        Value::Number(n) => {
            // Where what was typed is not found (a key in quotes, the value on the next line),
            // only a whole number counts, as YAML gives it.
            let count = n.as_u64().or_else(|| {
                n.as_f64()
                    .filter(|f| typed.is_some() && f.fract() == 0.0 && (0.0..=u64::MAX as f64).contains(f))
                    .map(|f| f as u64)
            });
            let typed = typed.filter(|typed| !is_count(typed));
            // A count past what any meeting holds is no help to copy (`1e10`).
            let write_plausible = |count: u64| {
                if count <= MOST_ATTENDEES.into() {
                    write(count)
                } else {
                    example()
                }
            };
            match (count, typed) {
                (Some(count), None) if count <= u64::from(u32::MAX) => Ok(Some(count as u32)),
                (Some(_), None) => Err((
                    text!(
                        "`attendees` is {n}, too large a number",
                        "`attendees` 的数字太大（现在是 {n}）"
                    ),
                    how_many(),
                )),
                (count, typed) => Err((
                    not_digits(&typed.map_or_else(|| n.to_string(), str::to_string)),
                    count.map_or_else(example, write_plausible),
                )),
            }
        }
        Value::String(s) => {
            let text = normalize(s.trim());
            // `１２` typed with full-width digits.
            if let Ok(count) = text.parse::<u32>() {
                return Ok(Some(count));
            }
            // `12人`, `12 名`: the count with its measure word.
            let digits = text.trim_end_matches(['人', '名', '位']).trim_end();
            let help = if digits != text && digits.parse::<u32>().is_ok() {
                write(digits.parse().unwrap_or_default())
            } else if let Some(count) = crate::search::numerals::chinese_value(digits) {
                write(u64::from(count))
            } else {
                example()
            };
            Err((not_digits(s.trim()), help))
        }
        other => Err((not_digits(&display_value(other)), example())),
    }
}

/// Whether a value was typed as a count: digits alone (full-width too), a `+` before them at
/// most.
fn is_count(typed: &str) -> bool {
    let digits = normalize(typed);
    let digits = digits.strip_prefix('+').unwrap_or(&digits);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The value of `key` as typed on its line, without quotes' removal or a trailing comment:
/// `None` when the line is not found (a key in quotes, a value on the lines after it).
fn typed_value(front_text: &str, key: &str) -> Option<String> {
    let line = front_text
        .lines()
        .nth(key_line(front_text, key)?.checked_sub(2)?)?;
    let value = line.strip_prefix(key)?.trim_start();
    let value = value.strip_prefix([':', '='])?;
    // A comment: only a value read as a number is looked at, where `#` can only start one
    // (`13 # 实到`, `13\t# …`, TOML's `13# …`).
    let value = value.split('#').next().unwrap_or_default();
    Some(value.trim().to_string()).filter(|value| !value.is_empty())
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

/// Whether `text` is page paths apart by Chinese commas or `；` (`a.md、b.md`), each part
/// naming a Markdown file.
fn several_paths(text: &str) -> bool {
    let parts: Vec<&str> = text.split(['，', '、', '；']).map(str::trim).collect();
    parts.len() > 1
        && parts.iter().all(|part| {
            let lower = part.to_lowercase();
            lower.ends_with(".md") || lower.ends_with(".markdown")
        })
}

/// The YYYY-MM-DD spelling of a date written another common way (`2024.3.5`, `2024年3月5日`,
/// `24-3-5`, full-width digits, a time after it), whether or not that day exists.
pub(super) fn date_spelling(text: &str) -> Option<String> {
    // Full-width digits (`２０２４`) as ASCII ones, as search folds them.
    let digits = normalize(text);
    let parts: Vec<&str> = digits
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect();
    // A time after the day (`2024-03-05 09:30`) is left out.
    let [year, month, day, ..] = parts.as_slice() else {
        return None;
    };
    let year = match year.len() {
        4 => year.to_string(),
        2 => format!("20{year}"),
        _ => return None,
    };
    (month.len() <= 2 && day.len() <= 2).then(|| format!("{year}-{month:0>2}-{day:0>2}"))
}

/// Suggests the YYYY-MM-DD spelling of a date written another common way.
fn date_hint(text: &str) -> Text {
    if let Some(guess) = date_spelling(text) {
        if Date::parse(&guess).is_some() {
            return text!("write it as `date: {guess}`", "请写成 `date: {guess}`");
        }
        return text!(
            "`{guess}` is not a day of the calendar; check the month and day",
            "`{guess}` 这一天不存在，请检查月和日"
        );
    }
    text!(
        "write the date as YYYY-MM-DD, e.g. `date: 2024-03-12`",
        "请把日期写成 YYYY-MM-DD，例如 `date: 2024-03-12`"
    )
}

/// Tags that YAML read as one where the editor meant several: list items with no space after
/// their `-` (one text `-甲 -乙`), and Chinese words apart by a space in one item
/// (`[学习 党建]`, the comma forgotten). Warnings: such a tag may be meant.
fn tag_slips(tags: &[String], file: &str, line: usize, warnings: &mut Vec<Diagnostic>) {
    for tag in tags {
        let dashes = tag.starts_with('-') && !tag.starts_with("- ") && tag.len() > 1;
        let chars: Vec<char> = tag.chars().collect();
        let spaced_words = chars
            .windows(3)
            .any(|w| crate::markdown::is_cjk(w[0]) && w[1].is_whitespace() && crate::markdown::is_cjk(w[2]));
        if dashes {
            let items: Vec<&str> = tag
                .split_whitespace()
                .map(|item| item.trim_start_matches('-'))
                .filter(|item| !item.is_empty())
                .collect();
            let (first, listed) = (items.first().copied().unwrap_or("学习"), items.join(", "));
            warnings.push(
                Diagnostic::warning(
                    file,
                    text!(
                        "`tags` reads as the one tag `{tag}`: a list item needs a space after its `-`",
                        "`tags` 被读成了一个标签 `{tag}`：列表的每一项在 `-` 后面要有一个空格"
                    ),
                )
                .at(line)
                .help(text!(
                    "write each tag on its own line as `  - {first}`, or all on one line: `tags: [{listed}]`",
                    "请每行写一个标签，写成 `  - {first}`；或者写在一行里：`tags: [{listed}]`"
                )),
            );
        } else if spaced_words {
            let parts: Vec<&str> = tag.split_whitespace().collect();
            let separated = parts.join(", ");
            warnings.push(
                Diagnostic::warning(
                    file,
                    text!(
                        "the tag `{tag}` holds a space: if these are {} tags, separate them with commas",
                        "标签 `{tag}` 中间有空格：如果这是 {} 个标签，请用逗号隔开",
                        parts.len()
                    ),
                )
                .at(line)
                .help(text!(
                    "write them as `{separated}` in the list",
                    "请在列表里写成 `{separated}`"
                )),
            );
        }
    }
}

/// The known field an unknown key was likely meant as: a typo (`meetting`, `Title`), or the
/// field's name in Chinese (`标题`, `日期`), as editors new to front matter write it.
pub(super) fn field_meant(key: &str) -> Option<&'static str> {
    const IN_CHINESE: &[(&str, &str)] = &[
        ("标题", "title"),
        ("题目", "title"),
        ("名称", "title"),
        ("日期", "date"),
        ("时间", "date"),
        ("标签", "tags"),
        ("会议", "meeting"),
        ("会议名称", "meeting"),
        ("议题", "topic"),
        ("主题", "topic"),
        ("主持人", "host"),
        ("主持", "host"),
        ("参会人数", "attendees"),
        ("出席人数", "attendees"),
        ("人数", "attendees"),
        ("材料", "materials"),
        ("学习材料", "materials"),
        ("摘要", "summary"),
        ("简介", "summary"),
        ("描述", "description"),
        ("草稿", "draft"),
        ("类型", "kind"),
        ("权重", "weight"),
        ("排序", "weight"),
    ];
    let key = key.trim();
    IN_CHINESE
        .iter()
        .find(|(chinese, _)| *chinese == key)
        .map(|(_, field)| *field)
        .or_else(|| did_you_mean(key, KNOWN_FIELDS))
}
