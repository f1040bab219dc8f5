//! A batch of vectors read a chunk at a time, for a batch proved in chunks: Parquet is streamed
//! a row group at a time, so memory holds one chunk whatever the batch's size; JSON and Arrow
//! IPC batches are read whole, then cut.

use std::path::Path;

use zkmr_core::fixed_point::Number;
use zkmr_core::{Error, Result};

use crate::format::InputFormat;
use crate::source::Source;
use crate::stream::ParquetRows;

/// The vectors of a batch file, `size` at a time, in order.
pub struct VectorChunks {
    rows: Rows,
    size: usize,
    next: u64,
    origin: String,
    done: bool,
}

enum Rows {
    Streamed(ParquetRows),
    Read(std::vec::IntoIter<Vec<Number>>),
}

/// Opens the batch at `path` (as `read_vectors` reads it) to be read `size` vectors at a time.
/// A streamed Parquet batch must number its vectors 0, 1, 2, … in file order.
pub fn vector_chunks(path: &Path, size: usize) -> Result<VectorChunks> {
    let source = Source::open(path)?;
    let rows = if source.format() == InputFormat::Parquet {
        Rows::Streamed(ParquetRows::of(&source)?)
    } else {
        Rows::Read(crate::read_vectors(path)?.into_iter())
    };
    Ok(VectorChunks {
        rows,
        size: size.max(1),
        next: 0,
        origin: path.display().to_string(),
        done: false,
    })
}

impl VectorChunks {
    fn next_vector(&mut self) -> Option<Result<Vec<Number>>> {
        let vector = match &mut self.rows {
            Rows::Read(rows) => rows.next().map(Ok),
            Rows::Streamed(rows) => rows.next().map(|row| {
                let (index, values) = row?;
                if index != self.next {
                    return Err(Error::Input(format!(
                        "{}: vector {} is numbered {index} (row): a batch proved in chunks \
                         numbers its vectors 0, 1, 2, ... in file order",
                        self.origin, self.next
                    )));
                }
                Ok(values)
            }),
        };
        if vector.is_some() {
            self.next += 1;
        }
        vector
    }
}

impl Iterator for VectorChunks {
    type Item = Result<Vec<Vec<Number>>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut chunk = Vec::with_capacity(self.size.min(1 << 16));
        while chunk.len() < self.size {
            match self.next_vector() {
                Some(Ok(vector)) => chunk.push(vector),
                Some(Err(e)) => {
                    self.done = true;
                    return Some(Err(e));
                }
                None => break,
            }
        }
        if chunk.is_empty() {
            self.done = true;
            return (self.next == 0).then(|| {
                Err(Error::Input(format!(
                    "{}: the batch has no vectors",
                    self.origin
                )))
            });
        }
        Some(Ok(chunk))
    }
}
