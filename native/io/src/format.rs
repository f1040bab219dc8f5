//! Telling input formats apart by their first bytes, so a file's name need not say.

use std::io::Read;
use std::path::Path;

use zkmr_core::{Error, Result};

/// A supported input format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    Json,
    Parquet,
    /// Arrow IPC, file (`ARROW1` magic) or stream.
    ArrowIpc,
    /// Comma-separated text with a header line (a matrix in coordinate form).
    Csv,
}

impl InputFormat {
    pub fn detect(path: &Path) -> Result<Self> {
        let mut head = [0u8; 256];
        let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let n = file.read(&mut head).map_err(|e| Error::io(path, e))?;
        let head = &head[..n];
        if head.starts_with(b"PAR1") {
            return Ok(Self::Parquet);
        }
        // Arrow IPC files start with the magic, streams with a 0xFFFFFFFF continuation marker.
        if head.starts_with(b"ARROW1") || head.starts_with(&[0xff, 0xff, 0xff, 0xff]) {
            return Ok(Self::ArrowIpc);
        }
        match head.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') | Some(b'[') => Ok(Self::Json),
            _ if is_csv_header(head) => Ok(Self::Csv),
            _ => Err(Error::Input(format!(
                "{}: not JSON, Parquet, Arrow IPC or CSV (unrecognised first bytes)",
                path.display()
            ))),
        }
    }
}

/// A first line of printable text holding a comma: a CSV header.
fn is_csv_header(head: &[u8]) -> bool {
    let line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    line.contains(&b',') && line.iter().all(|b| b.is_ascii_graphic() || *b == b' ')
}
