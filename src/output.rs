//! The only module that writes the output folder, and it does so atomically.
//!
//! A build writes into a staging folder beside the output (`.public.staging-<pid>`); only when
//! every file is written does [`Staging::commit`] swap it in place of the previous output. A
//! failed or interrupted build leaves the previous output exactly as it was, so a live site is
//! never half-updated. A build stopped by Ctrl-C or a crash leaves its staging folder behind;
//! the next build removes it, knowing it is nobody's from the lock file beside it, which its
//! builder held locked while it lived.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};

use crate::diagnostics::{display_path, Diagnostic, Text};
use crate::text;

/// A file that marks a folder as studybook's output, so a rebuild never deletes a folder that
/// holds anything else.
pub const MARKER: &str = ".studybook-output";

/// Refuses output folders that would destroy content or the site itself.
/// `source` names where the folder was chosen: `book.toml` or `--out`.
pub fn check_output_dir(
    root: &Path,
    content_dir: &Path,
    output_dir: &Path,
    source: &str,
) -> Result<(), Diagnostic> {
    let root = normalize(root);
    let content = normalize(content_dir);
    let output = normalize(output_dir);
    let shown = match display_path(&output, &root) {
        empty if empty.is_empty() => ".".to_string(),
        shown => shown,
    };
    let refuse = |why: Text| {
        Err(Diagnostic::error(
            source,
            Text::new(
                format!("refusing to use `{shown}` as the output folder: {}", why.en()),
                format!("不能把 `{shown}` 用作输出文件夹：{}", why.zh()),
            ),
        )
        .help(text!(
            "choose a folder of its own, e.g. `--out public` or `output-dir = \"public\"` under [build]",
            "请另选一个专用的文件夹，例如 `--out public`，或在 [build] 下写 `output-dir = \"public\"`"
        )))
    };
    if output == root {
        return refuse(text!("it is the site root", "它就是站点的根文件夹"));
    }
    if root.starts_with(&output) {
        return refuse(text!("it contains the site", "站点就在它里面"));
    }
    if output.starts_with(&content) || content.starts_with(&output) {
        return refuse(text!("it overlaps the content folder", "它和内容文件夹重叠"));
    }
    if output.exists() && !output.is_dir() {
        return refuse(text!(
            "it is a file (it would be replaced)",
            "它是一个文件（会被替换掉）"
        ));
    }
    if output.exists()
        && !output.join(MARKER).exists()
        && std::fs::read_dir(&output)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false)
    {
        return refuse(text!(
            "it already exists and was not made by studybook (it would be replaced)",
            "它已经存在，而且不是 studybook 生成的（会被替换掉）"
        ));
    }
    Ok(())
}

/// Makes a path absolute and removes `.` and `..` without touching the disk.
pub fn normalize(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|cwd| cwd.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let mut result = PathBuf::new();
    for component in absolute.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                result.pop();
            }
            other => result.push(other.as_os_str()),
        }
    }
    result
}

/// `dir` joined with a `/`-separated output path, refusing paths that would leave it.
fn join_output(dir: &Path, relative: &str) -> anyhow::Result<PathBuf> {
    let mut path = dir.to_path_buf();
    for part in relative.split('/') {
        if part.is_empty() || part == "." || part == ".." || part.contains(['\\', ':']) && cfg!(windows) {
            bail!("refusing to write the output path `{relative}`");
        }
        path.push(part);
    }
    Ok(path)
}

/// Replaces one file of a live output folder (`serve`'s incremental rebuilds): the bytes go
/// to a temporary file beside it, which is then renamed over it, so a reader gets the old file
/// or the new one, never half of one.
pub fn replace_file(output_dir: &Path, relative: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let path = join_output(output_dir, relative)?;
    let parent = path.parent().context("an output file has a parent folder")?;
    std::fs::create_dir_all(parent)
        .with_context(|| text!("failed to create `{}`", "无法创建 `{}`", parent.display()))?;
    let mut temporary = path.clone().into_os_string();
    temporary.push(".studybook-new");
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, bytes)
        .with_context(|| text!("failed to write `{}`", "无法写入 `{}`", temporary.display()))?;
    rename(&temporary, &path)
        .with_context(|| text!("failed to replace `{}`", "无法替换 `{}`", path.display()))
}

