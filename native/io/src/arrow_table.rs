//! Parquet and Arrow IPC inputs, read as Arrow record batches.

use std::fmt::Display;
use std::io::{Read, Seek};

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Float32Type, Float64Type, Int32Type, Int64Type};
use arrow::ipc::reader::{FileReader, StreamReader};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use zkmr_core::fixed_point::Number;
use zkmr_core::{Error, Result};

use crate::format::InputFormat;
use crate::in_file;
use crate::source::Source;

/// Prefixes an error message with where the data came from (a file, a batch sent by an engine).
fn at_origin(origin: &dyn Display, detail: impl Display) -> Error {
    Error::Input(format!("{origin}: {detail}"))
}

/// Every record batch of a Parquet or Arrow IPC input.
pub(crate) fn batches(source: &Source) -> Result<Vec<RecordBatch>> {
    crate::decoding(&source.path().display(), || decode(source))
}

fn decode(source: &Source) -> Result<Vec<RecordBatch>> {
    let path = source.path();
    let origin = path.display();
    let collect = |it: &mut dyn Iterator<
        Item = std::result::Result<RecordBatch, arrow::error::ArrowError>,
    >| {
        it.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| in_file(path, e))
    };
    match source.format() {
        InputFormat::Parquet => {
            crate::bounds::parquet_dictionaries(source.parquet()?, &origin)?;
            let mut reader = ParquetRecordBatchReaderBuilder::try_new(source.parquet()?)
                .and_then(|b| b.build())
                .map_err(|e| in_file(path, e))?;
            collect(&mut reader)
        }
        InputFormat::ArrowIpc => {
            let io = |e| Error::io(path, e);
            let (mut input, len) = source.reader()?;
            let mut head = [0u8; 6];
            input.read_exact(&mut head).map_err(io)?;
            input.rewind().map_err(io)?;
            if &head == b"ARROW1" {
                crate::bounds::ipc_file(&mut input, len, &origin)?;
                input.rewind().map_err(io)?;
                let mut reader = FileReader::try_new(input, None).map_err(|e| in_file(path, e))?;
                collect(&mut reader)
            } else {
                crate::bounds::ipc_stream(&mut input, len, &origin)?;
                input.rewind().map_err(io)?;
                let mut reader =
                    StreamReader::try_new(input, None).map_err(|e| in_file(path, e))?;
                collect(&mut reader)
            }
        }
        InputFormat::Json | InputFormat::Csv => {
            unreachable!("JSON and CSV are read by their own modules")
        }
    }
}

/// The numbers of a primitive numeric array; `at(i)` names entry `i` in errors.
pub(crate) fn numbers(
    array: &dyn Array,
    origin: &dyn Display,
    at: &dyn Fn(usize) -> String,
) -> Result<Vec<Number>> {
    if let Some(i) = (0..array.len()).find(|i| array.is_null(*i)) {
        return Err(at_origin(origin, format!("{}: null value", at(i))));
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
            return Err(at_origin(
                origin,
                format!(
                    "{}: values of type {other} are not numbers (use int64 or float64)",
                    at(0)
                ),
            ))
        }
    })
}

pub(crate) fn column<'a>(
    batch: &'a RecordBatch,
    name: &str,
    origin: &dyn Display,
) -> Result<&'a ArrayRef> {
    batch.column_by_name(name).ok_or_else(|| {
        let have: Vec<_> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        at_origin(
            origin,
            format!("missing column \"{name}\" (columns: {})", have.join(", ")),
        )
    })
}

/// The schema of a Parquet or Arrow IPC input's first batch.
pub(crate) fn first_schema(source: &Source) -> Result<arrow::datatypes::SchemaRef> {
    let path = source.path();
    if source.format() == InputFormat::Parquet {
        let builder = crate::decoding(&path.display(), || {
            ParquetRecordBatchReaderBuilder::try_new(source.parquet()?)
                .map_err(|e| in_file(path, e))
        })?;
        return Ok(builder.schema().clone());
    }
    batches(source)?
        .first()
        .map(|b| b.schema())
        .ok_or_else(|| in_file(path, "no record batches"))
}

pub(crate) fn read_matrix(source: &Source) -> Result<Vec<Vec<Number>>> {
    let origin = source.path().display();
    crate::ordered_rows(matrix_rows(&batches(source)?, &origin)?, &origin)
}

/// The `(row, values)` pairs of matrix batches, in the order they come.
pub(crate) fn matrix_rows(
    batches: &[RecordBatch],
    origin: &dyn Display,
) -> Result<Vec<(u64, Vec<Number>)>> {
    let mut rows = Vec::new();
    for batch in batches {
        let index = column(batch, "row", origin)?;
        let index = match index.data_type() {
            DataType::Int64 => index.as_primitive::<Int64Type>().clone(),
            other => {
                return Err(at_origin(
                    origin,
                    format!("column \"row\" has type {other}, expected int64"),
                ))
            }
        };
        let values = column(batch, "values", origin)?;
        let lists: Vec<Option<ArrayRef>> = match values.data_type() {
            DataType::List(_) => values.as_list::<i32>().iter().collect(),
            DataType::LargeList(_) => values.as_list::<i64>().iter().collect(),
            DataType::FixedSizeList(_, _) => values.as_fixed_size_list().iter().collect(),
            other => {
                return Err(at_origin(
                    origin,
                    format!("column \"values\" has type {other}, expected a list of numbers"),
                ))
            }
        };
        for (pos, list) in lists.into_iter().enumerate() {
            if index.is_null(pos) {
                return Err(at_origin(
                    origin,
                    format!("record {pos} of a batch: null row index"),
                ));
            }
            let i = index.value(pos);
            let i = u64::try_from(i)
                .map_err(|_| at_origin(origin, format!("row index {i} is negative")))?;
            let list = list.ok_or_else(|| at_origin(origin, format!("row {i}: values is null")))?;
            let row = numbers(list.as_ref(), origin, &|j| format!("row {i}, column {j}"))?;
            rows.push((i, row));
        }
    }
    Ok(rows)
}

pub(crate) fn read_vector(source: &Source) -> Result<Vec<Number>> {
    vector_numbers(&batches(source)?, &source.path().display())
}

/// The numbers of one-column vector batches.
pub(crate) fn vector_numbers(batches: &[RecordBatch], origin: &dyn Display) -> Result<Vec<Number>> {
    let mut out = Vec::new();
    for batch in batches {
        if batch.num_columns() != 1 {
            return Err(at_origin(
                origin,
                format!(
                    "a vector table has one column, this one has {}",
                    batch.num_columns()
                ),
            ));
        }
        let offset = out.len();
        out.extend(numbers(batch.column(0).as_ref(), origin, &|j| {
            format!("vector index {}", offset + j)
        })?);
    }
    Ok(out)
}

/// Every record batch of an Arrow IPC stream held in memory.
pub(crate) fn ipc_batches(bytes: &[u8], origin: &dyn Display) -> Result<Vec<RecordBatch>> {
    crate::decoding(origin, || {
        crate::bounds::ipc_stream(&mut std::io::Cursor::new(bytes), bytes.len() as u64, origin)?;
        let reader = StreamReader::try_new(std::io::Cursor::new(bytes), None)
            .map_err(|e| at_origin(origin, format!("not an Arrow IPC stream: {e}")))?;
        reader
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| at_origin(origin, format!("malformed Arrow IPC stream: {e}")))
    })
}
