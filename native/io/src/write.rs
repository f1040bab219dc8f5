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
    let mut writer = ArrowWriter::try_new(
        tmp.reopen().map_err(|e| Error::io(path, e))?,
        schema.clone(),
        Some(props),
    )
    .map_err(|e| in_file(path, e))?;
    let mut next = 0i64;
    let mut rows = rows.peekable();
    while rows.peek().is_some() {
        let mut values = ListBuilder::new(Float64Builder::new())
            .with_field(Arc::new(Field::new_list_field(DataType::Float64, true)));
        let start = next;
        for row in rows.by_ref().take(ROWS_PER_GROUP) {
            if row.len() != cols {
                return Err(in_file(
                    path,
                    format!("row {next} has {} values, expected {cols}", row.len()),
                ));
            }
            values.values().append_slice(&row);
            values.append(true);
            next += 1;
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from_iter_values(start..next)),
            Arc::new(values.finish()),
        ];
        let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| in_file(path, e))?;
        writer.write(&batch).map_err(|e| in_file(path, e))?;
    }
    writer.close().map_err(|e| in_file(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}
