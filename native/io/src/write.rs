//! Writing a matrix as Parquet, in the layout the readers and the SQL functions take.

use std::path::Path;
use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Builder, Int64Array, ListBuilder, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use zkmr_core::{Error, Result};

use crate::in_file;

/// Rows per Parquet row group: small enough that a reader streaming a wide matrix holds a
/// few megabytes of it at a time.
const ROWS_PER_GROUP: usize = 256;

/// The schema of a matrix table: `row: int64, values: list<float64>`.
fn matrix_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("row", DataType::Int64, false),
        Field::new(
            "values",
            DataType::List(Arc::new(Field::new_list_field(DataType::Float64, true))),
            false,
        ),
    ]))
}

/// Writes `rows` (each `cols` long) to `path` as Parquet, one row group at a time, so a
/// matrix larger than memory can be written from a generator. The file appears whole or
/// not at all.
pub fn write_matrix_parquet(
    path: &Path,
    cols: usize,
    rows: impl Iterator<Item = Vec<f64>>,
) -> Result<()> {
    let mut writer = MatrixWriter::create(path, cols)?;
    for row in rows {
        writer.push(&row)?;
    }
    writer.finish()
}

/// A Parquet matrix written row by row (`row` counting from 0), a row group at a time; the
/// file appears at [`MatrixWriter::finish`], whole, and not at all if the writer is dropped
/// before.
pub struct MatrixWriter {
    path: std::path::PathBuf,
    cols: usize,
    tmp: tempfile::NamedTempFile,
    writer: ArrowWriter<std::fs::File>,
    schema: Arc<Schema>,
    values: ListBuilder<Float64Builder>,
    start: i64,
    next: i64,
}

impl MatrixWriter {
    pub fn create(path: &Path, cols: usize) -> Result<Self> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_max_row_group_row_count(Some(ROWS_PER_GROUP))
            .build();
        let schema = matrix_schema();
        let writer = ArrowWriter::try_new(
            tmp.reopen().map_err(|e| Error::io(path, e))?,
            schema.clone(),
            Some(props),
        )
        .map_err(|e| in_file(path, e))?;
        Ok(Self {
            path: path.to_path_buf(),
            cols,
            tmp,
            writer,
            schema,
            values: list_builder(),
            start: 0,
            next: 0,
        })
    }

    /// Appends the next row.
    pub fn push(&mut self, row: &[f64]) -> Result<()> {
        if row.len() != self.cols {
            return Err(in_file(
                &self.path,
                format!(
                    "row {} has {} values, expected {}",
                    self.next,
                    row.len(),
                    self.cols
                ),
            ));
        }
        self.values.values().append_slice(row);
        self.values.append(true);
        self.next += 1;
        if self.next - self.start == ROWS_PER_GROUP as i64 {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        let mut values = std::mem::replace(&mut self.values, list_builder());
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from_iter_values(self.start..self.next)),
            Arc::new(values.finish()),
        ];
        let batch = RecordBatch::try_new(self.schema.clone(), columns)
            .map_err(|e| in_file(&self.path, e))?;
        self.writer
            .write(&batch)
            .map_err(|e| in_file(&self.path, e))?;
        self.start = self.next;
        Ok(())
    }

    /// Writes the last row group and puts the file in place.
    pub fn finish(mut self) -> Result<()> {
        if self.next > self.start {
            self.flush()?;
        }
        self.writer.close().map_err(|e| in_file(&self.path, e))?;
        self.tmp
            .persist(&self.path)
            .map_err(|e| Error::io(&self.path, e.error))?;
        Ok(())
    }
}

fn list_builder() -> ListBuilder<Float64Builder> {
    ListBuilder::new(Float64Builder::new())
        .with_field(Arc::new(Field::new_list_field(DataType::Float64, true)))
}