/// When the build that wrote the output folder `output_dir` began it (its marker's time; no
/// edit of `serve` touches the marker): `serve` tells by it that another build replaced the
/// output it was updating. `None` without a marker.
pub fn build_marker(output_dir: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(output_dir.join(MARKER))
        .and_then(|metadata| metadata.modified())
        .ok()
}

/// Renames `from` to `to`, trying again for about three seconds while the file system refuses
/// for a moment: on Windows a virus scanner, the search indexer or a sync client holds a file
/// just written for a moment, and a rename of it or of its folder fails meanwhile.
pub fn rename(from: &Path, to: &Path) -> std::io::Result<()> {
    retrying(|| std::fs::rename(from, to), std::thread::sleep)
}

/// Runs `attempt` until it succeeds, fails for another reason than a file held by another
/// program, or has been retried for about three seconds (`sleep` waits in between: 25 ms, doubling).
fn retrying<T>(
    mut attempt: impl FnMut() -> std::io::Result<T>,
    mut sleep: impl FnMut(std::time::Duration),
) -> std::io::Result<T> {
    let mut wait = std::time::Duration::from_millis(25);
    let mut waited = std::time::Duration::ZERO;
    loop {
        match attempt() {
            Err(err) if is_held_elsewhere(&err) && waited < std::time::Duration::from_secs(2) => {
                sleep(wait);
                waited += wait;
                wait *= 2;
            }
            result => return result,
        }
    }
}

/// Whether an error says that another program holds the file: access denied, or Windows'
/// sharing and lock violations (raw errors 32 and 33).
fn is_held_elsewhere(err: &std::io::Error) -> bool {
    err.kind() == std::io::ErrorKind::PermissionDenied
        || (cfg!(windows) && matches!(err.raw_os_error(), Some(32 | 33)))
}

/// Removes a file that a live output folder no longer has (a tag no page carries any more).
pub fn remove_file(output_dir: &Path, relative: &str) -> anyhow::Result<()> {
    let path = join_output(output_dir, relative)?;
    match std::fs::remove_file(&path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            Err(err).with_context(|| text!("failed to remove `{}`", "无法删除 `{}`", path.display()))
        }
        _ => Ok(()),
    }
}

/// A folder being filled with the next version of the output.
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    /// `dir` with `.lock`, held locked while this staging folder exists under its name.
    lock: Option<(PathBuf, std::fs::File)>,
    committed: bool,
    /// Folders already made: 10,000 pages sit in a few dozen, and asking the file system for
    /// each file's folder again cost 20,000 system calls.
    made: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
}

