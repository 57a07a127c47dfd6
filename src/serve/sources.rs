//! The paths a site's build reads, and what a watcher event on them means for `serve`: which
//! kind of rebuild (content, template, stylesheet, asset, everything), or nothing (the output
//! folder, editor litter, mere reads, a folder whose entries changed).

use std::path::{Path, PathBuf};

use notify::event::ModifyKind;
use notify::{EventKind, RecursiveMode};

use crate::config::Config;
use crate::content::discover::is_editor_litter;

/// What kind of source changed; decides what the browser is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// A page, section or attachment under content/.
    Content,
    /// A template of the theme.
    Template,
    /// A stylesheet of the theme: the browser can swap it without reloading.
    Style,
    /// Another theme asset (script, image).
    Asset,
    /// book.toml or the search dictionary: everything is rebuilt.
    Config,
}

/// The paths a site's build reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sources {
    pub content_dir: PathBuf,
    pub theme_dir: PathBuf,
    pub config_file: PathBuf,
    pub dictionary: Option<PathBuf>,
}

impl Sources {
    pub fn of(config: &Config) -> Sources {
        Sources {
            content_dir: config.content_dir.clone(),
            theme_dir: config.theme_dir.clone(),
            config_file: config.root.join(crate::config::CONFIG_FILE),
            dictionary: config.dictionary.clone(),
        }
    }

    /// What a change to `path` means, or `None` when the build does not read it.
    pub fn classify(&self, path: &Path) -> Option<ChangeKind> {
        let name = path.file_name()?.to_string_lossy();
        if path == self.config_file || self.dictionary.as_deref() == Some(path) {
            return Some(ChangeKind::Config);
        }
        if is_editor_litter(&name) {
            return None;
        }
        if path.starts_with(&self.content_dir) {
            let hidden = path
                .strip_prefix(&self.content_dir)
                .ok()?
                .components()
                .any(|c| is_editor_litter(&c.as_os_str().to_string_lossy()));
            return (!hidden).then_some(ChangeKind::Content);
        }
        if path.starts_with(self.theme_dir.join("templates")) {
            return Some(ChangeKind::Template);
        }
        if path.starts_with(self.theme_dir.join("static")) {
            let css = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("css"));
            return Some(if css { ChangeKind::Style } else { ChangeKind::Asset });
        }
        // `themes/` or the theme's folder itself, created, deleted or replaced: a deleted
        // folder is reported once, not file by file.
        if self.theme_dir.starts_with(path)
            && self
                .theme_dir
                .parent()
                .is_some_and(|themes| path.starts_with(themes))
        {
            return Some(ChangeKind::Template);
        }
        None
    }

    /// Folders to watch: the content and theme folders recursively, the folders of book.toml
    /// and the dictionary alone (watching the whole root would also watch `target/` and the
    /// output folder).
    pub(super) fn watch_list(&self) -> Vec<(PathBuf, RecursiveMode)> {
        let mut list = vec![(self.content_dir.clone(), RecursiveMode::Recursive)];
        if let Some(themes) = self.theme_dir.parent() {
            list.push((themes.to_path_buf(), RecursiveMode::Recursive));
        }
        for file in std::iter::once(&self.config_file).chain(self.dictionary.as_ref()) {
            if let Some(parent) = file.parent() {
                if !list.iter().any(|(p, _)| p == parent) {
                    list.push((parent.to_path_buf(), RecursiveMode::NonRecursive));
                }
            }
        }
        list
    }
}

/// Whether `event` may change what a build reads: a lost-events notice, or a change (not a
/// read) of a source file, or of a watched source folder that came or went.
pub(super) fn matters(sources: &Sources, event: &notify::Event) -> bool {
    if event.need_rescan() {
        return true;
    }
    if matches!(event.kind, EventKind::Access(_) | EventKind::Other) {
        return false;
    }
    event.paths.iter().any(|path| {
        let source_folder = sources
            .watch_list()
            .iter()
            .any(|(root, mode)| *mode == RecursiveMode::Recursive && root.starts_with(path));
        source_folder || (sources.classify(path).is_some() && !lists_entries_only(&event.kind, path))
    })
}

/// Whether an event reports only that a folder's entries changed: Windows reports the folder
/// of every file created, renamed or deleted in it, and of an editor's temporary file beside
/// the page it saves. The entries' own events say what changed; taken for a change of the
/// folder, it made every save a full build.
pub(super) fn lists_entries_only(kind: &EventKind, path: &Path) -> bool {
    matches!(
        kind,
        EventKind::Modify(ModifyKind::Any | ModifyKind::Data(_) | ModifyKind::Metadata(_))
    ) && path.is_dir()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_files_the_build_does_not_read_are_no_changes() {
        let root = std::env::temp_dir().join(format!("studybook-matters-{}", std::process::id()));
        let sources = Sources {
            content_dir: root.join("content"),
            theme_dir: root.join("themes/default"),
            config_file: root.join("book.toml"),
            dictionary: None,
        };
        let event = |kind: EventKind, path: PathBuf| notify::Event::new(kind).add_path(path);
        let page = root.join("content/notes/a.md");
        let opened = EventKind::Access(notify::event::AccessKind::Open(notify::event::AccessMode::Any));
        let written = EventKind::Modify(ModifyKind::Data(notify::event::DataChange::Any));
        assert!(!matters(&sources, &event(opened, page.clone())));
        assert!(matters(&sources, &event(written, page.clone())));
        assert!(matters(&sources, &event(written, root.join("book.toml"))));
        // The output folder, and an editor's swap file.
        assert!(!matters(
            &sources,
            &event(written, root.join("public/index.html"))
        ));
        assert!(!matters(
            &sources,
            &event(written, root.join("content/notes/.a.md.swp"))
        ));
        // The content folder itself, replaced; and a lost-events notice.
        let removed = EventKind::Remove(notify::event::RemoveKind::Folder);
        assert!(matters(&sources, &event(removed, root.join("content"))));
        let lost = notify::Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan);
        assert!(matters(&sources, &lost));
    }

    #[test]
    fn a_folder_whose_entries_changed_is_no_change_of_its_own() {
        let dir = std::env::temp_dir().join(format!("studybook-watch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("page.md");
        std::fs::write(&file, "x").unwrap();
        let modified = EventKind::Modify(ModifyKind::Any);
        assert!(lists_entries_only(&modified, &dir));
        assert!(!lists_entries_only(&modified, &file));
        // A folder that came, went or was renamed is a change.
        let created = EventKind::Create(notify::event::CreateKind::Folder);
        assert!(!lists_entries_only(&created, &dir));
        let renamed = EventKind::Modify(ModifyKind::Name(notify::event::RenameMode::To));
        assert!(!lists_entries_only(&renamed, &dir));
        std::fs::remove_dir_all(&dir).unwrap();
        // A folder no longer there says nothing about its entries.
        assert!(!lists_entries_only(&modified, &dir));
    }
}
