//! Matrices in coordinate form: one `(row, col, value)` entry per non-zero, in any order (an
//! edge list is one). They read from
//!
//! - CSV with a header naming the columns `row`, `col` and `value` (in any order);
//! - JSON: `{"shape": [rows, cols], "entries": [[row, col, value], ...]}`, `shape` optional;
//! - Parquet or Arrow IPC with the columns `row`, `col` (integers) and `value` (numbers).
//!
//! The shape is the one given, else one past the largest row and column index.

use std::fmt::Display;
use std::path::Path;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Int32Type, Int64Type};
use serde_json::Value;
use zkmr_core::fixed_point::Number;
use zkmr_core::sparse::Entry;
use zkmr_core::{Error, Result};

use crate::format::InputFormat;
use crate::in_file;

/// A matrix as coordinate entries, with the shape its file gives, if any.
#[derive(Debug, PartialEq)]
pub struct Coordinates {
    pub shape: Option<(u64, u64)>,
    pub entries: Vec<Entry>,
}

impl Coordinates {
    /// The shape given, or one past the largest indices.
    pub fn shape(&self) -> (u64, u64) {
        self.shape.unwrap_or_else(|| {
            self.entries.iter().fold((0, 0), |(m, n), (i, j, _)| {
                (m.max(i.saturating_add(1)), n.max(j.saturating_add(1)))
            })
        })
    }
}

/// Whether the matrix file at `path` is in coordinate form rather than rows.
pub fn is_coordinates(path: &Path) -> Result<bool> {
    Ok(match InputFormat::detect(path)? {
        InputFormat::Csv => true,
        InputFormat::Json => {
            matches!(crate::json::parse(path)?, Value::Object(ref m) if m.contains_key("entries"))
        }
        format => crate::arrow_table::first_schema(path, format)?
            .fields()
            .iter()
            .any(|f| f.name() == "col"),
    })
}

/// Reads a matrix in coordinate form.
pub fn read_coordinates(path: &Path) -> Result<Coordinates> {
    match InputFormat::detect(path)? {
        InputFormat::Csv => read_csv(path),
        InputFormat::Json => read_json(path),
        format => Ok(Coordinates {
            shape: None,
            entries: entries_of_batches(
                &crate::arrow_table::batches(path, format)?,
                &path.display(),
            )?,
        }),
    }
}

fn index(v: i64, what: &str, at: impl FnOnce() -> String) -> Result<u64> {
    u64::try_from(v).map_err(|_| Error::Input(format!("{}: {what} index {v} is negative", at())))
}

fn read_csv(path: &Path) -> Result<Coordinates> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(in_file(path, "empty CSV file"));
    };
    let names: Vec<&str> = header
        .split(',')
        .map(|s| s.trim().trim_matches('"'))
        .collect();
    let find = |name: &str| {
        names.iter().position(|n| *n == name).ok_or_else(|| {
            in_file(
                path,
                format!(
                    "line 1: the header has no \"{name}\" column (columns: {}; a matrix in \
                     coordinate form has row, col and value)",
                    names.join(", ")
                ),
            )
        })
    };
    let (r, c, v) = (find("row")?, find("col")?, find("value")?);
    if names.len() != 3 {
        return Err(in_file(
            path,
            format!(
                "line 1: {} columns, expected row, col and value",
                names.len()
            ),
        ));
    }
    let mut entries = Vec::new();
    for (n, line) in lines {
        let line_no = n + 1;
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if cells.len() != 3 {
            return Err(in_file(
                path,
                format!("line {line_no}: {} fields, expected 3", cells.len()),
            ));
        }
        let int = |k: usize, name: &str| -> Result<u64> {
            let cell = cells[k];
            let v: i64 = cell.parse().map_err(|_| {
                in_file(
                    path,
                    format!("line {line_no}, column \"{name}\": \"{cell}\" is not an integer"),
                )
            })?;
            index(v, name, || format!("{}: line {line_no}", path.display()))
        };
        let (i, j) = (int(r, "row")?, int(c, "col")?);
        let cell = cells[v];
        let value = match cell.parse::<i64>() {
            Ok(x) => Number::Int(x),
            Err(_) => Number::Float(cell.parse::<f64>().map_err(|_| {
                in_file(
                    path,
                    format!("line {line_no}, column \"value\": \"{cell}\" is not a number"),
                )
            })?),
        };
        entries.push((i, j, value));
    }
    Ok(Coordinates {
        shape: None,
        entries,
    })
}

fn read_json(path: &Path) -> Result<Coordinates> {
    let doc = crate::json::parse(path)?;
    let Some(Value::Array(items)) = doc.get("entries") else {
        return Err(in_file(
            path,
            "expected {\"entries\": [[row, col, value], ...]} for a matrix in coordinate form",
        ));
    };
    let shape = match doc.get("shape") {
        None => None,
        Some(Value::Array(s)) if s.len() == 2 && s.iter().all(|d| d.as_u64().is_some()) => {
            Some((s[0].as_u64().unwrap_or(0), s[1].as_u64().unwrap_or(0)))
        }
        Some(_) => return Err(in_file(path, "shape: expected [rows, cols]")),
    };
    let entries = items
        .iter()
        .enumerate()
        .map(|(k, item)| {
            let bad = || in_file(path, format!("entry {k}: expected [row, col, value]"));
            let Value::Array(t) = item else {
                return Err(bad());
            };
            if t.len() != 3 {
                return Err(bad());
            }
            let i = t[0].as_u64().ok_or_else(bad)?;
            let j = t[1].as_u64().ok_or_else(bad)?;
            let value = match &t[2] {
                Value::Number(n) => match n.as_i64() {
                    Some(v) => Number::Int(v),
                    None => Number::Float(n.as_f64().ok_or_else(bad)?),
                },
                _ => return Err(bad()),
            };
            Ok((i, j, value))
        })
        .collect::<Result<_>>()?;
    Ok(Coordinates { shape, entries })
}

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
