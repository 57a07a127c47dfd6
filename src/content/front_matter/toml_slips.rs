//! TOML front matter slips (the demo's session records are TOML): where TOML stopped, what an
//! editor typed there (text without quotes, Chinese quotes, a YAML colon, a full-width `＝`,
//! a short date), and the line as it should be written.

use super::slips::{is_field_name, items_missing_commas, list_end, quoted_end, Slip};
use crate::diagnostics::Text;
use crate::text;

/// A TOML value as it should be written: text in double quotes (single quotes, TOML's literal
/// strings, when it holds a double quote or a backslash).
fn toml_text(value: &str) -> String {
    if value.contains(['"', '\\']) && !value.contains('\'') {
        format!("'{value}'")
    } else {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// The slip on line `line` (1-based within `text`, the TOML front matter, which starts on
/// line 2) where TOML stopped: the message and help an editor can act on, instead of TOML's
/// "string values must be quoted, expected literal string".
pub(super) fn toml_line(text: &str, line: usize, duplicate: bool) -> Option<Slip> {
    let own = text.lines().nth(line.checked_sub(1)?)?.trim();
    let number = line + 1;
    let slip = |message: Text, help: Text| Some(Slip::new(number, message, help));
    if own.contains('＝') && !own.contains('=') {
        let (key, value) = own.split_once('＝')?;
        let key = key.trim();
        return slip(
            text!(
                "`{key}` is followed by a full-width equals sign `＝`",
                "`{key}` 后面是全角等号 `＝`"
            ),
            text!(
                "type a half-width `=`: `{key} = {}`",
                "请改用半角的 `=`：`{key} = {}`",
                toml_value(value.trim())
            ),
        );
    }
    if !own.contains('=') {
        let (key, value) = own.split_once([':', '：'])?;
        let key = key.trim();
        if !is_field_name(key) {
            return None;
        }
        let value = toml_value(value.trim());
        return slip(
            text!(
                "`{key}` is followed by a colon: TOML front matter (between `+++` lines) writes `=`",
                "`{key}` 后面是冒号：TOML 文件头（两行 `+++` 之间）要用 `=`"
            ),
            text!(
                "write `{key} = {value}`, or start and end the front matter with `---` to write YAML",
                "请写成 `{key} = {value}`；或者把文件头的首尾两行改成 `---`，按 YAML 的写法写"
            ),
        );
    }
    let (key, value) = own.split_once('=')?;
    let (key, value) = (key.trim(), value.trim());
    if !is_field_name(key) {
        return None;
    }
    if duplicate {
        return slip(
            text!("`{key}` is written twice", "`{key}` 写了两次"),
            text!("remove one of the `{key}` lines", "请删掉其中一行 `{key}`"),
        );
    }
    let first = value.chars().next()?;
    match first {
        '“' | '”' | '‘' | '’' | '「' => {
            let inner = value.trim_matches(['“', '”', '‘', '’', '「', '」']);
            slip(
                text!(
                    "`{key}`'s value is in Chinese quotes “ ”",
                    "`{key}` 的值用了中文引号 “ ”"
                ),
                text!(
                    "TOML needs half-width quotes around text: `{key} = {}`",
                    "TOML 里的文字要用半角引号括起来：`{key} = {}`",
                    toml_text(inner)
                ),
            )
        }
        '"' | '\'' => match quoted_end(value) {
            None => slip(
                text!(
                    "the quote {first} that opens `{key}`'s value is never closed",
                    "`{key}` 的值以引号 {first} 开头，但没有配对的结束引号"
                ),
                text!(
                    "end the value with {first}: `{key} = {value}{first}`",
                    "请在值的末尾补上 {first}：`{key} = {value}{first}`"
                ),
            ),
            Some(end) => {
                let rest = value[end..].trim();
                (!rest.is_empty() && !rest.starts_with('#')).then_some(())?;
                let help = match value.strip_prefix(first).and_then(|v| v.strip_suffix(first)) {
                    // `"学习"笔记""`: quotes meant to be inside the value.
                    Some(inner) => text!(
                        "for quotes inside a value use Chinese quotes “ ”, or single quotes around it: `{key} = {}`",
                        "值里面要用引号时请用中文引号 “ ”，或者在整个值外面用单引号：`{key} = {}`",
                        toml_text(inner)
                    ),
                    None => text!(
                        "remove `{rest}`, or move it inside the quotes: `{key} = {}`",
                        "请删掉 `{rest}`，或者把它移到引号里面：`{key} = {}`",
                        toml_text(&format!("{} {rest}", &value[1..end - 1]))
                    ),
                };
                slip(
                    text!(
                        "`{key}`'s value goes on after its closing quote: `{rest}`",
                        "`{key}` 的值在结束引号后面还有内容：`{rest}`"
                    ),
                    help,
                )
            }
        },
        '[' => {
            if let Some(items) = items_missing_commas(value) {
                let items: Vec<String> = items.iter().map(|item| toml_text(item)).collect();
                return slip(
                    text!(
                        "the items of `{key}` need commas between them",
                        "`{key}` 的各项之间要用逗号隔开"
                    ),
                    text!("write `{key} = [{}]`", "请写成 `{key} = [{}]`", items.join(", ")),
                );
            }
            let items = value.trim_start_matches('[').trim_end_matches(']');
            let bare: Vec<&str> = items
                .split([',', '，', '、'])
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .collect();
            if list_end(value).is_none() && bare.iter().all(|item| item.starts_with(['"', '\''])) {
                return slip(
                    text!(
                        "the list `[` that opens `{key}`'s value is never closed",
                        "`{key}` 的值以列表的 `[` 开头，但没有配对的 `]`"
                    ),
                    text!(
                        "end it with `]`: `{key} = {value}]`",
                        "请在末尾补上 `]`：`{key} = {value}]`"
                    ),
                );
            }
            let quoted: Vec<String> = bare
                .iter()
                .map(|item| toml_text(item.trim_matches(['"', '\'', '“', '”'])))
                .collect();
            slip(
                text!("the items of `{key}` need quotes", "`{key}` 的各项要加引号"),
                text!("write `{key} = [{}]`", "请写成 `{key} = [{}]`", quoted.join(", ")),
            )
        }
        c if key == "date" && c.is_ascii_digit() => {
            let parts: Vec<&str> = value
                .trim_end_matches('日')
                .split(['-', '/', '.', '年', '月'])
                .collect();
            let written = match parts.as_slice() {
                [year, month, day]
                    if year.len() == 4 && [month, day].iter().all(|p| (1..=2).contains(&p.len())) =>
                {
                    Some(format!("{year}-{month:0>2}-{day:0>2}"))
                        .filter(|date| super::Date::parse(date).is_some())
                }
                _ => None,
            };
            let Some(written) = written else {
                return slip(
                    text!(
                        "`date` is `{value}`, not a date written YYYY-MM-DD",
                        "`date` 是 `{value}`，不是“年-月-日”（YYYY-MM-DD）格式的日期"
                    ),
                    text!(
                        "write a day that exists as YYYY-MM-DD, without quotes, e.g. `date = 2024-03-12`",
                        "请按 YYYY-MM-DD 写一个确实存在的日期，不加引号，例如 `date = 2024-03-12`"
                    ),
                );
            };
            slip(
                text!(
                    "`date` is `{value}`, not a date written YYYY-MM-DD",
                    "`date` 是 `{value}`，不是“年-月-日”（YYYY-MM-DD）格式的日期"
                ),
                text!("write `date = {written}`", "请写成 `date = {written}`"),
            )
        }
        _ if key == "attendees" && value.bytes().all(|b| b.is_ascii_digit()) => slip(
            text!(
                "`{key}` is `{value}`, too large a number",
                "`{key}` 的数字太大（现在是 `{value}`）"
            ),
            text!(
                "write how many people attended, e.g. `attendees = 13`",
                "请写参会人数，例如 `attendees = 13`"
            ),
        ),
        _ if key == "weight" && value.bytes().all(|b| b.is_ascii_digit()) => slip(
            text!(
                "`{key}` is `{value}`, too large a number",
                "`{key}` 的数字太大（现在是 `{value}`）"
            ),
            text!(
                "a smaller whole number orders as well, e.g. `weight = 10`",
                "排序用较小的整数就可以，例如 `weight = 10`"
            ),
        ),
        _ if matches!(key, "attendees" | "weight") => slip(
            text!(
                "`{key}` must be a whole number, not `{value}`",
                "`{key}` 要写整数，不能是 `{value}`"
            ),
            text!(
                "write it in digits, e.g. `{key} = 12`",
                "请用阿拉伯数字写，例如 `{key} = 12`"
            ),
        ),
        _ => {
            let is_literal = value.parse::<f64>().is_ok() || matches!(value, "true" | "false");
            (!is_literal).then_some(())?;
            slip(
                text!(
                    "`{key}`'s value `{value}` is text without quotes",
                    "`{key}` 的值 `{value}` 是文字，但没有加引号"
                ),
                text!(
                    "TOML needs quotes around text: `{key} = {}`",
                    "TOML 里的文字要加引号：`{key} = {}`",
                    toml_text(value)
                ),
            )
        }
    }
}

/// A value copied from YAML as TOML writes it: booleans, numbers, dates, lists and quoted text
/// as they are; anything else is text and gets quotes.
fn toml_value(value: &str) -> String {
    let is_literal = matches!(value, "true" | "false")
        || value.parse::<f64>().is_ok()
        || super::Date::parse(value).is_some()
        || value.starts_with(['[', '"', '\''])
        || value.is_empty();
    if is_literal {
        value.to_string()
    } else {
        toml_text(value.trim_matches(['“', '”']))
    }
}
