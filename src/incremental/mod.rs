//! Rebuilds for `studybook serve`: the last good build stays in memory, and an edit to some
//! pages redoes only what shows them.
//!
//! An edit of existing pages re-reads those files alone, compiles them (and the pages whose
//! wikilinks name a changed title), re-renders the outputs that show them (their neighbours,
//! the pages they link to, related pages, their section, tag and ledger pages, the home page),
//! replaces their search documents and commits. Everything else (a page added, removed or
//! renamed, a section file, an attachment, book.toml, the dictionary) is a full build: rare,
//! and always right. A theme change renders every output without re-reading Markdown.
//!
//! Invariants: the workspace only ever holds a state that built without errors; a failed
//! rebuild changes nothing (its files are read again next time); files in the live output are
//! replaced by rename, so a reader sees the old or the new file, never half of one. The static
//! search pack, whose export takes seconds on a large site, is brought up to date by
//! [`Workspace::settle`] once the edits pause; a full build after the first writes only the
//! verbatim file the server's search needs and leaves its pack to settling too, keeping the
//! previous one in the new output meanwhile.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tantivy::{Index, IndexWriter};

use crate::diagnostics::{ContentErrors, Diagnostic, Diagnostics};
use crate::render::{self, Selection, Sink, Theme};
use crate::search::schema::Fields;
use crate::{output, prepare_keeping, search, BuildError, BuildOptions, BuildReport, Loaded, PackExport};

mod edit;
use edit::{apply, read_edits, undo};

/// Runs the writes of a rebuild while no request reads the output folder.
pub trait OutputLock: Send + Sync + 'static {
    fn exclusive<T>(&self, write: impl FnOnce() -> T) -> T;

    /// Runs `swap`, which replaces the whole output folder, as [`OutputLock::exclusive`] does,
    /// with no file of the folder held open: Windows refuses to rename a folder that holds an
    /// open file, and a server maps its search index from it.
    fn replacing_output<T>(&self, swap: impl FnOnce() -> T) -> T {
        self.exclusive(swap)
    }

    /// The live index was merged in the background: whoever searches it opens it again (its
    /// replaced documents are gone, and with them their weight in BM25's statistics).
    fn index_merged(&self) {}
}

/// For writes before anything is served (the first build of `serve`).
pub struct NotServing;

impl OutputLock for NotServing {
    fn exclusive<T>(&self, write: impl FnOnce() -> T) -> T {
        write()
    }
}

/// What changed on disk since the last rebuild.
#[derive(Debug, Clone, Default)]
pub struct Change {
    /// Changed paths under the content folder.
    pub content: BTreeSet<PathBuf>,
    /// A template, stylesheet or other theme file changed.
    pub theme: bool,
    /// book.toml or the dictionary changed: everything is rebuilt.
    pub config: bool,
}

impl Change {
    /// Everything, as for the first build.
    pub fn everything() -> Change {
        Change {
            config: true,
            ..Change::default()
        }
    }
}

/// How a rebuild went about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everything read, rendered and indexed again.
    Full,
    /// Only the outputs that show the edited pages.
    Pages,
    /// Every output rendered again with the new theme; Markdown not re-read.
    Theme,
}

/// What a successful rebuild did.
#[derive(Debug, Clone)]
pub struct Rebuilt {
    pub scope: Scope,
    /// Pages in the site.
    pub pages: usize,
    /// Output files written (and removed).
    pub written: usize,
    pub removed: usize,
    pub warnings: Vec<Diagnostic>,
    pub asset_urls: BTreeMap<String, String>,
    pub elapsed: Duration,
    /// A full build's report.
    pub report: Option<BuildReport>,
}

