//! Parquet files: dictionary pages hold the values they count, and a reader that never reads
//! past the end.

use std::fmt::Display;
use std::fs::File;
use std::io::{BufReader, ErrorKind, Read, Seek, SeekFrom};
use std::path::Path;

use bytes::{Buf, Bytes};
use parquet::basic::Type as PhysicalType;
use parquet::column::page::Page;
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, FileReader, Length, SerializedFileReader};
use zkmr_core::{Error, Result};

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