impl Staging {
    /// Creates an empty staging folder beside `target`.
    pub fn create(target: &Path) -> anyhow::Result<Staging> {
        let target = normalize(target);
        let parent = target
            .parent()
            .context("the output folder has no parent folder")?;
        let name = target
            .file_name()
            .context("the output folder has no name")?
            .to_string_lossy();
        std::fs::create_dir_all(parent)
            .with_context(|| text!("failed to create `{}`", "无法创建 `{}`", parent.display()))?;
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        // The lock first and the folder after: a staging folder without a locked lock file is
        // nobody's.
        let lock_path = lock_path(&dir);
        let lock = std::fs::File::create(&lock_path)
            .with_context(|| text!("failed to create `{}`", "无法创建 `{}`", lock_path.display()))?;
        // Where the file system cannot lock (some network shares), leftovers stay.
        let _ = lock.try_lock();
        remove_leftovers(parent, &name, &dir);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .with_context(|| text!("failed to clear `{}`", "无法清空 `{}`", dir.display()))?;
        }
        std::fs::create_dir(&dir)
            .with_context(|| text!("failed to create `{}`", "无法创建 `{}`", dir.display()))?;
        std::fs::write(
            dir.join(MARKER),
            "This folder is generated by studybook; it is replaced on every build.\n",
        )
        .with_context(|| text!("failed to write in `{}`", "无法在 `{}` 里写入文件", dir.display()))?;
        Ok(Staging {
            target,
            dir,
            lock: Some((lock_path, lock)),
            committed: false,
            made: Default::default(),
        })
    }

    /// The staging folder, for stages that write a whole sub-folder themselves (the index).
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The absolute path a `/`-separated output path will have once staged.
    pub fn file_path(&self, relative: &str) -> anyhow::Result<PathBuf> {
        join_output(&self.dir, relative)
    }

    /// Makes the folder of `path` (and its parents) unless this staging folder already did.
    fn make_parent(&self, path: &Path) -> anyhow::Result<()> {
        let Some(parent) = path.parent() else {
            return Ok(());
        };
        if self
            .made
            .lock()
            .expect("no panics hold this lock")
            .contains(parent)
        {
            return Ok(());
        }
        std::fs::create_dir_all(parent)
            .with_context(|| text!("failed to create `{}`", "无法创建 `{}`", parent.display()))?;
        self.made
            .lock()
            .expect("no panics hold this lock")
            .insert(parent.to_path_buf());
        Ok(())
    }

    /// Copies a file into the staging folder.
    pub fn copy(&self, relative: &str, from: &Path) -> anyhow::Result<()> {
        let to = self.file_path(relative)?;
        self.make_parent(&to)?;
        std::fs::copy(from, &to).with_context(|| {
            text!(
                "failed to copy `{}` to `{}`",
                "无法把 `{}` 复制到 `{}`",
                from.display(),
                to.display()
            )
        })?;
        Ok(())
    }

    /// Swaps the staging folder in place of the output. The previous output stays until the new
    /// one is in place, then is moved aside, for the caller to remove ([`Previous::remove`]):
    /// `build` at once, `serve` in the background, as requests wait while it commits. When it
    /// fails the staging folder stays its owner's (it is removed when dropped), so that what was
    /// moved into it can be moved back first.
    pub fn commit(&mut self) -> anyhow::Result<Option<Previous>> {
        /// Commits by this process so far: each moves its previous output to a folder of its
        /// own, as `serve` may still be removing the last one.
        static COMMITS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let parent = self.target.parent().context("the output folder has no parent")?;
        let name = self
            .target
            .file_name()
            .context("the output folder has no name")?
            .to_string_lossy()
            .into_owned();
        let commit = COMMITS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let old = parent.join(format!(".{name}.old-{}-{commit}", std::process::id()));
        let had_previous = self.target.exists();
        if had_previous {
            if old.exists() {
                std::fs::remove_dir_all(&old)
                    .with_context(|| text!("failed to clear `{}`", "无法清空 `{}`", old.display()))?;
            }
            rename(&self.target, &old).with_context(|| {
                // On Windows a folder cannot be renamed while a program has a file in it open.
                text!(
                    "failed to move the previous output `{}` aside (close any program that has a file in it open, such as Explorer or Word, then build again)",
                    "无法把原来的输出文件夹 `{}` 移开（请关闭打开了其中文件的程序，例如资源管理器、Word，再重新生成）",
                    self.target.display()
                )
            })?;
        }
        if let Err(err) = rename(&self.dir, &self.target) {
            if had_previous {
                // Put the previous output back: the site must not disappear.
                let _ = rename(&old, &self.target);
            }
            return Err(err).with_context(|| {
                text!(
                    "failed to move the new output into `{}`",
                    "无法把新生成的站点放到 `{}`",
                    self.target.display()
                )
            });
        }
        self.committed = true;
        self.release_lock();
        Ok(had_previous.then_some(Previous(old)))
    }

    /// Unlocks and removes the lock file, once the staging folder is gone from its name.
    fn release_lock(&mut self) {
        if let Some((path, file)) = self.lock.take() {
            drop(file);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The previous output, moved aside by a commit and no longer served.
#[must_use = "the previous output stays on disk until it is removed"]
pub struct Previous(PathBuf);

impl Previous {
    /// Removes the previous output. Best effort: on Windows a reader may still hold one of its
    /// files open; the new output is in place either way, so a failure is a warning (and the
    /// next build tries again).
    pub fn remove(self) {
        if let Err(err) = remove_tree(&self.0) {
            eprintln!(
                "{}{}",
                crate::diagnostics::warning_label(),
                text!(
                    "could not remove the previous output `{}`: {err}",
                    "无法删除原来的输出文件夹 `{}`：{err}",
                    self.0.display()
                )
            );
        }
    }
}

/// `dir` with `.lock` after its name: the staging folder's lock file, beside it.
fn lock_path(dir: &Path) -> PathBuf {
    let mut path = dir.as_os_str().to_owned();
    path.push(".lock");
    PathBuf::from(path)
}

/// Removes what builds of the output `name` in `parent` left behind: staging folders whose
/// lock file nobody holds (a build stopped by Ctrl-C or a crash) and previous outputs moved
/// aside but not removed (a reader held a file open on Windows, or `serve` stopped while
/// removing it). Only folders carrying studybook's marker are touched; a removal that fails
/// is tried again by the next build.
fn remove_leftovers(parent: &Path, name: &str, own: &Path) {
    let staging = format!(".{name}.staging-");
    let old = format!(".{name}.old-");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let is_staging = file_name.starts_with(&staging) && !file_name.ends_with(".lock");
        if !(is_staging || file_name.starts_with(&old)) || path == own || !path.join(MARKER).is_file() {
            continue;
        }
        if is_staging {
            let lock = lock_path(&path);
            match std::fs::File::options().write(true).open(&lock) {
                // A build holds it: its folder is live.
                Ok(file) if file.try_lock().is_err() => continue,
                // Locked by us now, or there is no lock file: the builder is gone.
                Ok(file) => {
                    if remove_tree(&path).is_ok() {
                        drop(file);
                        let _ = std::fs::remove_file(&lock);
                    }
                }
                Err(_) => {
                    let _ = remove_tree(&path);
                }
            }
        } else {
            // Another `serve` may be removing it too: whoever gets there first is fine.
            let _ = remove_tree(&path);
        }
    }
}

/// Removes a folder and everything in it, its subfolders on several threads: a previous
/// output of 10,000 pages is over 20,000 files, and unlinking in separate folders proceeds in
/// parallel. What is already gone counts as removed, so two removals of one folder both
/// succeed.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    use rayon::prelude::*;
    let gone = |result: std::io::Result<()>| match result {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    };
    let entries: Vec<std::fs::DirEntry> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.flatten().collect(),
        Err(err) => return gone(Err(err)),
    };
    entries.par_iter().try_for_each(|entry| {
        if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            remove_tree(&entry.path())
        } else {
            gone(std::fs::remove_file(entry.path()))
        }
    })?;
    gone(std::fs::remove_dir(dir))
}

