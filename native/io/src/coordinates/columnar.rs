//! Coordinate entries from Parquet or Arrow IPC record batches with the columns `row`, `col`
//! and `value`.

use std::fmt::Display;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Int32Type, Int64Type};
use zkmr_core::sparse::Entry;
use zkmr_core::{Error, Result};

use super::index;

fn indices(batch: &RecordBatch, name: &str, origin: &dyn Display) -> Result<Vec<u64>> {
    let column = crate::arrow_table::column(batch, name, origin)?;
    if column.null_count() > 0 {
        return Err(Error::Input(format!(
            "{origin}: column \"{name}\": null index"
        )));
    }
    let values: Vec<i64> = match column.data_type() {
        DataType::Int64 => column.as_primitive::<Int64Type>().values().to_vec(),
        DataType::Int32 => column
            .as_primitive::<Int32Type>()
            .values()
            .iter()
            .map(|v| *v as i64)
            .collect(),
        other => {
            return Err(Error::Input(format!(
                "{origin}: column \"{name}\" has type {other}, expected int64"
            )))
        }
    };
    values
        .into_iter()
        .map(|v| index(v, name, || origin.to_string()))
        .collect()
}

/// The entries of record batches with the columns `row`, `col` and `value`.
pub(crate) fn entries_of_batches(
    batches: &[RecordBatch],
    origin: &dyn Display,
) -> Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for batch in batches {
        let rows = indices(batch, "row", origin)?;
        let cols = indices(batch, "col", origin)?;
        let first = entries.len();
        let values = crate::arrow_table::numbers(
            crate::arrow_table::column(batch, "value", origin)?.as_ref(),
            origin,
            &|k| format!("entry {}", first + k),
        )?;
        entries.extend(
            rows.into_iter()
                .zip(cols)
                .zip(values)
                .map(|((i, j), v)| (i, j, v)),
        );
    }
    Ok(entries)
}

/// Whether record batches hold coordinate entries (a `col` column) rather than rows.
pub(crate) fn holds_entries(batches: &[RecordBatch]) -> bool {
    batches
        .first()
        .is_some_and(|b| b.schema().column_with_name("col").is_some())
}
