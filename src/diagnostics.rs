//! Problems an editor must act on: a file, a line, what is wrong and how to fix it.
//!
//! Content and configuration errors are collected, not thrown: a build reports every problem it
//! finds in one pass, numbered, so an editor fixes them all before the next try. I/O failures
//! that are not the editor's doing travel as `anyhow::Error` instead.

use std::fmt;
use std::path::Path;

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
    /// What is wrong, lowercase, no trailing period.
    pub message: String,
    /// How to fix it, when that is knowable.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(file: impl Into<String>, message: impl Into<String>) -> Self {
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

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
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
            write!(f, "\n   help: {help}")?;
        }
        Ok(())
    }
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
        let noun = if errors.len() == 1 { "error" } else { "errors" };
        writeln!(f, "found {} {noun}, nothing was written:", errors.len())?;
        for (number, diagnostic) in errors.iter().enumerate() {
            writeln!(f, "{:>3}. {diagnostic}", number + 1)?;
        }
        // A warning may be the cause (`meetting:` misspelt, then "no `meeting`"): show them too.
        for warning in self.diagnostics.iter().filter(|d| !d.is_error()) {
            writeln!(f, "warning: {warning}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ContentErrors {}

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

fn edit_distance(a: &str, b: &str) -> usize {
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
