//! Watch the site's sources and rebuild when they change, for `studybook serve`.
//!
//! File events are debounced and sorted into [`ChangeKind`]s; anything outside the sources
//! (the output folder, staging folders, editor swap files, mere reads) is ignored, so the
//! rebuild's own reads never trigger another rebuild. One thread rebuilds, so rebuilds never
//! overlap; a burst of changes (a branch switch) coalesces into one. A failed rebuild leaves the
//! last good site in place and tells the browsers; the server never stops.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::event::ModifyKind;
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, DebouncedEvent};

use super::live::LiveEvent;
use super::sources::{lists_entries_only, matters, ChangeKind, Sources};
use super::SiteState;
use crate::config::Config;
use crate::diagnostics::Text;
use crate::incremental::{Change, OutputLock, Scope, Workspace};
use crate::text;
use crate::BuildError;

/// How long the debouncer waits for a burst of events to end.
const DEBOUNCE: Duration = Duration::from_millis(20);
/// After the first events, how long without more before building: short after one saved
/// file (an editor's save), longer once several arrive (a burst).
const QUIET_AFTER_SAVE: Duration = Duration::from_millis(10);
const QUIET_IN_BURST: Duration = Duration::from_millis(40);
/// How many times a changed file found empty is looked at again, `QUIET_IN_BURST` apart.
const EMPTY_FILE_WAITS: usize = 5;
/// How long edits must pause before the static search pack is exported again.
const SETTLE: Duration = Duration::from_millis(1500);
/// How often a running background export is looked at.
const EXPORT_POLL: Duration = Duration::from_millis(250);
/// The longest wait before settling again after failures.
const SETTLE_RETRY_MAX: Duration = Duration::from_secs(60);

/// How long edits must pause before settling, after `failures` failed tries in a row.
fn settle_wait(failures: u32) -> Duration {
    (SETTLE * 2u32.pow(failures.min(6))).min(SETTLE_RETRY_MAX)
}

/// Starts watching and rebuilding in the background. The returned guard stops both when
/// dropped.
pub fn spawn(
    workspace: Workspace,
    config: &Config,
    state: Arc<SiteState>,
    warnings: ShownWarnings,
) -> anyhow::Result<WatchGuard> {
    let (sender, receiver) = mpsc::channel::<Vec<DebouncedEvent>>();
    // Batches sent but not yet taken: a failed build with more changes on the way stays quiet.
    // Only batches with a change the build reads are sent and counted: the build's own reads
    // of the sources are events too (opens), and a large build's failure counted them as more
    // changes on the way, so it was never reported.
    let pending = Arc::new(AtomicUsize::new(0));
    let counter = pending.clone();
    // Shared with the rebuild thread, which follows book.toml's changes of the folders.
    let watched_sources = Arc::new(std::sync::RwLock::new(Sources::of(config)));
    let followed_sources = watched_sources.clone();
    let handler = move |result: DebounceEventResult| {
        let Ok(mut events) = result else {
            return;
        };
        {
            let sources = watched_sources.read().expect("no panics hold this lock");
            events.retain(|event| matters(&sources, event));
        }
        if events.is_empty() {
            return;
        }
        counter.fetch_add(1, Ordering::SeqCst);
        let _ = sender.send(events);
    };
    let mut watcher = Watcher {
        debouncer: new_debouncer(DEBOUNCE, None, handler)?,
        watched: Vec::new(),
    };
    let sources = Sources::of(config);
    watcher.watch_new(&sources)?;
    let thread = std::thread::Builder::new()
        .name("studybook-rebuild".into())
        .spawn(move || {
            rebuild_loop(
                receiver,
                pending,
                watcher,
                (sources, followed_sources),
                workspace,
                state,
                warnings,
            )
        })?;
    Ok(WatchGuard { _thread: thread })
}

/// Keeps the rebuild thread (which owns the watcher) alive.
pub struct WatchGuard {
    _thread: std::thread::JoinHandle<()>,
}

