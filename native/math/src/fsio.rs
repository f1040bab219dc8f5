//! Files are written whole or not at all: a crash or an error leaves no half-written output.
//!
//! A regular file is staged in a temporary file beside it and renamed into place. Anything
//! else a path can name is written as it is: a device (`/dev/null`, `/dev/stdout`), a FIFO or
//! a socket is opened and written through, never replaced by a rename, and a symbolic link
//! stays a link while the file it points to is replaced. A failed write (a full disk, a closed
//! pipe) is an error naming the path.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// How a write to a path lands.
#[derive(Debug)]
enum Target {
    /// A regular file, or nothing yet: staged beside this path and renamed over it.
    Replace(PathBuf),
    /// A device, FIFO or socket (or a link to one): opened and written in place.
    Through(PathBuf),
}

impl Target {
    fn of(path: &Path) -> Result<Self> {
        let meta = match std::fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::Replace(path.to_path_buf()))
            }
            Err(e) => return Err(Error::io(path, e)),
        };
        let is_link = meta.file_type().is_symlink();
        let followed = if is_link {
            std::fs::metadata(path).map_err(|e| {
                Error::Usage(format!(
                    "{}: a symbolic link to nothing that can be written ({e})",
                    path.display()
                ))
            })?
        } else {
            meta
        };
        if followed.is_dir() {
            return Err(Error::Usage(format!(
                "{}: is a directory, not a file to write",
                path.display()
            )));
        }
        if !followed.is_file() || names_a_descriptor(path) {
            return Ok(Self::Through(path.to_path_buf()));
        }
        if !is_link {
            return Ok(Self::Replace(path.to_path_buf()));
        }
        // A link to a regular file: the file it names is replaced, the link kept.
        std::fs::canonicalize(path)
            .map(Self::Replace)
            .map_err(|e| Error::io(path, e))
    }
}

/// Whether `path` lies in `/dev` or `/proc` (`/dev/stdout`, `/dev/fd/1`): a file descriptor
/// the shell opened, written as it is even when it is a regular file (`> out.bin`, `>> log`).
fn names_a_descriptor(path: &Path) -> bool {
    std::fs::canonicalize(parent_of(path))
        .is_ok_and(|dir| dir.starts_with("/dev") || dir.starts_with("/proc"))
}

/// Writes through `fill` into `path` as a whole: staged and renamed for a regular file,
/// written in place for a device or FIFO.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    match Target::of(path)? {
        Target::Through(device) => write_through(&device, fill),
        Target::Replace(file) => {
            let tmp = stage(&file, fill)?;
            tmp.persist(&file).map_err(|e| Error::io(path, e.error))?;
            Ok(())
        }
    }
}

/// Stages a regular file's new contents beside it.
fn stage(
    file: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<tempfile::NamedTempFile> {
    let dir = parent_of(file);
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
    fill(tmp.as_file_mut())
        .and_then(|_| tmp.as_file_mut().sync_all())
        .map_err(|e| Error::io(file, e))?;
    Ok(tmp)
}

/// Opens a device, FIFO or descriptor for writing and writes into it, reporting any failed
/// write. Appending leaves what a shell's `>>` kept, and is the same as writing anywhere else.
fn write_through(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    fill(&mut file)
        .and_then(|_| file.flush())
        .map_err(|e| Error::io(path, e))
}

/// Checks that `path` can be written, before the work that produces it: it is not a
/// directory, a link to nothing or a path through one, and a regular file's directory takes
/// new files.
pub fn check_writable(path: &Path) -> Result<()> {
    match Target::of(path)? {
        Target::Through(_) => Ok(()),
        Target::Replace(file) => {
            let dir = parent_of(&file);
            tempfile::NamedTempFile::new_in(dir)
                .map(drop)
                .map_err(|e| Error::io(path, e))
        }
    }
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Writes several files as one: each regular file is staged beside its target, devices and
/// FIFOs are written once every file is staged, and only then are the staged files renamed
/// into place, so a failure on any leaves every regular target as it was.
pub fn write_all(files: &[(&Path, &[u8])]) -> Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    let mut through = Vec::new();
    for (path, bytes) in files {
        match Target::of(path)? {
            Target::Replace(file) => {
                let tmp = stage(&file, |w| w.write_all(bytes))?;
                staged.push((tmp, file));
            }
            Target::Through(device) => through.push((device, *bytes)),
        }
    }
    for (device, bytes) in through {
        write_through(&device, |w| w.write_all(bytes))?;
    }
    for (tmp, file) in staged {
        tmp.persist(&file).map_err(|e| Error::io(&file, e.error))?;
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically(path, |w| w.write_all(bytes))
}

/// Opens directory `dir` and takes an exclusive lock on it, so that two zkmr processes writing
/// into it cannot interleave: the second fails at once, `busy` saying who holds it. The lock
/// lasts as long as the returned file.
pub fn lock_dir(dir: &Path, busy: &str) -> Result<std::fs::File> {
    let file = std::fs::File::open(dir).map_err(|e| Error::io(dir, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            Err(Error::Usage(format!("{}: {busy}", dir.display())))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(dir, e)),
    }
}

/// Removes the staging directories in `parent` that `tempfile` named `prefix` plus its
/// six-letter suffix, left by a process killed before it moved them into place. Call it with
/// the lock ([`lock_dir`]) a live writer would hold, so that what it finds is stale.
pub fn remove_staging(parent: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let stale = name
            .to_string_lossy()
            .strip_prefix(prefix)
            .is_some_and(|suffix| {
                suffix.len() == 6 && suffix.chars().all(|c| c.is_ascii_alphanumeric())
            });
        if stale && entry.file_type().is_ok_and(|t| t.is_dir()) {
            tracing::info!(path = %entry.path().display(), "removing a killed run's staging");
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Reads a whole file, naming it in the error.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_stays_a_link_and_its_file_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        let link = dir.path().join("link");
        std::fs::write(&file, b"old").unwrap();
        std::os::unix::fs::symlink(&file, &link).unwrap();
        write_bytes(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&file).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 2, "no temporary file left");
    }

    #[test]
    fn a_link_to_nothing_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path().join("gone/file"), &link).unwrap();
        let err = write_bytes(&link, b"x").unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");
        assert!(check_writable(&link).is_err());
    }

    #[test]
    fn a_fifo_is_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_all(&[(fifo.as_path(), b"through".as_slice())]).unwrap();
        assert_eq!(reader.join().unwrap(), b"through");
        assert!(!std::fs::metadata(&fifo).unwrap().is_file(), "still a FIFO");
    }

    #[test]
    fn a_full_device_is_an_error() {
        let err = write_bytes(Path::new("/dev/full"), &[0u8; 4096])
            .unwrap_err()
            .to_string();
        assert!(err.contains("/dev/full"), "{err}");
        assert!(!std::fs::metadata("/dev/full").unwrap().is_file());
    }
}
