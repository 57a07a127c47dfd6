//! Typing slips in front matter that YAML reports in its own jargon, or not at all (it reads
//! `date:2024-03-12` as text): named in words an editor knows, at their line, with the fix.
//! They are what Chinese input methods and Windows editors produce: look-alike dashes,
//! full-width colons and spaces, tabs; and values YAML needs in quotes: an unclosed quote or
//! list, quotes inside quotes, `: ` or a leading `@`, and ` #`, after which YAML drops the rest.

use serde_json::Value;

use crate::diagnostics::{Diagnostic, Text};
use crate::text;

/// A slip: the 1-based line in the file, what is wrong, how to fix it.
pub(super) struct Slip {
    pub line: usize,
    pub message: Text,
    pub help: Text,
    /// A quote or list never closed: the parser fails only at the end of the front matter,
    /// so it may explain an error reported far below it.
    pub unclosed: bool,
}

impl Slip {
    /// The error of `file` it makes.
    pub fn diagnostic(self, file: &str) -> Diagnostic {
        Diagnostic::error(file, self.message)
            .at(self.line)
            .help(self.help)
    }

    /// The warning of `file` it makes (the front matter was read, but not as written).
    pub fn warning(self, file: &str) -> Diagnostic {
        Diagnostic::warning(file, self.message)
            .at(self.line)
            .help(self.help)
    }

    pub(super) fn new(line: usize, message: Text, help: Text) -> Slip {
        Slip {
            line,
            message,
            help,
            unclosed: false,
        }
    }

    /// A slip for a quote or list never closed.
    fn unclosed(line: usize, message: Text, help: Text) -> Slip {
        Slip {
            unclosed: true,
            ..Slip::new(line, message, help)
        }
    }
}

/// A line of two or more hyphens or dashes that look like them (em dash, en dash, full-width
/// hyphen-minus, horizontal bar, box-drawing lines, the katakana prolonged sound mark).
pub(super) fn is_dash_line(line: &str) -> bool {
    let line = line.trim_end();
    line.chars().count() >= 2
        && line
            .chars()
            .all(|c| matches!(c, '-' | '—' | '–' | '－' | '―' | '─' | 'ー' | '━'))
}