/// The last good build, kept for the next rebuild.
pub struct Workspace {
    options: BuildOptions,
    last_good: Option<Loaded>,
    /// The last full build failed: the next rebuild is a full one too (a broken book.toml
    /// must not be forgotten by the edit after it). Meanwhile `last_good` still describes the
    /// live output, so the static pack can catch up with the edits before the failure.
    full_due: bool,
    live_index: Option<LiveIndex>,
    /// Content paths of failed rebuilds: the workspace still holds the state before them, so
    /// the next rebuild must read them again.
    carried: BTreeSet<PathBuf>,
    theme_carried: bool,
    /// The static pack lags behind the index.
    pack_stale: bool,
    /// Bumped whenever the index changes, so a pack exported from an older index is dropped.
    index_generation: Arc<AtomicU64>,
    /// The background export; it answers whether the pack is now up to date (or superseded).
    pack_job: Option<std::thread::JoinHandle<bool>>,
    /// Background exports that failed in a row (a merge refused, a full disk), for the wait
    /// before the next try.
    export_failures: u32,
    /// The marker of the output the last full build swapped in: another (`studybook build`
    /// beside `serve`) replaces it, and the edits' index with it.
    output_marker: Option<std::time::SystemTime>,
}

struct LiveIndex {
    index: Index,
    writer: IndexWriter,
    fields: Fields,
}

impl LiveIndex {
    /// The writer on the index of `loaded`'s output in `slot`, opened at its first use.
    fn open<'a>(slot: &'a mut Option<LiveIndex>, loaded: &Loaded) -> anyhow::Result<&'a mut LiveIndex> {
        if slot.is_none() {
            let dir = loaded.output_dir.join(search::INDEX_DIR);
            let (index, writer, fields) = search::index::open_writer(&dir, &loaded.analyzer)?;
            *slot = Some(LiveIndex {
                index,
                writer,
                fields,
            });
        }
        Ok(slot.as_mut().expect("opened above"))
    }
}

impl Workspace {
    pub fn new(options: BuildOptions) -> Workspace {
        Workspace {
            options,
            last_good: None,
            full_due: false,
            output_marker: None,
            live_index: None,
            carried: BTreeSet::new(),
            theme_carried: false,
            pack_stale: false,
            index_generation: Arc::new(AtomicU64::new(0)),
            pack_job: None,
            export_failures: 0,
        }
    }

    /// The site root.
    pub fn root(&self) -> &Path {
        &self.options.root
    }

    /// Whether full builds draw a progress bar.
    pub fn set_progress(&mut self, progress: bool) {
        self.options.progress = progress;
    }

    /// Brings the output up to date with `change`. On failure nothing is written and the
    /// changed files are read again by the next rebuild.
    pub fn rebuild(&mut self, change: &Change, lock: &impl OutputLock) -> Result<Rebuilt, BuildError> {
        let started = Instant::now();
        let mut change = change.clone();
        change.content.extend(std::mem::take(&mut self.carried));
        change.theme |= std::mem::take(&mut self.theme_carried);
        let result = if change.config || self.full_due || self.last_good.is_none() {
            self.full(lock, started)
        } else {
            match self.edit(&change, lock, started) {
                Ok(Some(rebuilt)) => Ok(rebuilt),
                Ok(None) => self.full(lock, started),
                // Not the content: the live output is not what the last build left (another
                // `studybook build` replaced it, its index with it), or a write failed. A full
                // build starts from the sources alone.
                Err(BuildError::Other(_)) => self.full(lock, started),
                Err(err) => Err(err),
            }
        };
        if result.is_err() {
            self.carried = change.content;
            self.theme_carried = change.theme;
        }
        result
    }