struct Watcher {
    debouncer:
        notify_debouncer_full::Debouncer<notify::RecommendedWatcher, notify_debouncer_full::RecommendedCache>,
    watched: Vec<PathBuf>,
}

impl Watcher {
    /// Watches anew the source folders at or under `path`, which was created, deleted or
    /// replaced (`content` copied back from a share, `themes` deleted): the old watch followed
    /// the folder it was given to, or ended with it, and saw nothing at the path since.
    /// Returns whether a folder is watched now that was not, or not at this path.
    fn rewatch(&mut self, sources: &Sources, path: &Path) -> anyhow::Result<bool> {
        let roots = sources.watch_list();
        let replaced: Vec<PathBuf> = self
            .watched
            .iter()
            .filter(|watched| {
                watched.starts_with(path)
                    && roots
                        .iter()
                        .any(|(root, mode)| root == *watched && *mode == RecursiveMode::Recursive)
            })
            .cloned()
            .collect();
        for folder in &replaced {
            // Fails when the watch already ended with its folder.
            let _ = self.debouncer.unwatch(folder);
            self.watched.retain(|watched| watched != folder);
        }
        let added = self.watch_new(sources)?;
        Ok(added || !replaced.is_empty())
    }

    /// Watches the source folders that exist and are not watched yet (a theme folder may be
    /// created while serving).
    /// Returns whether a folder was added.
    fn watch_new(&mut self, sources: &Sources) -> anyhow::Result<bool> {
        let mut added = false;
        for (path, mode) in sources.watch_list() {
            if path.is_dir() && !self.watched.contains(&path) {
                self.debouncer
                    .watch(&path, mode)
                    .map_err(|err| anyhow::anyhow!("cannot watch `{}`: {err}", path.display()))?;
                self.watched.push(path);
                added = true;
            }
        }
        Ok(added)
    }
}