/// A key as front matter writes it: ASCII letters, digits, `_` and `-`.
pub(super) fn is_field_name(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The slips in the YAML front matter `text` (which starts on line 2) that `parsed` misread:
/// every full-width colon after a field name, else the first other slip, if any.
pub(super) fn misread<E>(text: &str, parsed: &Result<Value, E>) -> Vec<Slip> {
    let read_as_field = |key: &str| matches!(parsed, Ok(Value::Object(map)) if map.contains_key(key));
    let numbered = || text.lines().enumerate().map(|(index, line)| (index + 2, line));
    // `title：会议`, `标题：会议`: YAML reads text, not a field. Every such line at once, with
    // the line as it should be (a Chinese field name in English).
    // Only lines at the left edge are fields: indented ones are the text of a `|` or `>` block
    // or of a long value (`summary: |` then `  会议：支部委员会` is a summary).
    let full_width_colons: Vec<Slip> = numbered()
        .filter(|(_, text)| !text.starts_with([' ', '\t', '\u{3000}']))
        .filter_map(|(line, text)| {
            let (key, value) = text.split_once('：')?;
            let key = key.trim();
            let field = if is_field_name(key) {
                key
            } else {
                super::fields::field_meant(key).filter(|_| !key.is_ascii())?
            };
            if text.trim_start().starts_with(['#', '-']) || read_as_field(key) {
                return None;
            }
            let value = match (field, super::fields::date_spelling(value)) {
                ("date", Some(date)) => date,
                // `时间：上午9点`: no day to give back.
                ("date", None) => "YYYY-MM-DD".to_string(),
                _ => value.trim().to_string(),
            };
            Some(if field == key {
                Slip::new(
                    line,
                    text!(
                        "`{key}` is followed by a full-width colon `：`",
                        "`{key}` 后面是全角冒号 `：`"
                    ),
                    text!(
                        "type a half-width colon and a space: `{key}: {value}`",
                        "请改成半角冒号再加一个空格：`{key}: {value}`"
                    ),
                )
            } else {
                Slip::new(
                    line,
                    text!(
                        "`{key}：` is a field name in Chinese, followed by a full-width colon `：`",
                        "`{key}：` 是中文字段名，后面还是全角冒号 `：`"
                    ),
                    text!(
                        "field names are English, with a half-width colon and a space: `{field}: {value}`",
                        "字段名要用英文，后面是半角冒号加一个空格：`{field}: {value}`"
                    ),
                )
            })
        })
        .collect();
    if !full_width_colons.is_empty() {
        return full_width_colons;
    }
    // `　title: …`: YAML reads a key that starts with the full-width space.
    let full_width_indent = || {
        numbered()
            .find(|(_, text)| text.starts_with('\u{3000}'))
            .map(|(line, _)| {
                Slip::new(
                    line,
                    text!(
                        "this line starts with a full-width space",
                        "这一行开头有一个全角空格"
                    ),
                    text!(
                        "remove it: fields start at the left edge, e.g. `title: 页面标题`",
                        "请删掉它：字段要从行首顶格写，例如 `title: 页面标题`"
                    ),
                )
            })
    };
    // `date:2024-03-12`: YAML reads text, or fails on the line after it.
    let colon_without_space = || {
        numbered().find_map(|(line, text)| {
            if text.starts_with([' ', '\t', '#', '-']) {
                return None;
            }
            let (key, value) = text.split_once(':')?;
            let spaced = value.is_empty() || value.starts_with([' ', '\t']);
            (is_field_name(key) && !spaced && !read_as_field(key)).then(|| {
                let value = value.trim_start_matches('\u{3000}').trim();
                Slip::new(
                    line,
                    text!("`{key}:` is not followed by a space", "`{key}:` 后面缺少空格"),
                    text!(
                        "type a half-width space after the colon: `{key}: {value}`",
                        "请在冒号后面加一个半角空格：`{key}: {value}`"
                    ),
                )
            })
        })
    };
    full_width_indent()
        .or_else(colon_without_space)
        .into_iter()
        .collect()
}

/// Indentation YAML refused, in plain words: a tab, or a first field that does not start at
/// the beginning of its line.
pub(super) fn indentation(text: &str) -> Option<Slip> {
    let numbered = || text.lines().enumerate().map(|(index, line)| (index + 2, line));
    let tab = numbered().find(|(_, text)| {
        let indent = &text[..text.len() - text.trim_start().len()];
        indent.contains('\t') && !text.trim().is_empty()
    });
    if let Some((line, _)) = tab {
        return Some(Slip::new(
            line,
            text!(
                "this line is indented with a tab",
                "这一行开头用的是 Tab 键（制表符）缩进"
            ),
            text!(
                "YAML indents with spaces: replace the tab with two spaces",
                "YAML 只能用空格缩进：请把 Tab 换成两个空格"
            ),
        ));
    }
    let (line, first) = numbered().find(|(_, text)| !text.trim().is_empty())?;
    first.starts_with(char::is_whitespace).then(|| {
        Slip::new(
            line,
            text!(
                "the first field does not start at the beginning of its line",
                "第一个字段没有从行首开始写"
            ),
            text!(
                "remove the spaces before it: fields start at the left edge, e.g. `title: 页面标题`",
                "请删掉它前面的空格：字段要从行首顶格写，例如 `title: 页面标题`"
            ),
        )
    })
}

/// The top-level `key: value` lines of YAML front matter `text` (which starts on line 2): the
/// 1-based line, the key, the value with the lines that continue it (indented lines after it),
/// and the value on its own line.
fn fields(text: &str) -> Vec<(usize, &str, String, &str)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        if line.starts_with([' ', '\t', '#', '-']) {
            continue;
        }
        let Some((key, value)) = line.split_once(": ") else {
            continue;
        };
        if !is_field_name(key) {
            continue;
        }
        let own = value.trim();
        let mut whole = own.to_string();
        for next in lines[index + 1..]
            .iter()
            .take_while(|next| next.starts_with([' ', '\t']) || next.trim().is_empty())
        {
            whole.push('\n');
            whole.push_str(next.trim());
        }
        out.push((index + 2, key, whole, own));
    }
    out
}

