//! Files are written whole or not at all: a crash or an error leaves no half-written output.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes through `fill` into a temporary file beside `path`, then renames it into place.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let dir = parent_of(path);
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
    fill(tmp.as_file_mut())
        .and_then(|_| tmp.as_file_mut().sync_all())
        .map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Checks that `path` can be written, before the work that produces it: its directory exists
/// and takes new files, and it is not a directory itself.
pub fn check_writable(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Err(Error::Usage(format!(
            "{}: is a directory, not a file to write",
            path.display()
        )));
    }
    let dir = parent_of(path);
    tempfile::NamedTempFile::new_in(dir)
        .map(drop)
        .map_err(|e| Error::io(path, e))
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Writes several files as one: each is staged in a temporary file beside its target, and
/// only when every one is staged are they renamed into place, so a failure on any leaves
/// every target as it was.
pub fn write_all(files: &[(&Path, &[u8])]) -> Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        let dir = parent_of(path);
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(*path, e))?;
        tmp.as_file_mut()
            .write_all(bytes)
            .and_then(|_| tmp.as_file_mut().sync_all())
            .map_err(|e| Error::io(*path, e))?;
        staged.push((tmp, *path));
    }
    for (tmp, path) in staged {
        tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically(path, |w| w.write_all(bytes))
}

/// Reads a whole file, naming it in the error.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}
