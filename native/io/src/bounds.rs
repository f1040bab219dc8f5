//! Checks that the sizes a Parquet or Arrow IPC input declares fit in its bytes, before the
//! decoders allocate by them, and the Parquet input the decoder reads through.
//!
//! arrow's IPC readers allocate a message's metadata and body, and a file's footer and blocks,
//! at the lengths the input declares before reading them, and parquet sizes a column's
//! dictionary by its page header's value count before checking that the page holds that many
//! values. So a few bytes can ask for gigabytes, or for more than the allocator can give, which
//! aborts the process (no `catch_unwind` helps: the JVM engines read through JNI in their own
//! process). These walks read only the framing and refuse a length that overruns the input.

use std::fmt::Display;
use std::fs::File;
use std::io::{BufReader, ErrorKind, Read, Seek, SeekFrom};
use std::path::Path;

use arrow::ipc::{root_as_footer, root_as_message};
use bytes::{Buf, Bytes};
use parquet::basic::Type as PhysicalType;
use parquet::column::page::Page;
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, FileReader, Length, SerializedFileReader};
use zkmr_core::{Error, Result};

fn overrun(origin: &dyn Display, what: &str, declared: i64, left: u64) -> Error {
    Error::Input(format!(
        "{origin}: {what} declares {declared} bytes, but only {left} follow"
    ))
}

/// Reads exactly `buf.len()` bytes, or says that the input ended first.
fn read_or_end(reader: &mut impl Read, buf: &mut [u8]) -> Result<bool> {
    match reader.read_exact(buf) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(Error::Input(format!("reading an Arrow IPC input: {e}"))),
    }
}

/// The messages of an Arrow IPC stream of `len` bytes: each one's metadata and body fit in
/// what is left. Framing the decoder will reject anyway (a bad flatbuffer, a short read) is
/// left to its error.
pub(crate) fn ipc_stream<R: Read + Seek>(
    reader: &mut R,
    len: u64,
    origin: &dyn Display,
) -> Result<()> {
    let io = |e: std::io::Error| Error::Input(format!("{origin}: {e}"));
    loop {
        let mut word = [0u8; 4];
        if !read_or_end(reader, &mut word)? {
            return Ok(());
        }
        if word == [0xff; 4] && !read_or_end(reader, &mut word)? {
            return Ok(());
        }
        let meta_len = i32::from_le_bytes(word);
        if meta_len <= 0 {
            return Ok(());
        }
        let left = len.saturating_sub(reader.stream_position().map_err(io)?);
        if meta_len as u64 > left {
            return Err(overrun(
                origin,
                "a message's metadata",
                meta_len.into(),
                left,
            ));
        }
        let mut meta = vec![0u8; meta_len as usize];
        reader.read_exact(&mut meta).map_err(io)?;
        let Ok(message) = root_as_message(&meta) else {
            return Ok(());
        };
        let body = message.bodyLength();
        let left = left - meta_len as u64;
        if body < 0 || body as u64 > left {
            return Err(overrun(origin, "a message's body", body, left));
        }
        reader.seek(SeekFrom::Current(body)).map_err(io)?;
    }
}

/// The footer and blocks of an Arrow IPC file of `len` bytes: the footer fits before its
/// length word, and every block it lists lies inside the file.
pub(crate) fn ipc_file<R: Read + Seek>(
    reader: &mut R,
    len: u64,
    origin: &dyn Display,
) -> Result<()> {
    let io = |e: std::io::Error| Error::Input(format!("{origin}: {e}"));
    if len < 10 {
        return Ok(());
    }
    let mut tail = [0u8; 10];
    reader.seek(SeekFrom::End(-10)).map_err(io)?;
    reader.read_exact(&mut tail).map_err(io)?;
    let footer_len = i32::from_le_bytes(tail[..4].try_into().expect("4 bytes"));
    if footer_len < 0 {
        return Ok(());
    }
    if footer_len as u64 > len - 10 {
        return Err(overrun(origin, "the footer", footer_len.into(), len - 10));
    }
    let mut footer = vec![0u8; footer_len as usize];
    reader
        .seek(SeekFrom::End(-10 - i64::from(footer_len)))
        .map_err(io)?;
    reader.read_exact(&mut footer).map_err(io)?;
    let Ok(footer) = root_as_footer(&footer) else {
        return Ok(());
    };
    let blocks = footer.dictionaries().into_iter().flatten();
    for block in blocks.chain(footer.recordBatches().into_iter().flatten()) {
        let (offset, meta, body) = (block.offset(), block.metaDataLength(), block.bodyLength());
        let end = i128::from(offset) + i128::from(meta) + i128::from(body);
        if offset < 0 || meta < 0 || body < 0 || end > i128::from(len) {
            return Err(Error::Input(format!(
                "{origin}: a block at offset {offset} declares {meta} + {body} bytes, past the \
                 end of the {len}-byte file"
            )));
        }
    }
    Ok(())
}