/// Where the quoted string at the start of `value` ends (the byte after its closing quote):
/// `"` with backslash escapes, `'` with `''` for a quote inside.
pub(super) fn quoted_end(value: &str) -> Option<usize> {
    let quote = value.chars().next()?;
    let mut chars = value.char_indices().skip(1).peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            '\'' if quote == '\'' && chars.peek().map(|&(_, next)| next) == Some('\'') => {
                chars.next();
            }
            c if c == quote => return Some(at + 1),
            _ => {}
        }
    }
    None
}

/// Where the `[…]` or `{…}` list at the start of `value` ends (the byte after its bracket),
/// skipping quoted items (a quote opens one only at an item's start: `[it's]` is plain).
pub(super) fn list_end(value: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = 0;
    let mut item_start = true;
    while at < value.len() {
        let c = value[at..].chars().next()?;
        match c {
            '"' | '\'' if item_start => at += quoted_end(&value[at..])? - c.len_utf8(),
            '[' | '{' => depth += 1,
            ']' | '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(at + 1);
                }
            }
            _ => {}
        }
        item_start = matches!(c, '[' | '{' | ',' | ':') || (item_start && c.is_whitespace());
        at += c.len_utf8();
    }
    None
}

/// `key: value` in the quotes that fit it: single quotes (where `\` is plain) when it holds
/// a double quote or a backslash.
fn in_quotes(key: &str, value: &str) -> String {
    format!("`{key}: {}`", quoted(value))
}

/// `value` in the quotes that fit it (see [`in_quotes`]).
fn quoted(value: &str) -> String {
    if value.contains(['"', '\\']) {
        format!("'{}'", value.replace('\'', "''"))
    } else {
        format!("\"{value}\"")
    }
}

/// [`in_quotes`] for a plain value that may end in a comment the editor meant (`# ` with a
/// space after it): the comment stays outside the quotes.
fn in_quotes_keeping_comment(key: &str, own: &str) -> String {
    let comment = own
        .match_indices(" #")
        .chain(own.match_indices("\t#"))
        .map(|(at, _)| at)
        .find(|&at| own[at + 2..].is_empty() || own[at + 2..].starts_with([' ', '\t']));
    match comment {
        Some(at) => format!("`{key}: {} {}`", quoted(own[..at].trim_end()), own[at..].trim()),
        None => in_quotes(key, own),
    }
}

/// The items of a `[…]` list whose quoted items are not all separated by commas
/// (`["学习" "党建"]`, which YAML and TOML both refuse), each item's text; `None` when the
/// list is not that.
pub(super) fn items_missing_commas(value: &str) -> Option<Vec<String>> {
    let inner = value.trim().strip_prefix('[')?.trim_end().strip_suffix(']')?;
    let mut items = Vec::new();
    let mut rest = inner.trim_start();
    let mut missing = false;
    while !rest.is_empty() {
        if rest.starts_with(['"', '\'']) {
            let end = quoted_end(rest)?;
            items.push(rest[1..end - 1].to_string());
            rest = rest[end..].trim_start();
            match rest.chars().next() {
                None => {}
                Some(',') => rest = rest[1..].trim_start(),
                Some('"' | '\'') => missing = true,
                Some(_) => return None,
            }
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            items.push(rest[..end].trim().to_string());
            rest = rest[end..].strip_prefix(',').unwrap_or_default().trim_start();
        }
    }
    missing.then_some(items)
}

/// Whether a `[…]` list that does not close has an item whose opening quote is never closed
/// (`["学习, 党建]`): the list's bracket is there, after the quote swallowed it.
fn item_quote_open(value: &str) -> bool {
    let Some(inner) = value.trim().strip_prefix('[') else {
        return false;
    };
    let mut rest = inner.trim_start();
    while let Some(first) = rest.chars().next() {
        if matches!(first, '"' | '\'') {
            match quoted_end(rest) {
                None => return true,
                Some(end) => rest = &rest[end..],
            }
        }
        match rest.find(',') {
            Some(comma) => rest = rest[comma + 1..].trim_start(),
            None => return false,
        }
    }
    false
}