impl crate::render::Sink for Staging {
    fn write(&self, relative: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.file_path(relative)?;
        self.make_parent(&path)?;
        std::fs::write(&path, bytes)
            .with_context(|| text!("failed to write `{}`", "无法写入 `{}`", path.display()))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_tree(&self.dir);
        }
        self.release_lock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rename_refused_for_a_moment_is_tried_again_and_other_failures_are_not() {
        let denied = || std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        // Refused twice, then done: waits of 25 and 50 ms.
        let mut attempts = 0;
        let mut waits = Vec::new();
        let result = retrying(
            || {
                attempts += 1;
                if attempts <= 2 {
                    Err(denied())
                } else {
                    Ok(attempts)
                }
            },
            |wait| waits.push(wait.as_millis()),
        );
        assert_eq!(result.unwrap(), 3);
        assert_eq!(waits, [25, 50]);
        // Refused for good: given up after about three seconds of waiting.
        let mut waits = Vec::new();
        let result: std::io::Result<()> = retrying(|| Err(denied()), |wait| waits.push(wait.as_millis()));
        assert_eq!(result.unwrap_err().kind(), std::io::ErrorKind::PermissionDenied);
        assert_eq!(waits, [25, 50, 100, 200, 400, 800, 1600]);
        // Another failure is reported at once.
        let mut attempts = 0;
        let result: std::io::Result<()> = retrying(
            || {
                attempts += 1;
                Err(std::io::Error::from(std::io::ErrorKind::NotFound))
            },
            |_| panic!("no wait"),
        );
        assert_eq!(result.unwrap_err().kind(), std::io::ErrorKind::NotFound);
        assert_eq!(attempts, 1);
    }
}
