//! The index folder as `serve`'s edits write it: Tantivy's memory-mapped directory without
//! its `fsync`s.
//!
//! An edit's commit synced about 23 files, half of the server's time for an edit at 10,000
//! pages (24 of ~50 ms on this kind of machine). A preview's index needs no durability: `serve`
//! starts with a full build, and `studybook build` writes the index anew; the kernel still
//! writes the files back as usual.

use std::fs::OpenOptions;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, TerminatingWrite,
    WatchCallback, WatchHandle, WritePtr,
};

/// [`MmapDirectory`] for everything but writing, which never waits for the disk.
#[derive(Clone, Debug)]
pub struct PreviewDirectory {
    mapped: MmapDirectory,
    root: PathBuf,
}

impl PreviewDirectory {
    pub fn open(root: &Path) -> Result<PreviewDirectory, OpenDirectoryError> {
        Ok(PreviewDirectory {
            mapped: MmapDirectory::open(root)?,
            root: root.to_path_buf(),
        })
    }
}

/// A new file, flushed but not synced when Tantivy is done with it.
struct UnsyncedFile(std::fs::File);

impl Write for UnsyncedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl TerminatingWrite for UnsyncedFile {
    fn terminate_ref(&mut self, _: AntiCallToken) -> io::Result<()> {
        self.0.flush()
    }
}

impl Directory for PreviewDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.mapped.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.mapped.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.mapped.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        // As MmapDirectory does: a file is written once, never over an existing one.
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.root.join(path))
            .map_err(|io_error| {
                if io_error.kind() == io::ErrorKind::AlreadyExists {
                    OpenWriteError::FileAlreadyExists(path.to_path_buf())
                } else {
                    OpenWriteError::IoError {
                        io_error: Arc::new(io_error),
                        filepath: path.to_path_buf(),
                    }
                }
            })?;
        Ok(BufWriter::new(Box::new(UnsyncedFile(file))))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.mapped.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        // Written beside and renamed over: a reader sees the old file or the new one, whole.
        static WRITES: AtomicU64 = AtomicU64::new(0);
        let name = path
            .file_name()
            .map_or_else(|| "file".into(), |n| n.to_string_lossy());
        let temporary = self.root.join(format!(
            ".{name}.{}-{}.tmp",
            std::process::id(),
            WRITES.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&temporary, data)
            .and_then(|()| crate::output::rename(&temporary, &self.root.join(path)))
            .inspect_err(|_| {
                let _ = std::fs::remove_file(&temporary);
            })
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.mapped.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.mapped.watch(watch_callback)
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_written_once_and_atomic_writes_replace_whole_leaving_nothing_beside() {
        let root = tempfile::tempdir().unwrap();
        let directory = PreviewDirectory::open(root.path()).unwrap();
        let path = Path::new("segment.idx");
        let mut writer = directory.open_write(path).unwrap();
        writer.write_all(b"postings").unwrap();
        writer.into_inner().ok().unwrap().terminate().unwrap();
        assert_eq!(directory.atomic_read(path).unwrap(), b"postings");
        assert!(matches!(
            directory.open_write(path),
            Err(OpenWriteError::FileAlreadyExists(_))
        ));

        let meta = Path::new("meta.json");
        directory.atomic_write(meta, b"{\"first\": 1}").unwrap();
        directory.atomic_write(meta, b"{}").unwrap();
        assert_eq!(directory.atomic_read(meta).unwrap(), b"{}");
        let mut names: Vec<String> = std::fs::read_dir(root.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["meta.json", "segment.idx"]);
        directory.sync_directory().unwrap();
    }
}