/// The dictionary page of every column chunk of a Parquet file holds the values its header
/// counts. Only the first page of each chunk is read (a dictionary comes first).
pub(crate) fn parquet_dictionaries<R: ChunkReader + 'static>(
    input: R,
    origin: &dyn Display,
) -> Result<()> {
    let err = |e: parquet::errors::ParquetError| Error::Input(format!("{origin}: {e}"));
    let file = SerializedFileReader::new(input).map_err(err)?;
    for g in 0..file.num_row_groups() {
        let group = file.get_row_group(g).map_err(err)?;
        for c in 0..group.num_columns() {
            let column = group.metadata().column(c);
            // The fewest bytes a plain-encoded value takes; a byte array's is its length word.
            let width: u64 = match column.column_type() {
                PhysicalType::BOOLEAN => 0,
                PhysicalType::INT32 | PhysicalType::FLOAT | PhysicalType::BYTE_ARRAY => 4,
                PhysicalType::INT64 | PhysicalType::DOUBLE => 8,
                PhysicalType::INT96 => 12,
                PhysicalType::FIXED_LEN_BYTE_ARRAY => {
                    u64::try_from(column.column_descr().type_length()).unwrap_or(0)
                }
            };
            let page = group
                .get_column_page_reader(c)
                .and_then(|mut pages| pages.get_next_page())
                .map_err(err)?;
            if let Some(Page::DictionaryPage {
                buf, num_values, ..
            }) = page
            {
                if u64::from(num_values) * width > buf.len() as u64 {
                    return Err(Error::Input(format!(
                        "{origin}: column {} of row group {g}: a dictionary of {num_values} \
                         values in {} bytes",
                        column.column_path(),
                        buf.len()
                    )));
                }
            }
        }
    }
    Ok(())
}

/// A Parquet file as the decoder reads it: never past its end.
///
/// parquet's own reader of a `File` trusts two things this does not. It allocates a chunk at
/// the length the metadata declares before reading it (this checks the length against the
/// file first). And its readers return no bytes at the end of the file, which parquet's
/// skipping of unknown Thrift fields takes as progress: a page header declaring a list of 2^31
/// doubles at the end of an 850-byte file took 2^31 reads, minutes of CPU (these readers fail
/// there instead, ending the skip). Its reader of `Bytes` (an input read from a pipe) returns
/// no bytes at the end too.
pub(crate) struct ParquetInput {
    data: ParquetData,
    len: u64,
}

/// Where a Parquet input's bytes lie.
enum ParquetData {
    File(File),
    Bytes(Bytes),
}

impl ParquetInput {
    pub(crate) fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
        Ok(Self {
            data: ParquetData::File(file),
            len,
        })
    }
}

impl From<Bytes> for ParquetInput {
    fn from(bytes: Bytes) -> Self {
        Self {
            len: bytes.len() as u64,
            data: ParquetData::Bytes(bytes),
        }
    }
}

impl Length for ParquetInput {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for ParquetInput {
    type T = UntilEnd<Box<dyn Read + Send>>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        Ok(UntilEnd(match &self.data {
            ParquetData::File(file) => {
                let mut file = file.try_clone()?;
                file.seek(SeekFrom::Start(start))?;
                Box::new(BufReader::new(file))
            }
            ParquetData::Bytes(bytes) => {
                let start = usize::try_from(start).map_or(bytes.len(), |s| s.min(bytes.len()));
                Box::new(bytes.slice(start..).reader())
            }
        }))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        if start
            .checked_add(length as u64)
            .is_none_or(|end| end > self.len)
        {
            return Err(ParquetError::EOF(format!(
                "{length} bytes at offset {start} are past the end of the {}-byte file",
                self.len
            )));
        }
        match &self.data {
            ParquetData::File(file) => {
                let mut file = file.try_clone()?;
                file.seek(SeekFrom::Start(start))?;
                let mut bytes = vec![0; length];
                file.read_exact(&mut bytes)?;
                Ok(bytes.into())
            }
            // In range: checked above.
            ParquetData::Bytes(bytes) => Ok(bytes.slice(start as usize..start as usize + length)),
        }
    }
}

/// A reader that fails at the end of its input where `Read` returns no bytes.
pub(crate) struct UntilEnd<R>(R);

impl<R: Read> Read for UntilEnd<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.0.read(buf)? {
            0 if !buf.is_empty() => Err(std::io::Error::new(
                ErrorKind::UnexpectedEof,
                "read past the end of the Parquet file",
            )),
            n => Ok(n),
        }
    }
}