    /// A full build, committed while no request reads the output.
    fn full(&mut self, lock: &impl OutputLock, started: Instant) -> Result<Rebuilt, BuildError> {
        let pack_behind = self.close_index();
        self.full_due = true;
        // Once there is a live output to keep serving, its pack is exported in the background,
        // as after edits: the new pages show without waiting for it.
        let export = if self.last_good.is_some() {
            PackExport::Later
        } else {
            PackExport::Now
        };
        let (prepared, loaded) = match prepare_keeping(&self.options, export) {
            Ok(prepared) => prepared,
            Err(err) => {
                // Nothing was written: the live output is still the last good one, whose pack
                // may lag its edits (the export this build stopped): settling catches it up.
                self.pack_stale |= pack_behind && self.last_good.is_some();
                return Err(err);
            }
        };
        // The output is replaced now: until that succeeds, nothing describes it.
        self.last_good = None;
        let (report, previous) = lock.replacing_output(|| {
            self.index_generation.fetch_add(1, Ordering::SeqCst);
            prepared.commit_leaving_previous()
        })?;
        // Requests read the new output now: the old one goes without holding them up (over a
        // second at 10,000 pages on a disk that trims freed blocks).
        if let Some(previous) = previous {
            std::thread::spawn(move || previous.remove());
        }
        self.output_marker = output::build_marker(&report.output_dir);
        self.last_good = Some(loaded);
        self.full_due = false;
        self.pack_stale = export == PackExport::Later;
        Ok(Rebuilt {
            scope: Scope::Full,
            pages: report.pages,
            written: 0,
            removed: 0,
            warnings: report.warnings.clone(),
            asset_urls: report.asset_urls.clone(),
            elapsed: started.elapsed(),
            report: Some(report),
        })
    }

    /// Lets go of the live index (and waits for a pack export reading it): a full build
    /// replaces the whole output folder. Answers whether the static pack lags the index (an
    /// export was due, stopped here, or failed).
    fn close_index(&mut self) -> bool {
        let mut pack_behind = self.pack_stale;
        if let Some(job) = self.pack_job.take() {
            let running = !job.is_finished();
            // The index changes now: the export stops at its next step instead of finishing
            // a pack the build replaces.
            self.index_generation.fetch_add(1, Ordering::SeqCst);
            let exported = job.join().unwrap_or(false);
            pack_behind |= running || !exported;
        }
        if let Some(live) = self.live_index.take() {
            let _ = live.writer.wait_merging_threads();
        }
        pack_behind
    }

    /// The edit of existing pages and/or the theme; `None` when the change needs a full build.
    fn edit(
        &mut self,
        change: &Change,
        lock: &impl OutputLock,
        started: Instant,
    ) -> Result<Option<Rebuilt>, BuildError> {
        let loaded = self.last_good.as_mut().expect("checked by the caller");
        // Another build replaced the output: a full build starts from the sources alone.
        if output::build_marker(&loaded.config.output_dir) != self.output_marker {
            return Ok(None);
        }
        let theme = if change.theme {
            Some(Theme::load(&loaded.config).map_err(|diagnostics| ContentErrors { diagnostics })?)
        } else {
            None
        };
        let Some(edits) = read_edits(loaded, &change.content, self.options.drafts)? else {
            return Ok(None);
        };
        let plan = apply(loaded, edits)?;
        let previous_theme = theme.map(|theme| std::mem::replace(&mut loaded.theme, theme));
        let selection = if previous_theme.is_some() {
            Selection::All
        } else {
            Selection::Some(plan.subset.clone())
        };
        let sink = MemorySink::default();
        let rendered = render::render_site(
            &loaded.config,
            &loaded.site,
            &loaded.compiled,
            &loaded.theme,
            &selection,
            &sink,
        );
        let problems = match rendered {
            Ok(problems) => problems,
            Err(err) => {
                undo(loaded, plan, previous_theme);
                return Err(err.into());
            }
        };
        if !problems.is_empty() {
            // Template failures are errors: report each once, as a build does.
            undo(loaded, plan, previous_theme);
            let mut diagnostics = Diagnostics::default();
            diagnostics.extend(problems);
            return Err(diagnostics.into_result().err().map_or_else(
                || BuildError::Other(anyhow::anyhow!("a template failed")),
                BuildError::Content,
            ));
        }
        let mut stale = plan.stale_files.clone();
        if let Some(previous) = &previous_theme {
            stale.extend(
                previous
                    .asset_urls
                    .values()
                    .filter(|url| !loaded.theme.asset_urls.values().any(|new| new == *url))
                    .cloned(),
            );
        }
        let files = sink.into_files();
        let output_dir = loaded.output_dir.clone();
        let written = files.len();
        let removed = stale.len();
        let write = lock.exclusive(|| -> anyhow::Result<()> {
            for (path, bytes) in &files {
                output::replace_file(&output_dir, path, bytes)?;
            }
            for path in &stale {
                output::remove_file(&output_dir, path)?;
            }
            Ok(())
        });
        if let Err(err) = write {
            // The output may be half updated: only a full build can say what it holds.
            self.last_good = None;
            return Err(err.into());
        }
        if !plan.reindex.is_empty() || !plan.reindex_sections.is_empty() {
            self.index_generation.fetch_add(1, Ordering::SeqCst);
            if let Err(err) = self.update_index(&plan.reindex, &plan.reindex_sections) {
                self.last_good = None;
                self.close_index();
                return Err(err.into());
            }
            self.pack_stale = true;
        }
        let loaded = self.last_good.as_mut().expect("still there");
        loaded.warnings = plan.warnings;
        Ok(Some(Rebuilt {
            scope: if previous_theme.is_some() {
                Scope::Theme
            } else {
                Scope::Pages
            },
            pages: loaded.site.pages.len(),
            written,
            removed,
            warnings: loaded.warnings.clone(),
            asset_urls: loaded.theme.asset_urls.clone(),
            elapsed: started.elapsed(),
            report: None,
        }))
    }

