//! An input as the user named it, which need not be a regular file.
//!
//! A reader looks at its input more than once: the first bytes tell the format, then the
//! decoder reads the whole, and Parquet is read chunk by chunk at the offsets its footer gives
//! (a commit also asks first whether a matrix is in coordinate form). A regular file can be
//! opened again for each look. A pipe, a character device, `/dev/stdin` or the
//! `/dev/fd/N` that a shell's `<(...)` passes gives its bytes once, so such an input is read
//! into memory once, at most [`UNSEEKABLE_LIMIT`] bytes, and every look reads that copy.
//! Either way every error names the path as the user gave it.

use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek};
use std::path::Path;

use bytes::Bytes;
use zkmr_core::{Error, Result};

use crate::bounds::ParquetInput;
use crate::format::{InputFormat, BOM};

/// The most bytes read from an input that is not a regular file.
const UNSEEKABLE_LIMIT: u64 = 4 << 30;

/// How many first bytes tell the format.
const HEAD: u64 = 256;

/// Bytes that can be read and sought, such as a Parquet or Arrow IPC reader takes.
pub(crate) trait ReadSeek: Read + Seek {}

impl<R: Read + Seek> ReadSeek for R {}

/// An input file and its format.
pub(crate) struct Source<'a> {
    path: &'a Path,
    format: InputFormat,
    /// The bytes of an input that is not a regular file; `None` for a regular file, which
    /// each look opens again.
    bytes: Option<Bytes>,
}

impl<'a> Source<'a> {
    /// Opens `path` and tells its format from its first bytes; an input that is not a regular
    /// file is then read whole (unless its first bytes are of no format).
    pub(crate) fn open(path: &'a Path) -> Result<Self> {
        Self::open_limited(path, UNSEEKABLE_LIMIT)
    }

    fn open_limited(path: &'a Path, limit: u64) -> Result<Self> {
        let io = |e| Error::io(path, e);
        let (file, head, format) = sniff(path)?;
        if file.metadata().map_err(io)?.is_file() {
            return Ok(Self {
                path,
                format,
                bytes: None,
            });
        }
        let mut bytes = head;
        // One byte past the limit tells an input that exceeds it.
        let rest = (limit + 1).saturating_sub(bytes.len() as u64);
        file.take(rest).read_to_end(&mut bytes).map_err(io)?;
        if bytes.len() as u64 > limit {
            return Err(Error::Input(format!(
                "{}: more than {} from a pipe or device, the most read from one (write the \
                 input to a file and pass its path instead)",
                path.display(),
                size(limit)
            )));
        }
        Ok(Self {
            path,
            format,
            bytes: Some(bytes.into()),
        })
    }

    /// The path as the user gave it, for errors.
    pub(crate) fn path(&self) -> &'a Path {
        self.path
    }

    pub(crate) fn format(&self) -> InputFormat {
        self.format
    }

    /// The bytes of a text input (JSON, CSV), a leading UTF-8 byte order mark dropped.
    pub(crate) fn text(&self) -> Result<Bytes> {
        let bytes = match &self.bytes {
            Some(bytes) => bytes.clone(),
            None => std::fs::read(self.path)
                .map_err(|e| Error::io(self.path, e))?
                .into(),
        };
        let skip = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
        Ok(bytes.slice(skip..))
    }

    /// A reader over the whole input, and its length.
    pub(crate) fn reader(&self) -> Result<(Box<dyn ReadSeek>, u64)> {
        match &self.bytes {
            Some(bytes) => Ok((Box::new(Cursor::new(bytes.clone())), bytes.len() as u64)),
            None => {
                let io = |e| Error::io(self.path, e);
                let file = File::open(self.path).map_err(io)?;
                let len = file.metadata().map_err(io)?.len();
                Ok((Box::new(BufReader::new(file)), len))
            }
        }
    }

    /// The input as the Parquet decoder reads it.
    pub(crate) fn parquet(&self) -> Result<ParquetInput> {
        match &self.bytes {
            Some(bytes) => Ok(ParquetInput::from(bytes.clone())),
            None => ParquetInput::open(self.path),
        }
    }
}

/// A size in GiB when it is whole ones, else in bytes.
fn size(bytes: u64) -> String {
    match bytes % (1 << 30) {
        0 if bytes > 0 => format!("{} GiB", bytes >> 30),
        _ => format!("{bytes} bytes"),
    }
}

impl InputFormat {
    /// The format of the file at `path`, from its first bytes. A pipe gives those bytes once:
    /// the readers (`read_matrix` and the others) tell its format from the bytes they read.
    pub fn detect(path: &Path) -> Result<Self> {
        Ok(sniff(path)?.2)
    }
}

