//! The batch proof file: the magic word, then records, each an 8-byte little-endian length and
//! a [`zkmr_proto::BatchRecord`]: the header, the chunks in order, the trailer.

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::Path;

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
    commitment: Vec<u8>,
    trailer: Option<BatchTrailer>,
}

impl BatchReader<BufReader<File>> {
    /// Opens the batch proof at `path`, named by its path in errors: one that cannot be read is
    /// [`Error::Io`], one whose header is wrong [`Error::Format`].
    pub fn open(path: &Path) -> Result<Self> {
        let len = std::fs::metadata(path)
            .map_err(|e| Error::io(path, e))?
            .len();
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        Self::new(BufReader::new(file), len, &path.display().to_string())
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
            commitment: Vec::new(),
            trailer: None,
        };
        match reader.record()? {
            Some(Record::Header(header)) if header.version == zkmr_proto::BATCH_VERSION => {
                reader.commitment = header.matrix_commitment;
                Ok(reader)
            }
            Some(Record::Header(header)) => Err(reader.error(format!(
                "batch proof version {} (this zkmr reads version {})",
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

    /// The next chunk; `None` after the trailer, which must end the input.
    pub fn next_chunk(&mut self) -> Result<Option<BatchChunk>> {
        if self.trailer.is_some() {
            return Ok(None);
        }
        match self.record()? {
            Some(Record::Chunk(chunk)) => Ok(Some(*chunk)),
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

    fn error(&self, message: impl std::fmt::Display) -> Error {
        format_error(&self.origin, message)
    }
}

fn format_error(origin: &str, message: impl std::fmt::Display) -> Error {
    Error::Format(format!("{origin}: {message}"))
}