    /// Replaces the search documents of `pages` and `sections` in the live index and commits.
    fn update_index(&mut self, pages: &[usize], sections: &[usize]) -> anyhow::Result<()> {
        let loaded = self.last_good.as_ref().expect("an edit has a last good build");
        let live = LiveIndex::open(&mut self.live_index, loaded)?;
        search::index::replace_documents(
            &mut live.writer,
            &live.fields,
            &loaded.site,
            &loaded.compiled,
            pages,
            sections,
        )
    }

    /// Whether [`Workspace::settle`] has work to do.
    /// Whether a background export is still running (its outcome is not known yet).
    pub fn exporting(&self) -> bool {
        self.pack_job.as_ref().is_some_and(|job| !job.is_finished())
    }

    /// Background exports that failed in a row since the last that succeeded.
    pub fn export_failures(&self) -> u32 {
        self.export_failures
    }

    pub fn pack_stale(&mut self) -> bool {
        // A failed export (a merge refused, a full disk) is tried again at the next pause.
        if self.pack_job.as_ref().is_some_and(|job| job.is_finished()) {
            let done = self.pack_job.take().map(|job| job.join().unwrap_or(false));
            if done == Some(false) {
                self.pack_stale = true;
                self.export_failures += 1;
            } else {
                self.export_failures = 0;
            }
        }
        self.pack_stale
    }