fn rebuild_loop(
    receiver: mpsc::Receiver<Vec<DebouncedEvent>>,
    pending: Arc<AtomicUsize>,
    mut watcher: Watcher,
    (mut sources, shared_sources): (Sources, Arc<std::sync::RwLock<Sources>>),
    mut workspace: Workspace,
    state: Arc<SiteState>,
    mut warnings: ShownWarnings,
) {
    // After failures, the wait doubles (to a minute): a pack that cannot be written (a full
    // disk, a file held open) is not retried and reported every 1.5 s. Failures to start the
    // export are counted here, failures of the export itself by the workspace.
    let mut start_failures = 0u32;
    loop {
        state.set_pack_behind(workspace.pack_stale() || workspace.exporting());
        let first = if workspace.pack_stale() {
            match receiver.recv_timeout(settle_wait(start_failures + workspace.export_failures())) {
                Ok(first) => first,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    match workspace.settle(state.clone()) {
                        Ok(()) => start_failures = 0,
                        Err(err) => {
                            start_failures += 1;
                            eprintln!(
                                "{}{}",
                                crate::diagnostics::warning_label(),
                                text!(
                                    "the static search pack was not updated: {err:#}",
                                    "静态搜索数据没有更新：{err:#}"
                                )
                            );
                        }
                    }
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        } else if workspace.exporting() {
            // Looked at again when it ends: a failed export makes the pack stale again.
            match receiver.recv_timeout(EXPORT_POLL) {
                Ok(first) => first,
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        } else {
            match receiver.recv() {
                Ok(first) => first,
                Err(_) => break,
            }
        };
        let saved = Instant::now();
        let mut changes: BTreeSet<ChangeKind> = BTreeSet::new();
        let mut changed_paths: BTreeSet<PathBuf> = BTreeSet::new();
        // Each event here matters (`sources::matters`, in the watcher's handler); its paths
        // are sorted one by one.
        let mut take = |events: Vec<DebouncedEvent>, watcher: &mut Watcher| -> usize {
            for event in events {
                // The watcher lost events (its queue overflowed in a burst: a branch switch,
                // an unzip of hundreds of files): what changed is unknown, so everything.
                if event.need_rescan() {
                    changes.insert(ChangeKind::Config);
                    changed_paths.insert(sources.content_dir.clone());
                    // Folders created in the burst may have been missed by the watch too.
                    let _ = watcher.rewatch(&sources, &sources.content_dir);
                    continue;
                }
                for path in &event.paths {
                    // A watched folder (content, themes, the theme's) appeared, went or was
                    // replaced: watch what is there now, and rebuild what it holds, since
                    // files may have been written into it before the watch began.
                    // Only when it came or went: Windows also reports a folder whose entries
                    // changed, and watching `content/` anew walks the whole tree.
                    let came_or_went = matches!(
                        event.kind,
                        EventKind::Create(_) | EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(_))
                    );
                    let is_source_folder = came_or_went
                        && sources
                            .watch_list()
                            .iter()
                            .any(|(root, mode)| *mode == RecursiveMode::Recursive && root.starts_with(path));
                    if is_source_folder && watcher.rewatch(&sources, path).unwrap_or(false) {
                        let kind = if sources.content_dir.starts_with(path) {
                            ChangeKind::Content
                        } else {
                            ChangeKind::Template
                        };
                        changes.insert(kind);
                        changed_paths.insert(path.clone());
                    }
                    if lists_entries_only(&event.kind, path) {
                        continue;
                    }
                    if let Some(kind) = sources.classify(path) {
                        changes.insert(kind);
                        changed_paths.insert(path.clone());
                    }
                }
            }
            changed_paths.len()
        };
        pending.fetch_sub(1, Ordering::SeqCst);
        let mut seen = take(first, &mut watcher);
        // The debouncer releases each file's events on its own clock, so a burst (a branch
        // switch, an unzip) arrives in pieces: wait for a short quiet spell before building.
        loop {
            let quiet = if seen <= 1 {
                QUIET_AFTER_SAVE
            } else {
                QUIET_IN_BURST
            };
            let Ok(batch) = receiver.recv_timeout(quiet) else {
                break;
            };
            pending.fetch_sub(1, Ordering::SeqCst);
            seen = take(batch, &mut watcher);
        }
        // An editor saving in place truncates the file, then writes it: a file caught empty in
        // between gets a moment more (a file left empty is then reported as it is).
        for _ in 0..EMPTY_FILE_WAITS {
            let caught_empty = changed_paths
                .iter()
                .any(|path| std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0));
            if !caught_empty {
                break;
            }
            std::thread::sleep(QUIET_IN_BURST);
        }
        if changes.is_empty() {
            continue;
        }
        // book.toml changed: the folders it names now are watched (before the build reads
        // them), and whether it names another output folder is known to the rebuild.
        if changes.contains(&ChangeKind::Config) {
            follow_config(&mut watcher, &mut sources, workspace.root(), &state);
            *shared_sources.write().expect("no panics hold this lock") = sources.clone();
        }
        let more_pending = || pending.load(Ordering::SeqCst) > 0;
        rebuild(
            &mut workspace,
            &sources,
            &state,
            Saved {
                changes: &changes,
                paths: &changed_paths,
                at: saved,
            },
            &more_pending,
            &mut warnings,
        );
    }
}

/// After a change of book.toml: watches the folders and files it names now (`content-dir`,
/// the theme, the dictionary), and notes when it names another output folder, which this
/// server does not serve (each rebuild then says to restart).
fn follow_config(watcher: &mut Watcher, sources: &mut Sources, root: &Path, state: &SiteState) {
    let Ok(config) = Config::load(root) else {
        // A broken book.toml: its errors are reported by the rebuild.
        return;
    };
    let now = Sources::of(&config);
    if now != *sources {
        *sources = now;
        if let Err(err) = watcher.watch_new(sources) {
            eprintln!("{}{err:#}", crate::diagnostics::warning_label());
        }
    }
    if config.output_dir != state.output_dir() {
        let message = text!(
            "book.toml now writes the site to `{}`, but this server serves `{}`: stop it (Ctrl-C) and run `studybook serve` again",
            "book.toml 现在把站点写到 `{}`，而本次预览打开的是 `{}`：请按 Ctrl-C 停止，再重新运行 `studybook serve`",
            config.output_dir.display(),
            state.output_dir().display()
        );
        state.set_restart_notice(Some(message.to_string()));
    } else {
        state.set_restart_notice(None);
    }
}