/// Opens `path` and reads its first bytes (fewer only at its end) and the format they tell.
pub(crate) fn sniff(path: &Path) -> Result<(File, Vec<u8>, InputFormat)> {
    let io = |e| Error::io(path, e);
    let mut file = File::open(path).map_err(io)?;
    let mut head = Vec::new();
    file.by_ref()
        .take(HEAD)
        .read_to_end(&mut head)
        .map_err(io)?;
    let format = InputFormat::of_head(&head, head.len() < HEAD as usize, path)?;
    Ok((file, head, format))
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::PathBuf;
    use std::process::Command;

    use zkmr_core::fixed_point::Number;

    use super::*;

    /// A FIFO in a fresh directory, and a thread that writes `bytes` into it once a reader
    /// opens it.
    fn fifo(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf, std::thread::JoinHandle<()>) {
        let bytes = bytes.to_vec();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        let made = Command::new("mkfifo").arg(&path).status().unwrap();
        assert!(made.success(), "mkfifo {}", path.display());
        let writer = {
            let path = path.clone();
            std::thread::spawn(move || {
                // Blocks until the reader opens the other end.
                let mut pipe = std::fs::OpenOptions::new().write(true).open(path).unwrap();
                // A reader that stops early closes its end; the writer need not finish.
                let _ = pipe.write_all(&bytes);
            })
        };
        (dir, path, writer)
    }

    #[test]
    fn a_fifo_is_read_once_and_named_in_errors() {
        let (_dir, path, writer) = fifo("x.fifo", b"[1, 2.5, -3]");
        assert!(!std::fs::metadata(&path).unwrap().is_file());
        let values = crate::read_vector(&path).unwrap();
        writer.join().unwrap();
        assert_eq!(
            values,
            vec![Number::Int(1), Number::Float(2.5), Number::Int(-3)]
        );

        let (_dir, path, writer) = fifo("m.fifo", b"row,col,value\n0,1,5\n2,0,-1.5\n");
        let read = crate::read_coordinates(&path).unwrap();
        writer.join().unwrap();
        assert_eq!(
            read.entries,
            vec![(0, 1, Number::Int(5)), (2, 0, Number::Float(-1.5))]
        );

        let (_dir, path, writer) = fifo("bad.fifo", b"row,col,value\n0,x,5\n");
        let err = crate::read_coordinates(&path).unwrap_err().to_string();
        writer.join().unwrap();
        assert_eq!(
            err,
            format!(
                "invalid input: {}: line 2, column \"col\": \"x\" is not an integer",
                path.display()
            )
        );

        let (_dir, path, writer) = fifo("bad.json", b"[1, \"two\"]");
        let err = crate::read_vector(&path).unwrap_err().to_string();
        writer.join().unwrap();
        assert_eq!(
            err,
            format!(
                "invalid input: {}: vector index 1: expected a number, found \"two\"",
                path.display()
            )
        );
    }

    #[test]
    fn a_fifo_of_no_format_is_refused_from_its_first_bytes() {
        let (_dir, path, writer) = fifo("zeros", &[0; 1 << 16]);
        let err = crate::read_vector(&path).unwrap_err().to_string();
        writer.join().unwrap();
        assert_eq!(
            err,
            format!(
                "invalid input: {}: not JSON, Parquet, Arrow IPC or CSV (unrecognised first \
                 bytes)",
                path.display()
            )
        );
    }

    #[test]
    fn an_empty_fifo_says_so() {
        let (_dir, path, writer) = fifo("empty", b"");
        let err = crate::read_coordinates(&path).unwrap_err().to_string();
        writer.join().unwrap();
        assert_eq!(
            err,
            format!("invalid input: {}: the file is empty", path.display())
        );
    }

    #[test]
    fn a_fifo_past_the_limit_is_refused() {
        let (_dir, path, writer) = fifo("long", b"[1, 2, 3, 4, 5, 6]");
        let err = Source::open_limited(&path, 8).err().unwrap().to_string();
        writer.join().unwrap();
        assert_eq!(
            err,
            format!(
                "invalid input: {}: more than 8 bytes from a pipe or device, the most read from \
                 one (write the input to a file and pass its path instead)",
                path.display()
            )
        );
        assert_eq!(size(UNSEEKABLE_LIMIT), "4 GiB");
    }

    /// A Parquet matrix through a FIFO is decoded from memory, bounds checks included.
    #[test]
    fn a_parquet_matrix_reads_through_a_fifo() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.parquet");
        crate::write_matrix_parquet(&file, 2, [vec![1.0, 2.5], vec![-3.0, 4.0]].into_iter())
            .unwrap();
        let (_dir, path, writer) = fifo("m", &std::fs::read(&file).unwrap());
        let rows = crate::read_matrix(&path).unwrap();
        writer.join().unwrap();
        assert_eq!(
            rows,
            vec![
                vec![Number::Float(1.0), Number::Float(2.5)],
                vec![Number::Float(-3.0), Number::Float(4.0)],
            ]
        );
    }
}
