//! A Parquet matrix read record batch by record batch, for a setup that must not hold the
//! whole matrix in memory.

use std::path::Path;

use arrow::array::RecordBatch;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use zkmr_core::fixed_point::Number;
use zkmr_core::Result;

use crate::arrow_table::matrix_rows;
use crate::format::InputFormat;
use crate::in_file;
use crate::source::Source;

/// The rows of a Parquet matrix (`row: int64`, `values: list<number>`), in file order.
pub struct ParquetRows {
    reader: ParquetRecordBatchReader,
    origin: String,
    batch: std::vec::IntoIter<(u64, Vec<Number>)>,
}

/// What one pass over a Parquet matrix tells before it is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Survey {
    pub rows: u64,
    pub cols: usize,
    /// Every value is an integer (so the default encoding has scale 0).
    pub integral: bool,
}

impl ParquetRows {
    pub fn open(path: &Path) -> Result<Self> {
        Self::of(&Source::open(path)?)
    }

    pub(crate) fn of(source: &Source) -> Result<Self> {
        let path = source.path();
        if source.format() != InputFormat::Parquet {
            return Err(in_file(path, "not a Parquet file"));
        }
        let reader = crate::decoding(&path.display(), || {
            crate::bounds::parquet_dictionaries(source.parquet()?, &path.display())?;
            ParquetRecordBatchReaderBuilder::try_new(source.parquet()?)
                .and_then(|b| b.build())
                .map_err(|e| in_file(path, e))
        })?;
        Ok(Self {
            reader,
            origin: path.display().to_string(),
            batch: Vec::new().into_iter(),
        })
    }

    fn next_batch(&mut self) -> Option<Result<RecordBatch>> {
        let origin = &self.origin;
        let reader = &mut self.reader;
        match crate::decoding(origin, || Ok(reader.next())) {
            Ok(next) => {
                next.map(|b| b.map_err(|e| zkmr_core::Error::Input(format!("{origin}: {e}"))))
            }
            Err(e) => Some(Err(e)),
        }
    }

    /// Rows, columns and integrality from one pass (the rows' order and completeness are
    /// checked when they are committed).
    pub fn survey(path: &Path) -> Result<Survey> {
        Self::survey_of(&Source::open(path)?)
    }

    pub(crate) fn survey_of(source: &Source) -> Result<Survey> {
        let path = source.path();
        let mut rows = 0u64;
        let mut cols = None;
        let mut integral = true;
        for row in Self::of(source)? {
            let (i, values) = row?;
            let expected = *cols.get_or_insert(values.len());
            if values.len() != expected {
                return Err(zkmr_core::Error::Input(format!(
                    "{}: row {i} has {} values but the first row has {expected}",
                    path.display(),
                    values.len()
                )));
            }
            integral &= values.iter().all(|v| v.is_integral());
            rows += 1;
        }
        match cols {
            Some(cols) if cols > 0 => Ok(Survey {
                rows,
                cols,
                integral,
            }),
            _ => Err(zkmr_core::Error::Input(format!(
                "{}: the matrix has no rows or no columns",
                path.display()
            ))),
        }
    }
}

impl Iterator for ParquetRows {
    type Item = Result<(u64, Vec<Number>)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(row) = self.batch.next() {
                return Some(Ok(row));
            }
            let batch = match self.next_batch()? {
                Ok(batch) => batch,
                Err(e) => return Some(Err(e)),
            };
            match matrix_rows(&[batch], &self.origin) {
                Ok(rows) => self.batch = rows.into_iter(),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}