/// A value YAML refused because it needs quotes, or quotes that are not closed: named at its
/// line. Only asked when YAML failed, so a value that is merely unusual is never blamed.
pub(super) fn unquoted(text: &str) -> Vec<Slip> {
    fields(text).into_iter().filter_map(|(line, key, whole, own)| {
        let first = own.chars().next()?;
        // Where the quote or list closes: on its own line if it does, else on the lines that
        // continue it; and the text after it there.
        let closed = |end_of: fn(&str) -> Option<usize>| {
            end_of(own)
                .map(|end| (end, own))
                .or_else(|| end_of(&whole).map(|end| (end, whole.as_str())))
        };
        let rest_after = |(end, text): (usize, &str)| {
            let rest = text[end..].trim();
            (!rest.is_empty() && !rest.starts_with('#')).then(|| rest.lines().next().unwrap_or(rest).to_string())
        };
        match first {
            '"' | '\'' => match closed(quoted_end) {
                None => Some(Slip::unclosed(
                    line,
                    text!(
                        "the quote {first} that opens `{key}`'s value is never closed",
                        "`{key}` 的值以引号 {first} 开头，但这个引号没有结束"
                    ),
                    if first == '"' && own.contains('\\') {
                        // In double quotes `\` starts an escape: `"D:\资料\"` never closes.
                        text!(
                            "end the value with a quote, in single quotes because of the `\\`: `{key}: '{}'`",
                            "请在值的末尾补上引号；因为值里有 `\\`，要改用单引号：`{key}: '{}'`",
                            own[1..].trim_end_matches('"')
                        )
                    } else {
                        text!(
                            "end the value with {first}: `{key}: {own}{first}`",
                            "请在值的末尾补上 {first}：`{key}: {own}{first}`"
                        )
                    },
                )),
                Some(end) if matches!(key, "tags" | "materials") && rest_after(end).is_some_and(|rest| rest.starts_with([',', '，', '、'])) => {
                    // `tags: "学习","党建"`: a list without its brackets.
                    let items: Vec<String> = own
                        .split([',', '，', '、'])
                        .map(|item| item.trim().trim_matches(['"', '\'']).trim())
                        .filter(|item| !item.is_empty())
                        .map(quoted)
                        .collect();
                    Some(Slip::new(
                        line,
                        text!(
                            "the items of `{key}` go between square brackets",
                            "`{key}` 的各项要放在方括号里"
                        ),
                        text!("write `{key}: [{}]`", "请写成 `{key}: [{}]`", items.join(", ")),
                    ))
                }
                Some(end) => rest_after(end).map(|rest| {
                    // `"学习"二十大"精神"` meant the text between the outer quotes.
                    let inner = own
                        .strip_prefix(first)
                        .and_then(|inner| inner.strip_suffix(first))
                        .unwrap_or(own);
                    Slip::new(
                        line,
                        text!(
                            "`{key}`'s value goes on after its closing quote: `{rest}`",
                            "`{key}` 的值在结束的引号后面还有内容：`{rest}`"
                        ),
                        text!(
                            "for quotes inside a value use Chinese quotes “ ”, or put the whole value in the other kind of quotes: {}",
                            "值里面要用引号时，请用中文引号“ ”，或者把整个值放进另一种引号里：{}",
                            in_quotes(key, inner)
                        ),
                    )
                }),
            },
            '[' | '{' => {
                let close = if first == '[' { ']' } else { '}' };
                if let Some(items) = items_missing_commas(own) {
                    let items: Vec<String> = items.iter().map(|item| quoted(item)).collect();
                    return Some(Slip::new(
                        line,
                        text!(
                            "the items of `{key}` need commas between them",
                            "`{key}` 的各项之间要用逗号隔开"
                        ),
                        text!("write `{key}: [{}]`", "请写成 `{key}: [{}]`", items.join(", ")),
                    ));
                }
                if first == '[' && item_quote_open(own) {
                    let items: Vec<String> = own
                        .trim_start_matches('[')
                        .trim_end_matches(']')
                        .split([',', '，'])
                        .map(|item| quoted(item.trim().trim_matches(['"', '\''])))
                        .collect();
                    return Some(Slip::unclosed(
                        line,
                        text!(
                            "an item of `{key}` opens a quote that is never closed",
                            "`{key}` 中有一项的引号没有结束"
                        ),
                        text!(
                            "close every quote: `{key}: [{}]`",
                            "请把每个引号都成对写全：`{key}: [{}]`",
                            items.join(", ")
                        ),
                    ));
                }
                match closed(list_end) {
                    None => Some(Slip::unclosed(
                        line,
                        text!(
                            "the list `{first}` that opens `{key}`'s value is never closed",
                            "`{key}` 的值以 `{first}` 开始一个列表，但这个列表没有结束"
                        ),
                        if matches!(key, "tags" | "materials") {
                            text!(
                                "end it with `{close}`, e.g. `{key}: [甲, 乙]`",
                                "请用 `{close}` 结束列表，例如 `{key}: [甲, 乙]`"
                            )
                        } else {
                            text!(
                                "end it with `{close}`, or, if it is not a list, put the value in quotes: {}",
                                "请用 `{close}` 结束列表；如果它不是列表，请把值放进引号里：{}",
                                in_quotes(key, own)
                            )
                        },
                    )),
                    Some(end) => rest_after(end).map(|rest| {
                        Slip::new(
                            line,
                            text!(
                                "`{key}`'s value goes on after `{close}`: `{rest}`",
                                "`{key}` 的值在 `{close}` 后面还有内容：`{rest}`"
                            ),
                            text!(
                                "a value that starts with `{first}` but is not a list goes in quotes: {}",
                                "以 `{first}` 开头但不是列表的值，要放进引号里：{}",
                                in_quotes(key, own)
                            ),
                        )
                    }),
                }
            }
            '@' | '`' | '*' | '&' | '!' | '%' => Some(Slip::new(
                line,
                text!(
                    "`{key}`'s value starts with `{first}`, which YAML keeps for itself",
                    "`{key}` 的值以 `{first}` 开头，这个符号在 YAML 里有特殊用途"
                ),
                text!(
                    "put the value in quotes: {}",
                    "请把值放进引号里：{}",
                    in_quotes_keeping_comment(key, own)
                ),
            )),
            _ => (own.contains(": ") || own.ends_with(':')).then(|| {
                Slip::new(
                    line,
                    text!(
                        "`{key}`'s value holds `: `, which YAML reads as the start of another field",
                        "`{key}` 的值里有 `: `，YAML 会把它当成另一个字段的开始"
                    ),
                    text!(
                        "put the value in quotes: {}",
                        "请把值放进引号里：{}",
                        in_quotes_keeping_comment(key, own)
                    ),
                )
            }),
        }
    })
    .collect()
}