    /// Once edits pause: merges the index's segments into one and exports the static pack
    /// again, in the background. A newer edit or build makes the export drop its result.
    pub fn settle<L: OutputLock>(&mut self, lock: Arc<L>) -> anyhow::Result<()> {
        if !self.pack_stale {
            return Ok(());
        }
        if self.pack_job.as_ref().is_some_and(|job| !job.is_finished()) {
            return Ok(());
        }
        let Some(loaded) = self.last_good.as_ref() else {
            return Ok(());
        };
        // After a full build, or one that failed, the writer is opened again here.
        let live = LiveIndex::open(&mut self.live_index, loaded)?;
        self.pack_stale = false;
        // Edits leave replaced documents behind, which the export cannot number: merged away.
        // A full build's segments have none, and merging them would only rewrite every posting.
        let segments = live.index.searchable_segment_metas()?;
        let merge = segments.iter().any(|segment| segment.has_deletes()).then(|| {
            let ids: Vec<_> = segments.iter().map(|segment| segment.id()).collect();
            live.writer.merge(&ids)
        });
        let generation = self.index_generation.clone();
        let started_at = generation.load(Ordering::SeqCst);
        let output_dir = loaded.output_dir.clone();
        let job = std::thread::Builder::new()
            .name("studybook-pack".into())
            .spawn(move || {
                let merged = merge.is_some();
                if let Err(err) = merge.map_or(Ok(None), |merge| merge.wait()) {
                    eprintln!(
                        "{}{}",
                        crate::diagnostics::warning_label(),
                        crate::text!(
                            "the search index was not merged: {err}",
                            "搜索索引没有合并：{err}"
                        )
                    );
                    return false;
                }
                if merged {
                    lock.index_merged();
                }
                // On a pool of its own, one thread: on the global pool an edit's rendering
                // queued behind the export's tasks (260 ms instead of 5 at 10,000 pages), and
                // the other core stays free for the editor's next save.
                let exported = rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .thread_name(|_| "studybook-pack-worker".into())
                    .build()
                    .map_err(anyhow::Error::from)
                    .and_then(|pool| {
                        pool.install(|| export_pack(&output_dir, &generation, started_at, lock.as_ref()))
                    });
                match exported {
                    Ok(()) => true,
                    Err(err) => {
                        eprintln!(
                            "{}{}",
                            crate::diagnostics::warning_label(),
                            crate::text!(
                                "the static search pack was not updated: {err:#}",
                                "静态搜索数据没有更新：{err:#}"
                            )
                        );
                        false
                    }
                }
            })?;
        self.pack_job = Some(job);
        Ok(())
    }
}

/// Exports the pack beside the live one and swaps it in, unless the index changed meanwhile.
fn export_pack(
    output_dir: &Path,
    generation: &AtomicU64,
    started_at: u64,
    lock: &impl OutputLock,
) -> anyhow::Result<()> {
    let index_dir = output_dir.join(search::INDEX_DIR);
    let live = output_dir.join(search::pack::PACK_DIR);
    // The replaced pack goes to a name of its own each time: one left behind (a file in it
    // still open, on Windows, when it was to be removed) must not stop the next export.
    static EXPORTS: AtomicU64 = AtomicU64::new(0);
    let export = EXPORTS.fetch_add(1, Ordering::Relaxed);
    let fresh = live.with_file_name(format!(".pack-new-{}", std::process::id()));
    let old = live.with_file_name(format!(".pack-old-{}-{export}", std::process::id()));
    let _ = std::fs::remove_dir_all(&fresh);
    // Replaced packs a removal left behind (a file in one held open) go now.
    if let Some(search_dir) = live.parent() {
        for entry in std::fs::read_dir(search_dir).into_iter().flatten().flatten() {
            if entry.file_name().to_string_lossy().starts_with(".pack-old-") {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let stale = || generation.load(Ordering::SeqCst) != started_at;
    if stale() {
        return Ok(());
    }
    if search::pack::write_pack_unless(&index_dir, &fresh, None, &stale)?.is_none() {
        let _ = std::fs::remove_dir_all(&fresh);
        return Ok(());
    }
    let swapped = lock.exclusive(|| -> anyhow::Result<bool> {
        if stale() {
            return Ok(false);
        }
        let _ = std::fs::remove_dir_all(&old);
        // A full build whose pack was left to this export may have none to replace.
        let had_live = live.exists();
        if had_live {
            output::rename(&live, &old)?;
        }
        if let Err(err) = output::rename(&fresh, &live) {
            if had_live {
                let _ = output::rename(&old, &live);
            }
            return Err(err.into());
        }
        Ok(true)
    })?;
    let _ = std::fs::remove_dir_all(if swapped { &old } else { &fresh });
    Ok(())
}

/// Rendered files held in memory until they are all known to be good.
#[derive(Default)]
struct MemorySink {
    files: Mutex<Vec<(String, Vec<u8>)>>,
}

impl MemorySink {
    fn into_files(self) -> Vec<(String, Vec<u8>)> {
        let mut files = self.files.into_inner().expect("no panics hold this lock");
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
    }
}

impl Sink for MemorySink {
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.files
            .lock()
            .expect("no panics hold this lock")
            .push((path.to_string(), bytes.to_vec()));
        Ok(())
    }
}
