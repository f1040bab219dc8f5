//! Parquet and Arrow IPC inputs, read as Arrow record batches.

use std::fs::File;
use std::path::Path;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Float32Type, Float64Type, Int32Type, Int64Type};
use arrow::ipc::reader::{FileReader, StreamReader};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use zkmr_core::fixed_point::Number;
use zkmr_core::{Error, Result};

use crate::format::InputFormat;
use crate::in_file;

/// Every record batch of a Parquet or Arrow IPC file.
fn batches(path: &Path, format: InputFormat) -> Result<Vec<RecordBatch>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let collect = |it: &mut dyn Iterator<
        Item = std::result::Result<RecordBatch, arrow::error::ArrowError>,
    >| {
        it.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| in_file(path, e))
    };
    match format {
        InputFormat::Parquet => {
            let mut reader = ParquetRecordBatchReaderBuilder::try_new(file)
                .and_then(|b| b.build())
                .map_err(|e| in_file(path, e))?;
            collect(&mut reader)
        }
        InputFormat::ArrowIpc => {
            let mut head = [0u8; 6];
            std::io::Read::read_exact(
                &mut File::open(path).map_err(|e| Error::io(path, e))?,
                &mut head,
            )
            .map_err(|e| Error::io(path, e))?;
            if &head == b"ARROW1" {
                let mut reader = FileReader::try_new(file, None).map_err(|e| in_file(path, e))?;
                collect(&mut reader)
            } else {
                let mut reader = StreamReader::try_new(std::io::BufReader::new(file), None)
                    .map_err(|e| in_file(path, e))?;
                collect(&mut reader)
            }
        }
        InputFormat::Json => unreachable!("JSON is read by the json module"),
    }
}

/// The numbers of a primitive numeric array; `at(i)` names entry `i` in errors.
fn numbers(array: &dyn Array, path: &Path, at: &dyn Fn(usize) -> String) -> Result<Vec<Number>> {
    if let Some(i) = (0..array.len()).find(|i| array.is_null(*i)) {
        return Err(in_file(path, format!("{}: null value", at(i))));
    }
    Ok(match array.data_type() {
        DataType::Int64 => array
            .as_primitive::<Int64Type>()
            .values()
            .iter()
            .map(|v| Number::Int(*v))
            .collect(),
        DataType::Int32 => array
            .as_primitive::<Int32Type>()
            .values()
            .iter()
            .map(|v| Number::Int(*v as i64))
            .collect(),
        DataType::Float64 => array
            .as_primitive::<Float64Type>()
            .values()
            .iter()
            .map(|v| Number::Float(*v))
            .collect(),
        DataType::Float32 => array
            .as_primitive::<Float32Type>()
            .values()
            .iter()
            .map(|v| Number::Float(*v as f64))
            .collect(),
        other => {
            return Err(in_file(
                path,
                format!(
                    "{}: values of type {other} are not numbers (use int64 or float64)",
                    at(0)
                ),
            ))
        }
    })
}

fn column<'a>(batch: &'a RecordBatch, name: &str, path: &Path) -> Result<&'a ArrayRef> {
    batch.column_by_name(name).ok_or_else(|| {
        let have: Vec<_> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        in_file(
            path,
            format!("missing column \"{name}\" (columns: {})", have.join(", ")),
        )
    })
}

pub(crate) fn read_matrix(path: &Path, format: InputFormat) -> Result<Vec<Vec<Number>>> {
    let mut rows: Vec<Option<Vec<Number>>> = Vec::new();
    for batch in batches(path, format)? {
        let index = column(&batch, "row", path)?;
        let index = match index.data_type() {
            DataType::Int64 => index.as_primitive::<Int64Type>().clone(),
            other => {
                return Err(in_file(
                    path,
                    format!("column \"row\" has type {other}, expected int64"),
                ))
            }
        };
        let values = column(&batch, "values", path)?;
        let lists: Vec<Option<ArrayRef>> = match values.data_type() {
            DataType::List(_) => values.as_list::<i32>().iter().collect(),
            DataType::LargeList(_) => values.as_list::<i64>().iter().collect(),
            DataType::FixedSizeList(_, _) => values.as_fixed_size_list().iter().collect(),
            other => {
                return Err(in_file(
                    path,
                    format!("column \"values\" has type {other}, expected a list of numbers"),
                ))
            }
        };
        for (pos, list) in lists.into_iter().enumerate() {
            if index.is_null(pos) {
                return Err(in_file(
                    path,
                    format!("record {pos} of a batch: null row index"),
                ));
            }
            let i = index.value(pos);
            let i = usize::try_from(i)
                .map_err(|_| in_file(path, format!("row index {i} is negative")))?;
            let list = list.ok_or_else(|| in_file(path, format!("row {i}: values is null")))?;
            let row = numbers(list.as_ref(), path, &|j| format!("row {i}, column {j}"))?;
            if i >= rows.len() {
                rows.resize(i + 1, None);
            }
            if rows[i].replace(row).is_some() {
                return Err(in_file(path, format!("row {i} appears more than once")));
            }
        }
    }
    rows.into_iter()
        .enumerate()
        .map(|(i, r)| r.ok_or_else(|| in_file(path, format!("row {i} is missing"))))
        .collect()
}

pub(crate) fn read_vector(path: &Path, format: InputFormat) -> Result<Vec<Number>> {
    let mut out = Vec::new();
    for batch in batches(path, format)? {
        if batch.num_columns() != 1 {
            return Err(in_file(
                path,
                format!(
                    "a vector table has one column, this one has {}",
                    batch.num_columns()
                ),
            ));
        }
        let offset = out.len();
        out.extend(numbers(batch.column(0).as_ref(), path, &|j| {
            format!("vector index {}", offset + j)
        })?);
    }
    Ok(out)
}