/// Values YAML read only in part: a plain value with ` #` ends there (YAML reads the rest as a
/// comment), so `title: 第 #1 期` is the title `第`. A `#` followed by a space reads as a
/// comment the editor meant, and is left alone.
pub(super) fn cut_by_comment(text: &str) -> Vec<Slip> {
    fields(text)
        .into_iter()
        .filter_map(|(line, key, _, own)| {
            if let Some(after) = own.strip_prefix('#') {
                return whole_value_dropped(line, key, own, after);
            }
            if own.starts_with(['"', '\'', '[', '{', '|', '>']) {
                return None;
            }
            let (kept, cut) = own.split_once(" #").or_else(|| own.split_once("\t#"))?;
            // `笔记 # 说明` with a space after `#` is written as a comment; `简报 #3` is not.
            if cut.is_empty() || cut.starts_with([' ', '\t', '#']) {
                return None;
            }
            Some(Slip::new(
                line,
                text!(
                    "`{key}` is read as `{}`: YAML drops everything from ` #` on as a comment",
                    "`{key}` 被读成了 `{}`：YAML 把从 ` #` 开始的内容都当作注释丢掉了",
                    kept.trim()
                ),
                text!(
                    "put the value in quotes: {}",
                    "请把值放进引号里：{}",
                    in_quotes(key, own)
                ),
            ))
        })
        .collect()
}

/// A value that starts with `#` (`tags: #学习 #党建`, `title: #3号简报`), which YAML reads as a
/// comment, leaving the field empty. `# ` with a space after it is a comment the editor meant.
fn whole_value_dropped(line: usize, key: &str, own: &str, after: &str) -> Option<Slip> {
    if after.is_empty() || after.starts_with([' ', '\t', '#']) {
        return None;
    }
    let fix = if key == "tags" {
        let tags: Vec<&str> = own
            .split_whitespace()
            .map(|tag| tag.trim_start_matches('#'))
            .filter(|tag| !tag.is_empty())
            .collect();
        format!("`tags: [{}]`", tags.join(", "))
    } else {
        in_quotes(key, own)
    };
    Some(Slip::new(
        line,
        text!(
            "`{key}` is empty: YAML reads a value that starts with `#` as a comment",
            "`{key}` 是空的：YAML 把以 `#` 开头的值当作注释"
        ),
        text!("write {fix}", "请写成 {fix}"),
    ))
}

