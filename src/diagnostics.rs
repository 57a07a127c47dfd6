//! Problems an editor must act on: a file, a line, what is wrong and how to fix it.
//!
//! Content and configuration errors are collected, not thrown: a build reports every problem it
//! finds in one pass, numbered, so an editor fixes them all before the next try. I/O failures
//! that are not the editor's doing travel as `anyhow::Error` instead.

use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

use crate::i18n::Language;

/// A message in each language studybook speaks to editors; shown in [`message_language`].
///
/// Made with [`text!`](crate::text), which takes the English and the Chinese format strings
/// (and arguments both share), so no message can be added in one language only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// English, then Chinese; boxed, so a diagnostic stays small enough to travel in `Err`.
    words: Box<(String, String)>,
}

impl Text {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Text {
        Text {
            words: Box::new((en.into(), zh.into())),
        }
    }

    pub fn en(&self) -> &str {
        &self.words.0
    }

    pub fn zh(&self) -> &str {
        &self.words.1
    }

    /// The text in `language`.
    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::ZhCn => self.zh(),
            Language::En => self.en(),
        }
    }

    /// The same words with `more` after them, in each language.
    pub fn append(mut self, more: &Text) -> Text {
        self.words.0.push_str(more.en());
        self.words.1.push_str(more.zh());
        self
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get(message_language()))
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.get(message_language()))
    }
}

/// Unit tests compare a message with its English words.
impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.en() == *other
    }
}

/// A [`Text`] from an English and a Chinese format string, with the arguments both use:
/// `text!("unknown field `{key}`", "未知字段 `{key}`")`.
#[macro_export]
macro_rules! text {
    ($en:literal, $zh:literal $(,)?) => {
        $crate::diagnostics::Text::new(format!($en), format!($zh))
    };
    ($en:literal, $zh:literal, $($argument:tt)+) => {
        $crate::diagnostics::Text::new(format!($en, $($argument)+), format!($zh, $($argument)+))
    };
}

/// The language of messages on the terminal and in `serve`'s error page: `STUDYBOOK_LANG`
/// when set (`zh-CN`, `en`), else the system's language (Chinese for any `zh` locale: the
/// Windows display language, or `LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG` elsewhere), else
/// English.
/// Editors read them, and they need not be the site's readers' language.
pub fn message_language() -> Language {
    static LANGUAGE: OnceLock<Language> = OnceLock::new();
    *LANGUAGE.get_or_init(|| {
        let chosen = std::env::var("STUDYBOOK_LANG")
            .ok()
            .filter(|tag| !tag.trim().is_empty());
        language_of_locale(chosen.or_else(sys_locale::get_locale).as_deref())
    })
}

/// The message language for a locale name such as `zh_CN.UTF-8`, `zh-Hans-CN`, `en-US` or `C`.
pub fn language_of_locale(locale: Option<&str>) -> Language {
    let tag = locale.unwrap_or("").trim().to_ascii_lowercase();
    if tag == "zh" || tag.starts_with("zh-") || tag.starts_with("zh_") {
        Language::ZhCn
    } else {
        Language::En
    }
}

/// How serious a diagnostic is: errors fail the build, warnings are printed and the build goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in one file, with the position the editor should look at.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file, relative to the site root, always with `/` separators.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when known.
    pub column: Option<usize>,
    /// What is wrong (in English: lowercase, no trailing period).
    pub message: Text,
    /// How to fix it, when that is knowable.
    pub help: Option<Text>,
}