/// Says, in the terminal and the open pages, that the server must be restarted to serve the
/// output folder book.toml names now (after every rebuild until then: a save's reload would
/// otherwise show the stale folder as if all were well).
fn tell_to_restart(state: &SiteState) {
    if let Some(notice) = state.restart_notice() {
        eprintln!("{}{notice}", crate::diagnostics::warning_label());
        state.publish(LiveEvent::errors(vec![notice], true));
    }
}

/// The warnings the terminal has shown: a rebuild prints those the last one did not give
/// (a save on a site with thousands of warnings reprinted them all, and its errors scrolled
/// out of sight).
#[derive(Default)]
pub struct ShownWarnings {
    shown: std::collections::HashSet<String>,
}

impl ShownWarnings {
    /// Prints the warnings not shown by the last call, and how many others are as before.
    pub fn print(&mut self, warnings: &[crate::diagnostics::Diagnostic]) {
        let texts: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        let mut unchanged = 0;
        for text in &texts {
            if self.shown.contains(text) {
                unchanged += 1;
            } else {
                eprintln!("{}{text}", crate::diagnostics::warning_label());
            }
        }
        if unchanged < texts.len() && unchanged > 0 {
            eprintln!(
                "{}",
                text!(
                    "({unchanged} more warnings, as before: `studybook check` lists them all)",
                    "（另有 {unchanged} 条警告与上次相同，`studybook check` 可列出全部）"
                )
            );
        }
        self.shown = texts.into_iter().collect();
    }

    /// Prints the warnings of a failed build not shown yet, and remembers them too: a failed
    /// build may stop before most warnings are known, so what was shown before stays shown.
    pub fn print_new(&mut self, warnings: &[crate::diagnostics::Diagnostic]) {
        for warning in warnings {
            if self.shown.insert(warning.to_string()) {
                eprintln!("{}{warning}", crate::diagnostics::warning_label());
            }
        }
    }
}

impl OutputLock for SiteState {
    fn exclusive<T>(&self, write: impl FnOnce() -> T) -> T {
        self.while_swapping(write)
    }

    /// The search index is closed for the swap and opened again in the new folder before any
    /// request reads it: no request searches meanwhile, they wait for the swap.
    fn replacing_output<T>(&self, swap: impl FnOnce() -> T) -> T {
        self.while_swapping(|| {
            self.close_search();
            let swapped = swap();
            self.reload_search();
            swapped
        })
    }

    fn index_merged(&self) {
        self.reload_search_after_edit();
    }
}

/// What a batch of events changed, and when the first was saved.
struct Saved<'a> {
    changes: &'a BTreeSet<ChangeKind>,
    paths: &'a BTreeSet<PathBuf>,
    at: Instant,
}