/// List items YAML read other than they look, in front matter `text` that parsed: a plain
/// item cut short by ` #` (`- 学习 #重点` is the tag `学习`), and an item indented deeper than
/// the one before it, which YAML reads as more of that item (`- 学习` then `   - 党建` is the
/// one tag `学习 - 党建`).
pub(super) fn list_item_slips(text: &str) -> Vec<Slip> {
    let mut out = Vec::new();
    let mut key = "";
    // The indentation of the last plain list item, and its text.
    let mut last_item: Option<(usize, &str)> = None;
    for (index, line) in text.lines().enumerate() {
        let number = index + 2;
        if !line.starts_with([' ', '\t', '-']) {
            if let Some((field, _)) = line.split_once(':') {
                key = field.trim();
            }
            last_item = None;
            continue;
        }
        let trimmed = line.trim_start();
        let Some(item) = trimmed.strip_prefix("- ").map(str::trim) else {
            if !trimmed.is_empty() {
                last_item = None;
            }
            continue;
        };
        let indent = line.len() - trimmed.len();
        if let Some((above, above_item)) = last_item {
            if indent > above {
                out.push(Slip::new(
                    number,
                    text!(
                        "`- {item}` is indented deeper than the item above it, so YAML reads both as the one item `{above_item} - {item}`",
                        "`- {item}` 比上面一项缩进得更深，YAML 会把这两项读成同一项 `{above_item} - {item}`"
                    ),
                    text!(
                        "start every `-` of `{key}` at the same column",
                        "请让 `{key}` 每一项的 `-` 都对齐在同一列"
                    ),
                ));
                last_item = None;
                continue;
            }
        }
        let plain = !item.starts_with(['"', '\'', '[', '{', '|', '>', '#'])
            && !item.contains(": ")
            && !item.ends_with(':');
        last_item = plain.then_some((indent, item));
        if !plain {
            continue;
        }
        let Some((kept, cut)) = item.split_once(" #").or_else(|| item.split_once("\t#")) else {
            continue;
        };
        if cut.is_empty() || cut.starts_with([' ', '\t', '#']) {
            continue;
        }
        out.push(Slip::new(
            number,
            text!(
                "an item of `{key}` is read as `{}`: YAML drops everything from ` #` on as a comment",
                "`{key}` 中有一项被读成了 `{}`：YAML 把从 ` #` 开始的内容都当作注释丢掉了",
                kept.trim()
            ),
            text!(
                "put the item in quotes: `- {}`",
                "请把这一项放进引号里：`- {}`",
                quoted(item)
            ),
        ));
    }
    out
}