impl Diagnostic {
    pub fn error(file: impl Into<String>, message: Text) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            line: None,
            column: None,
            message,
            help: None,
        }
    }

    pub fn warning(file: impl Into<String>, message: Text) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, message)
        }
    }

    pub fn at(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    pub fn at_column(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    pub fn help(mut self, help: Text) -> Self {
        self.help = Some(help);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column`, as far as it is known.
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{}:{line}:{column}", self.file),
            (Some(line), None) => format!("{}:{line}", self.file),
            _ => self.file.clone(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)?;
        if let Some(help) = &self.help {
            let label = match message_language() {
                Language::ZhCn => "提示：",
                Language::En => "help: ",
            };
            write!(f, "\n   {label}{help}")?;
        }
        Ok(())
    }
}

/// Set by commands that never write (`check`, `stats`, `search`): their error list does not say that
/// nothing was written, which only means something after a build.
static WRITES_NOTHING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Marks this run as one that writes nothing (see [`ContentErrors`]'s header).
pub fn writes_nothing() {
    WRITES_NOTHING.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// The error a build returns when the content or configuration has problems.
#[derive(Debug, Clone)]
pub struct ContentErrors {
    /// Errors first, then warnings, each group in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl ContentErrors {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }
}

impl fmt::Display for ContentErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors: Vec<&Diagnostic> = self.errors().collect();
        let count = errors.len();
        let noun = if count == 1 { "error" } else { "errors" };
        let header = if WRITES_NOTHING.load(std::sync::atomic::Ordering::Relaxed) {
            text!("found {count} {noun}:", "发现 {count} 处错误：")
        } else {
            text!(
                "found {count} {noun}, nothing was written:",
                "发现 {count} 处错误，本次没有写出任何文件："
            )
        };
        writeln!(f, "{header}")?;
        for (number, diagnostic) in errors.iter().enumerate() {
            writeln!(f, "{:>3}. {diagnostic}", number + 1)?;
        }
        // A warning may be the cause (`meetting:` misspelt, then "no `meeting`"): show them too.
        for warning in self.diagnostics.iter().filter(|d| !d.is_error()) {
            writeln!(f, "{}{warning}", warning_label())?;
        }
        Ok(())
    }
}

impl std::error::Error for ContentErrors {}

/// `warning: ` before a warning, in the message language.
pub fn warning_label() -> &'static str {
    match message_language() {
        Language::ZhCn => "警告：",
        Language::En => "warning: ",
    }
}

/// `error: ` before an error, in the message language.
pub fn error_label() -> &'static str {
    match message_language() {
        Language::ZhCn => "错误：",
        Language::En => "error: ",
    }
}

/// Collects diagnostics across the stages of one build.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(diagnostics);
    }

    /// Takes over every diagnostic of `other`, warnings included.
    pub fn merge(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| !d.is_error())
    }

    /// Fails with every error found so far, or hands back the warnings.
    pub fn into_result(mut self) -> Result<Vec<Diagnostic>, ContentErrors> {
        self.items.sort_by(|a, b| {
            (a.severity, &a.file, a.line, a.column).cmp(&(b.severity, &b.file, b.line, b.column))
        });
        self.items.dedup();
        if self.has_errors() {
            Err(ContentErrors {
                diagnostics: self.items,
            })
        } else {
            Ok(self.items)
        }
    }
}

/// Shows a path relative to `base` with `/` separators, the way diagnostics name files on
/// every platform.
pub fn display_path(path: &Path, base: &Path) -> String {
    let relative = path.strip_prefix(base).unwrap_or(path);
    let mut out = String::new();
    for component in relative.components() {
        match component {
            std::path::Component::Prefix(prefix) => out.push_str(&prefix.as_os_str().to_string_lossy()),
            std::path::Component::RootDir => out.push('/'),
            other => {
                if !out.is_empty() && !out.ends_with('/') {
                    out.push('/');
                }
                out.push_str(&other.as_os_str().to_string_lossy());
            }
        }
    }
    out
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// The closest of `candidates` to `word`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .iter()
        .map(|candidate| (edit_distance(&word, candidate), *candidate))
        .filter(|(distance, candidate)| {
            *distance <= 2.max(candidate.chars().count() / 3) && *distance < candidate.len()
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// The number of characters to insert, delete or replace to turn `a` into `b`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {

    #[test]
    fn chinese_locales_choose_chinese_messages_and_every_other_english() {
        for locale in [
            "zh",
            "ZH",
            "zh-CN",
            "zh_CN.UTF-8",
            "zh-Hans-CN",
            "zh-TW",
            "zh-Hant-HK",
        ] {
            assert_eq!(language_of_locale(Some(locale)), Language::ZhCn, "{locale}");
        }
        for locale in ["en", "en-US", "C", "POSIX", "fr-FR", "zhx", ""] {
            assert_eq!(language_of_locale(Some(locale)), Language::En, "{locale}");
        }
        assert_eq!(language_of_locale(None), Language::En);
    }

    #[test]
    fn a_text_holds_both_languages_and_compares_by_its_english() {
        let key = "output-dri";
        let text = text!("unknown key `{key}`", "未知设置项 `{key}`");
        assert_eq!(text.get(Language::En), "unknown key `output-dri`");
        assert_eq!(text.get(Language::ZhCn), "未知设置项 `output-dri`");
        assert_eq!(text, "unknown key `output-dri`");
        let shared = text!("{} of {}", "{1} 中的 {0}", 2, 5);
        assert_eq!((shared.en(), shared.zh()), ("2 of 5", "5 中的 2"));
        let joined = text!("a", "甲").append(&text!("b", "乙"));
        assert_eq!((joined.en(), joined.zh()), ("ab", "甲乙"));
    }

    #[test]
    fn display_paths_use_one_slash_between_parts() {
        assert_eq!(
            display_path(Path::new("/site/content/a/b.md"), Path::new("/site")),
            "content/a/b.md"
        );
        assert_eq!(
            display_path(Path::new("/tmp/elsewhere"), Path::new("/site")),
            "/tmp/elsewhere"
        );
        assert_eq!(display_path(Path::new("/site"), Path::new("/site")), "");
    }
    use super::*;

    #[test]
    fn suggests_close_field_names_only() {
        let fields = ["title", "date", "tags", "meeting"];
        assert_eq!(did_you_mean("tittle", &fields), Some("title"));
        assert_eq!(did_you_mean("meetin", &fields), Some("meeting"));
        assert_eq!(did_you_mean("colour", &fields), None);
    }

    #[test]
    fn line_column_counts_characters() {
        let text = "第一行\n第二行abc";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, "第一行\n第二".len()), (2, 3));
    }
}
