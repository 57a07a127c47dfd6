//! Typing slips in front matter that YAML reports in its own jargon, or not at all (it reads
//! `date:2024-03-12` as text): named in words an editor knows, at their line, with the fix.
//! They are what Chinese input methods and Windows editors produce: look-alike dashes,
//! full-width colons and spaces, tabs.

use serde_json::Value;

use crate::diagnostics::Diagnostic;

/// A slip: the 1-based line in the file, what is wrong, how to fix it.
pub(super) struct Slip {
    pub line: usize,
    pub message: String,
    pub help: String,
}

impl Slip {
    /// The error of `file` it makes.
    pub fn diagnostic(self, file: &str) -> Diagnostic {
        Diagnostic::error(file, self.message)
            .at(self.line)
            .help(self.help)
    }

    fn new(line: usize, message: impl Into<String>, help: impl Into<String>) -> Slip {
        Slip {
            line,
            message: message.into(),
            help: help.into(),
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
fn is_field_name(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The slip in the YAML front matter `text` (which starts on line 2) that `parsed` misread,
/// if any.
pub(super) fn misread<E>(text: &str, parsed: &Result<Value, E>) -> Option<Slip> {
    let read_as_field = |key: &str| matches!(parsed, Ok(Value::Object(map)) if map.contains_key(key));
    let numbered = || text.lines().enumerate().map(|(index, line)| (index + 2, line));
    // `title：会议`: YAML reads text, not a field.
    let full_width_colon = numbered().find_map(|(line, text)| {
        let (key, _) = text.split_once('：')?;
        let key = key.trim();
        (!text.trim_start().starts_with(['#', '-']) && is_field_name(key) && !read_as_field(key)).then(|| {
            Slip::new(
                line,
                format!("`{key}` is followed by a full-width colon `：`"),
                format!("type a half-width colon and a space: `{key}: …`"),
            )
        })
    });
    // `　title: …`: YAML reads a key that starts with the full-width space.
    let full_width_indent = || {
        numbered()
            .find(|(_, text)| text.starts_with('\u{3000}'))
            .map(|(line, _)| {
                Slip::new(
                    line,
                    "this line starts with a full-width space",
                    "remove it: fields start at the left edge, e.g. `title: 页面标题`",
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
                    format!("`{key}:` is not followed by a space"),
                    format!("type a half-width space after the colon: `{key}: {value}`"),
                )
            })
        })
    };
    full_width_colon
        .or_else(full_width_indent)
        .or_else(colon_without_space)
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
            "this line is indented with a tab",
            "YAML indents with spaces: replace the tab with two spaces",
        ));
    }
    let (line, first) = numbered().find(|(_, text)| !text.trim().is_empty())?;
    first.starts_with(char::is_whitespace).then(|| {
        Slip::new(
            line,
            "the first field does not start at the beginning of its line",
            "remove the spaces before it: fields start at the left edge, e.g. `title: 页面标题`",
        )
    })
}