/// A line YAML cannot place, named where it is: a line with no colon at all (`title 学习笔记`,
/// which YAML blames on the next line), or a `name: value` indented under a field that already
/// has its value (YAML's "mapping values are not allowed in this context").
pub(super) fn stray_line(text: &str) -> Vec<Slip> {
    let mut out = Vec::new();
    // Inside a `|` or `>` block: its indented lines are text, not fields.
    let mut in_block = false;
    // The last top-level field, while its value is a plain one on its own line.
    let mut plain_field: Option<&str> = None;
    // The first `- item` under the last field: its line and indentation.
    let mut first_item: Option<(usize, usize)> = None;
    for (index, line) in text.lines().enumerate() {
        let number = index + 2;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        if in_block && indented {
            continue;
        }
        in_block = false;
        // `-学习` under `tags:`, typed without the space YAML needs after the dash.
        if let Some(item) = trimmed
            .strip_prefix('-')
            .filter(|rest| !rest.is_empty() && !rest.starts_with([' ', '\t', '-']) && !rest.contains(": "))
        {
            out.push(Slip::new(
                number,
                text!(
                    "a list item needs a space after its `-`: YAML reads `{trimmed}` as text",
                    "列表的每一项在 `-` 后面要有一个空格：YAML 把 `{trimmed}` 当成了普通文字"
                ),
                text!("write `- {item}`", "请写成 `- {item}`"),
            ));
            continue;
        }
        if trimmed.starts_with("- ") || trimmed == "-" {
            let indent = line.len() - line.trim_start().len();
            match first_item {
                None => first_item = Some((number, indent)),
                Some((first_line, first_indent)) if indent != first_indent => {
                    let plural = if first_indent == 1 { "" } else { "s" };
                    out.push(Slip::new(
                        number,
                        text!(
                            "this `-` item is indented differently from the one on line {first_line}",
                            "这一项的 `-` 与第 {first_line} 行那一项的缩进不同"
                        ),
                        text!(
                            "line up the `-` of every item: {first_indent} space{plural} before each",
                            "请让每一项的 `-` 对齐：每个 `-` 前面都是 {first_indent} 个空格"
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        if !line.starts_with([' ', '\t']) {
            plain_field = None;
            if !trimmed.starts_with('-') {
                first_item = None;
            }
            if trimmed.starts_with('-') {
                continue;
            }
            match line.split_once(':') {
                Some((key, value)) if is_field_name(key.trim_end()) => {
                    let value = value.trim();
                    in_block = value.starts_with(['|', '>']);
                    if !value.is_empty() && !value.starts_with(['"', '\'', '[', '{', '|', '>', '&', '*', '!'])
                    {
                        plain_field = Some(key.trim_end());
                    }
                }
                Some(_) => {}
                None => {
                    // `date = 2024-03-01`, written as in TOML, or `title 学习笔记`.
                    let (first, rest) = trimmed
                        .split_once('=')
                        .map(|(key, value)| (key.trim(), value))
                        .or_else(|| trimmed.split_once(char::is_whitespace))
                        .unwrap_or((trimmed, ""));
                    let help = if is_field_name(first) && !rest.trim().is_empty() {
                        text!(
                            "put a colon and a space after the name: `{first}: {}`",
                            "请在字段名后面加上冒号和空格：`{first}: {}`",
                            rest.trim()
                        )
                    } else {
                        text!(
                            "write a name, a colon and a space, then the value, e.g. `title: 学习笔记`",
                            "请依次写字段名、冒号、空格，再写值，例如 `title: 学习笔记`"
                        )
                    };
                    out.push(Slip::new(
                        number,
                        text!(
                            "this line is not a field: `{trimmed}`",
                            "这一行不是字段：`{trimmed}`"
                        ),
                        help,
                    ));
                }
            }
        } else if let Some(field) = plain_field {
            if let Some((inner, _)) = trimmed.split_once(": ").filter(|(inner, _)| is_field_name(inner)) {
                out.push(Slip::new(
                    number,
                    text!(
                        "`{inner}` is indented, so YAML reads it as more of `{field}`'s value",
                        "`{inner}` 前面有缩进，YAML 会把它当成 `{field}` 的值的一部分"
                    ),
                    text!(
                        "start `{inner}:` at the beginning of its line",
                        "请把 `{inner}:` 移到行首顶格写"
                    ),
                ));
            }
        }
    }
    out
}

/// Of the slips found, the one YAML's error points at: on the error's line, or the line before
/// (YAML blames a line with no colon on the next one). A quote or list never closed is reported
/// at the end of the front matter, so it counts wherever it is, but only when nothing sits at
/// the error. `None` when no slip explains the error: YAML's own message is then better than a
/// guess about another line.
pub(super) fn at_error(slips: Vec<Slip>, error_line: Option<usize>) -> Option<Slip> {
    let Some(error_line) = error_line else {
        return slips.into_iter().next();
    };
    let distance = |slip: &Slip| error_line.checked_sub(slip.line).filter(|&d| d <= 1);
    let mut near: Vec<Slip> = Vec::new();
    let mut unclosed: Vec<Slip> = Vec::new();
    for slip in slips {
        if distance(&slip).is_some() {
            near.push(slip);
        } else if slip.unclosed {
            unclosed.push(slip);
        }
    }
    near.sort_by_key(|slip| distance(slip));
    near.into_iter().next().or_else(|| unclosed.into_iter().next())
}
