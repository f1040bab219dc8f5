//! The batch proof file: the magic word, then records, each an 8-byte little-endian length and
//! a [`zkmr_proto::BatchRecord`]: the header, the chunks in order, the trailer. A chunk holds
//! its bundle, or (version 2) names the file beside the batch proof that holds it: an engine's
//! tasks write their chunks' bundles to files, and its driver lists them rather than copying
//! every byte into one file.

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};

use prost::Message;
use zkmr_proto::batch_record::Record;
use zkmr_proto::{BatchChunk, BatchHeader, BatchRecord, BatchTrailer};

use super::root::{batch_root, chunk_leaf};
use crate::error::{Error, Result};

/// The first bytes of every batch proof.
pub const MAGIC: &[u8; 8] = b"zkmrbat1";

/// Writes a batch proof chunk by chunk, keeping only each chunk's leaf.
pub struct BatchWriter<W: Write> {
    out: W,
    commitment: [u8; 32],
    leaves: Vec<[u8; 32]>,
    inputs: u64,
}

impl<W: Write> BatchWriter<W> {
    /// Starts a batch for the matrix behind `commitment`.
    pub fn new(mut out: W, commitment: [u8; 32]) -> std::io::Result<Self> {
        out.write_all(MAGIC)?;
        let header = Record::Header(BatchHeader {
            version: zkmr_proto::BATCH_VERSION,
            matrix_commitment: commitment.to_vec(),
        });
        write_record(&mut out, header)?;
        Ok(Self {
            out,
            commitment,
            leaves: Vec::new(),
            inputs: 0,
        })
    }

    /// Appends the next chunk: a bundle its prover verified, with the job root it states.
    pub fn push(&mut self, bundle: zkmr_proto::Bundle, job_root: &[u8; 32]) -> std::io::Result<()> {
        let index = self.leaves.len() as u32;
        let count = u64::from(bundle.vectors.max(1));
        self.leaves
            .push(chunk_leaf(index, self.inputs, count, job_root));
        let chunk = Record::Chunk(Box::new(BatchChunk {
            index,
            first: self.inputs,
            bundle: Some(bundle),
            file: String::new(),
        }));
        self.inputs += count;
        write_record(&mut self.out, chunk)
    }

    /// Ends the batch with its trailer; returns the root, the chunk count and the input count.
    pub fn finish(mut self) -> std::io::Result<([u8; 32], u32, u64)> {
        let root = batch_root(&self.commitment, self.inputs, &self.leaves);
        let chunks = self.leaves.len() as u32;
        let trailer = Record::Trailer(BatchTrailer {
            chunks,
            inputs: self.inputs,
            root: root.to_vec(),
        });
        write_record(&mut self.out, trailer)?;
        self.out.flush()?;
        Ok((root, chunks, self.inputs))
    }
}

fn write_record(out: &mut impl Write, record: Record) -> std::io::Result<()> {
    let bytes = BatchRecord {
        record: Some(record),
    }
    .encode_to_vec();
    out.write_all(&(bytes.len() as u64).to_le_bytes())?;
    out.write_all(&bytes)
}

/// Reads a batch proof of `len` bytes record by record: the header on opening, then the
/// chunks, then the trailer, after which the input must end. Each record's length is checked
/// against the bytes left before anything is allocated for it.
pub struct BatchReader<R: Read> {
    input: R,
    left: u64,
    origin: String,
    /// The directory a chunk's file is named from: the batch proof's own, when it was opened
    /// from a file; a proof read from elsewhere must hold every bundle.
    dir: Option<PathBuf>,
    version: u32,
    commitment: Vec<u8>,
    trailer: Option<BatchTrailer>,
}

impl BatchReader<BufReader<File>> {
    /// Opens the batch proof at `path`, named by its path in errors: one that cannot be read is
    /// [`Error::Io`], one whose header is wrong [`Error::Format`]. Chunk files it names are read
    /// from its directory.
    pub fn open(path: &Path) -> Result<Self> {
        let len = std::fs::metadata(path)
            .map_err(|e| Error::io(path, e))?
            .len();
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut reader = Self::new(BufReader::new(file), len, &path.display().to_string())?;
        reader.dir = Some(match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        });
        Ok(reader)
    }
}

