//! The site as data: pages, sections and attachments, with their URLs decided.
//!
//! Indices into `Site::pages` and `Site::sections` are the links between them; nothing here
//! holds references, so later stages can share the site across threads freely.

use std::collections::HashMap;
use std::path::PathBuf;

use super::front_matter::{FrontMatter, Kind};

/// A Markdown page that becomes one HTML file.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path relative to `content/`, with `/` separators: `notes/2024/a.md`.
    pub source: String,
    /// Path relative to the site root, for diagnostics: `content/notes/2024/a.md`.
    pub file: String,
    /// Output path relative to the output root, with `/` separators: `notes/2024/a.html`.
    pub url: String,
    /// The section (folder) the page lives in.
    pub section: usize,
    /// The front matter's kind, or the section's default.
    pub kind: Kind,
    pub front: FrontMatter,
    pub body: String,
    /// The file line on which `body` starts, to report Markdown positions as file lines.
    pub body_line: usize,
}

impl Page {
    pub fn is_session(&self) -> bool {
        self.kind == Kind::Session
    }
}

/// A folder under `content/`, described by its `_index.md` when it has one.
#[derive(Debug, Clone)]
pub struct Section {
    /// Folder relative to `content/`: `""` for the root, `notes/2024` for a nested one.
    pub dir: String,
    /// The `_index.md` (relative to the site root), when the folder has one.
    pub file: Option<String>,
    /// `index.html` or `notes/2024/index.html`.
    pub url: String,
    pub front: FrontMatter,
    /// The kind its pages get when they do not say.
    pub default_kind: Kind,
    pub body: String,
    pub body_line: usize,
    pub parent: Option<usize>,
    /// Child sections, ordered by weight, then title.
    pub children: Vec<usize>,
    /// Its own pages, ordered by weight, then newest first, then title.
    pub pages: Vec<usize>,
    /// A folder with no pages, no `_index.md` and no such subfolder: it gets no page.
    pub hidden: bool,
}

impl Section {
    pub fn title(&self) -> &str {
        &self.front.title
    }

    /// Its `_index.md` (or `index.md`) relative to `content/`, with `/` separators, when it
    /// has one: `party-building/_index.md`, `_index.md` for the root.
    pub fn source(&self) -> Option<String> {
        let file = self.file.as_deref()?;
        let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
        Some(if self.dir.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", self.dir)
        })
    }

    pub fn description(&self) -> Option<&str> {
        self.front
            .description
            .as_deref()
            .or(self.front.summary.as_deref())
    }
}

/// A page whose front matter has errors: what is known of it, to check its text.
#[derive(Debug, Clone)]
pub struct UnparsedPage {
    /// Path relative to `content/`, with `/` separators.
    pub source: String,
    /// Path relative to the site root, for diagnostics.
    pub file: String,
    pub body: String,
    pub body_line: usize,
    /// Its `materials`, when the front matter parses (see
    /// [`super::front_matter::materials_despite_errors`]).
    pub materials: Vec<super::front_matter::MaterialRef>,
}

/// Any other file under `content/`: copied to the output at the same relative path.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// Path relative to `content/`, with `/` separators; also its output path.
    pub source: String,
    pub path: PathBuf,
}

/// Everything the content folder holds, after drafts are left out.
#[derive(Debug, Clone, Default)]
pub struct Site {
    pub pages: Vec<Page>,
    /// `sections[0]` is the root section (the home page).
    pub sections: Vec<Section>,
    pub attachments: Vec<Attachment>,
    /// Drafts that were left out, by source path, so links to them get a precise message.
    pub drafts: Vec<String>,
    /// The titles of those drafts, for wikilinks by title.
    pub draft_titles: Vec<String>,
    /// Pages whose own file has errors (already reported), so links to them are not reported
    /// again as broken.
    pub unreadable: Vec<String>,
    /// The titles those seem to give (see `front_matter::guessed_title`), for wikilinks.
    pub unreadable_titles: Vec<String>,
    /// The text of those whose front matter has errors but ends: checked anyway, so that one
    /// build names all of a file's problems, not only its header's.
    pub unparsed: Vec<UnparsedPage>,
    /// Page index by source path.
    pub page_by_source: HashMap<String, usize>,
    /// Section index by folder.
    pub section_by_dir: HashMap<String, usize>,
}

impl Site {
    /// Every tag with the pages that carry it, tags in name order, pages newest first.
    pub fn tags(&self) -> Vec<(String, Vec<usize>)> {
        let mut by_tag: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
        for (index, page) in self.pages.iter().enumerate() {
            for tag in &page.front.tags {
                let pages = by_tag.entry(tag.as_str()).or_default();
                if !pages.contains(&index) {
                    pages.push(index);
                }
            }
        }
        by_tag
            .into_iter()
            .map(|(tag, mut pages)| {
                pages.sort_by(|&a, &b| self.newest_first(a, b));
                (tag.to_string(), pages)
            })
            .collect()
    }

    /// Orders pages newest first, then by title.
    pub fn newest_first(&self, a: usize, b: usize) -> std::cmp::Ordering {
        let (a, b) = (&self.pages[a], &self.pages[b]);
        b.front
            .date
            .cmp(&a.front.date)
            .then_with(|| a.front.title.cmp(&b.front.title))
    }

    /// The chain of sections from the root down to `section`.
    pub fn ancestors(&self, section: usize) -> Vec<usize> {
        let mut chain = vec![section];
        let mut current = section;
        while let Some(parent) = self.sections[current].parent {
            chain.push(parent);
            current = parent;
        }
        chain.reverse();
        chain
    }

    pub fn session_count(&self) -> usize {
        self.pages.iter().filter(|p| p.is_session()).count()
    }
}
/// `name` with the characters file systems refuse (on Windows too) replaced by `_`, and made
/// a name Windows can create: a trailing dot or space (which Windows drops) becomes `_`, and a
/// device name (`CON`, `aux`, `COM1`…, with any extension) gets a `_` after it.
pub fn safe_file_name(name: &str) -> String {
    let mut safe: String = name
        .chars()
        .map(|c| {
            if "/\\:*?\"<>|".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if safe.ends_with(['.', ' ']) {
        safe.pop();
        safe.push('_');
    }
    let stem = safe
        .split('.')
        .next()
        .unwrap_or("")
        .trim_end()
        .to_ascii_uppercase();
    let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit()
            && stem.as_bytes()[3] != b'0');
    if device {
        safe.insert(stem.len().min(safe.len()), '_');
    }
    safe
}

#[cfg(test)]
mod tests {
    use super::safe_file_name;

    #[test]
    fn file_names_are_ones_windows_can_create() {
        for (name, safe) in [
            ("安全/生产", "安全_生产"),
            ("a:b*c?", "a_b_c_"),
            ("党建.", "党建_"),
            ("党建 ", "党建_"),
            ("CON", "CON_"),
            ("con", "con_"),
            ("Aux.html", "Aux_.html"),
            ("com1", "com1_"),
            ("LPT9", "LPT9_"),
            ("COM0", "COM0"),
            ("CONSOLE", "CONSOLE"),
            ("COM12", "COM12"),
            ("学习", "学习"),
        ] {
            assert_eq!(safe_file_name(name), safe, "{name}");
        }
    }
}