fn rebuild(
    workspace: &mut Workspace,
    sources: &Sources,
    state: &SiteState,
    saved: Saved<'_>,
    more_pending: &dyn Fn() -> bool,
    warnings: &mut ShownWarnings,
) {
    let Saved {
        changes,
        paths,
        at: saved,
    } = saved;
    let shown: Vec<String> = paths
        .iter()
        .take(3)
        .map(|p| crate::diagnostics::display_path(p, workspace.root()))
        .collect();
    let more = paths.len().saturating_sub(shown.len());
    let shown = shown.join(", ");
    let what = if more > 0 {
        Text::new(
            format!("{shown} and {more} more"),
            format!("{shown} 等 {} 个文件", paths.len()),
        )
    } else {
        text!("{shown}", "{shown}")
    };
    let previous_style = state.asset_url("style.css");
    let was_failing = state.failing() && state.restart_notice().is_none();
    let change = Change {
        content: paths
            .iter()
            .filter(|p| sources.classify(p) == Some(ChangeKind::Content))
            .cloned()
            .collect(),
        theme: changes
            .iter()
            .any(|c| matches!(c, ChangeKind::Template | ChangeKind::Style | ChangeKind::Asset)),
        config: changes.contains(&ChangeKind::Config),
    };
    match workspace.rebuild(&change, state) {
        Ok(rebuilt) => {
            if rebuilt.scope != Scope::Pages {
                state.set_assets(rebuilt.asset_urls.clone());
            }
            // A full build's index was opened again during its swap (`replacing_output`).
            if rebuilt.scope != Scope::Full {
                state.reload_search_after_edit();
            }
            let style_only = changes.iter().all(|c| *c == ChangeKind::Style);
            let event = match (style_only, rebuilt.asset_urls.get("style.css")) {
                (true, Some(href)) if Some(href) != previous_style.as_ref() => {
                    LiveEvent::Css { href: href.clone() }
                }
                _ => LiveEvent::Reload,
            };
            state.publish(event);
            tell_to_restart(state);
            warnings.print(&rebuilt.warnings);
            let files = rebuilt.written + rebuilt.removed;
            let how = match rebuilt.scope {
                Scope::Full => text!("full build", "全部重新生成"),
                Scope::Pages => Text::new(
                    format!("{} rewritten", crate::cmd::build::count(files, "file")),
                    format!("重写了 {files} 个文件"),
                ),
                Scope::Theme => Text::new(
                    format!("theme: {} rewritten", crate::cmd::build::count(files, "file")),
                    format!("主题：重写了 {files} 个文件"),
                ),
            };
            if was_failing {
                eprintln!(
                    "{}",
                    text!(
                        "the errors are fixed: the site is built again",
                        "错误已全部改正，站点已重新生成"
                    )
                );
            }
            eprintln!(
                "{}",
                text!(
                    "rebuilt after a change to {what} ({how}): {} pages, {} ms from save to reload message",
                    "{what} 有变动，重新生成完毕（{how}）：{} 个页面，从保存到通知浏览器刷新用时 {} 毫秒",
                    rebuilt.pages,
                    saved.elapsed().as_millis()
                )
            );
        }
        Err(_) if more_pending() => {
            // Half-written files of a burst still arriving: the next rebuild will tell.
        }
        Err(err) => report_failure(err, state, warnings),
    }
}

/// A build that failed, told to the terminal and the open pages: its errors, the warnings the
/// terminal has not shown (one may be the cause; a failed build on a large site printed every
/// warning after its errors), and what the browser shows meanwhile.
pub fn report_failure(err: BuildError, state: &SiteState, warnings: &mut ShownWarnings) {
    let errors: Vec<String> = match &err {
        BuildError::Content(content) => content.errors().map(ToString::to_string).collect(),
        BuildError::Other(other) => vec![format!("{other:#}")],
    };
    let served = state.output_dir().join("index.html").is_file();
    let still = if served {
        text!(
            "the last good site is still served",
            "浏览器里仍是上一次生成成功的站点"
        )
    } else {
        text!(
            "the site is not built yet: the browser shows these errors",
            "站点还没有生成：浏览器里显示的是这些错误"
        )
    };
    let (err, warned) = match err {
        BuildError::Content(content) => {
            let (errors, warnings): (Vec<_>, Vec<_>) =
                content.diagnostics.into_iter().partition(|d| d.is_error());
            (
                BuildError::Content(crate::diagnostics::ContentErrors { diagnostics: errors }),
                warnings,
            )
        }
        other => (other, Vec::new()),
    };
    eprintln!("{}", crate::cmd::format_error(&anyhow::Error::new(err)));
    warnings.print_new(&warned);
    eprintln!("{still}");
    state.publish(LiveEvent::errors(errors, served));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_before_settling_doubles_with_each_failure_up_to_a_minute() {
        let waits: Vec<u64> = [0, 1, 2, 5, 6, 7, 100]
            .into_iter()
            .map(|failures| settle_wait(failures).as_millis() as u64)
            .collect();
        assert_eq!(waits, [1_500, 3_000, 6_000, 48_000, 60_000, 60_000, 60_000]);
    }
}