impl<R: Read> BatchReader<R> {
    pub fn new(mut input: R, len: u64, origin: &str) -> Result<Self> {
        let mut magic = [0u8; 8];
        input
            .read_exact(&mut magic)
            .map_err(|e| format_error(origin, format!("not a batch proof: {e}")))?;
        if &magic != MAGIC {
            return Err(format_error(
                origin,
                "not a batch proof (no zkmrbat1 magic)",
            ));
        }
        let mut reader = Self {
            input,
            left: len.saturating_sub(8),
            origin: origin.into(),
            dir: None,
            version: 0,
            commitment: Vec::new(),
            trailer: None,
        };
        match reader.record()? {
            Some(Record::Header(header))
                if (1..=zkmr_proto::BATCH_VERSION).contains(&header.version) =>
            {
                reader.version = header.version;
                reader.commitment = header.matrix_commitment;
                Ok(reader)
            }
            Some(Record::Header(header)) => Err(reader.error(format!(
                "batch proof version {} (this zkmr reads versions 1 to {})",
                header.version,
                zkmr_proto::BATCH_VERSION
            ))),
            _ => Err(reader.error("the first record is not the batch header")),
        }
    }

    /// The commitment the header claims.
    pub fn claimed_commitment(&self) -> &[u8] {
        &self.commitment
    }

    /// The next chunk, holding its bundle (read from its file where it names one); `None`
    /// after the trailer, which must end the input.
    pub fn next_chunk(&mut self) -> Result<Option<BatchChunk>> {
        if self.trailer.is_some() {
            return Ok(None);
        }
        match self.record()? {
            Some(Record::Chunk(chunk)) => self.with_bundle(*chunk).map(Some),
            Some(Record::Trailer(trailer)) => {
                let mut rest = [0u8; 1];
                if self.left > 0 || self.input.read(&mut rest).unwrap_or(0) > 0 {
                    return Err(self.error("bytes follow the trailer"));
                }
                self.trailer = Some(trailer);
                Ok(None)
            }
            Some(Record::Header(_)) => Err(self.error("a second header")),
            None => Err(self.error("a record with nothing in it")),
        }
    }

    /// The trailer, once [`Self::next_chunk`] has returned `None`.
    pub fn trailer(&self) -> Option<&BatchTrailer> {
        self.trailer.as_ref()
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    fn record(&mut self) -> Result<Option<Record>> {
        let mut word = [0u8; 8];
        self.input
            .read_exact(&mut word)
            .map_err(|_| self.error("the batch proof ends before its trailer (cut short?)"))?;
        let len = u64::from_le_bytes(word);
        self.left = self.left.saturating_sub(8);
        if len > self.left {
            return Err(self.error(format!(
                "a record declares {len} bytes, but only {} follow",
                self.left
            )));
        }
        let mut bytes = vec![0u8; len as usize];
        self.input
            .read_exact(&mut bytes)
            .map_err(|e| self.error(format!("reading a record: {e}")))?;
        self.left -= len;
        let record = BatchRecord::decode(bytes.as_slice())
            .map_err(|e| self.error(format!("a record does not decode: {e}")))?;
        // Only the canonical encoding, as for bundles: every byte is part of what is verified.
        if record.encode_to_vec() != bytes {
            return Err(self.error("a record is not in canonical form"));
        }
        Ok(record.record)
    }

    /// `chunk` with its bundle: the one it holds, or the one in the file it names, decoded as
    /// a bundle file is (canonical encoding only). The name must stay inside the batch proof's
    /// directory and name a regular file, so a hostile proof can neither reach elsewhere nor
    /// make the reader wait on a device.
    fn with_bundle(&self, mut chunk: BatchChunk) -> Result<BatchChunk> {
        if chunk.file.is_empty() {
            return Ok(chunk);
        }
        let at = format!("chunk {} (inputs from {})", chunk.index, chunk.first);
        if self.version < 2 {
            return Err(self.error(format!(
                "{at} names a file, which version {} batch proofs do not",
                self.version
            )));
        }
        if chunk.bundle.is_some() {
            return Err(self.error(format!(
                "{at} holds its bundle and also names the file {:?}",
                chunk.file
            )));
        }
        let name = Path::new(&chunk.file);
        if !name.components().all(|c| matches!(c, Component::Normal(_))) {
            return Err(self.error(format!(
                "{at} names the file {:?}, which is not a relative path of plain names",
                chunk.file
            )));
        }
        let dir = self.dir.as_ref().ok_or_else(|| {
            self.error(format!(
                "{at} is in the file {:?}, but this batch proof was not read from a directory",
                chunk.file
            ))
        })?;
        let path = dir.join(name);
        let meta = std::fs::metadata(&path)
            .map_err(|e| self.error(format!("{at}: its file {}: {e}", path.display())))?;
        if !meta.is_file() {
            return Err(self.error(format!(
                "{at}: its file {} is not a regular file",
                path.display()
            )));
        }
        let bundle = crate::bundle::read(&path).map_err(|e| self.error(format!("{at}: {e}")))?;
        chunk.bundle = Some(bundle);
        chunk.file.clear();
        Ok(chunk)
    }

    fn error(&self, message: impl std::fmt::Display) -> Error {
        format_error(&self.origin, message)
    }
}

fn format_error(origin: &str, message: impl std::fmt::Display) -> Error {
    Error::Format(format!("{origin}: {message}"))
}
