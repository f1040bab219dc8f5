//! Files are written whole or not at all: a crash or an error leaves no half-written output.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes through `fill` into a temporary file beside `path`, then renames it into place.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
    fill(tmp.as_file_mut())
        .and_then(|_| tmp.as_file_mut().sync_all())
        .map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
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
