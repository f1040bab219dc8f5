//! Query results as JSON values, and as a text table for terminals.
//!
//! Values keep their structure in JSON (structs as objects, lists as arrays, bytes as
//! `0x` hex). In tables, struct columns are spread into one column per field and long
//! values are shortened, so a row with a proof or a bundle still fits a terminal.

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use serde_json::{Map, Value};

/// Rows as JSON objects, in column order.
pub type Rows = Vec<Map<String, Value>>;

/// Every row of `batches`.
pub fn rows(batches: &[RecordBatch]) -> Rows {
    let mut out = Vec::new();
    for batch in batches {
        let schema = batch.schema();
        for i in 0..batch.num_rows() {
            let row = schema
                .fields()
                .iter()
                .zip(batch.columns())
                .map(|(f, c)| (f.name().clone(), value(c.as_ref(), i)))
                .collect();
            out.push(row);
        }
    }
    out
}

/// One cell as JSON.
fn value(array: &dyn Array, i: usize) -> Value {
    if array.is_null(i) {
        return Value::Null;
    }
    match array.data_type() {
        DataType::Struct(fields) => {
            let s = array.as_struct();
            Value::Object(
                fields
                    .iter()
                    .zip(s.columns())
                    .map(|(f, c)| (f.name().clone(), value(c.as_ref(), i)))
                    .collect(),
            )
        }
        DataType::List(_) => list(array.as_list::<i32>().value(i).as_ref()),
        DataType::LargeList(_) => list(array.as_list::<i64>().value(i).as_ref()),
        DataType::Binary => hex(array.as_binary::<i32>().value(i)),
        DataType::LargeBinary => hex(array.as_binary::<i64>().value(i)),
        DataType::Boolean => Value::Bool(array.as_boolean().value(i)),
        DataType::Float64 => Value::from(array.as_primitive::<Float64Type>().value(i)),
        DataType::Int64 => Value::from(array.as_primitive::<Int64Type>().value(i)),
        t if t.is_numeric() => {
            let text = formatted(array, i);
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        }
        _ => Value::String(formatted(array, i)),
    }
}

fn list(values: &dyn Array) -> Value {
    Value::Array((0..values.len()).map(|j| value(values, j)).collect())
}

fn hex(bytes: &[u8]) -> Value {
    let mut s = String::with_capacity(2 + 2 * bytes.len());
    s.push_str("0x");
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    Value::String(s)
}

fn formatted(array: &dyn Array, i: usize) -> String {
    ArrayFormatter::try_new(array, &FormatOptions::default())
        .map(|f| f.value(i).to_string())
        .unwrap_or_default()
}

/// A short text for one value in a table cell.
fn cell(v: &Value) -> String {
    const ITEMS: usize = 4;
    const CHARS: usize = 66;
    match v {
        Value::Null => "NULL".into(),
        Value::String(s) if s.starts_with("0x") && s.len() > CHARS => {
            format!("<{} bytes>", (s.len() - 2) / 2)
        }
        Value::String(s) => s.clone(),
        Value::Array(items) if items.len() > ITEMS => format!(
            "[{}, ... ({} values)]",
            items[..ITEMS]
                .iter()
                .map(cell)
                .collect::<Vec<_>>()
                .join(", "),
            items.len()
        ),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(cell).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

/// Rows as an aligned text table, struct columns spread into `column.field`.
pub fn table(rows: &Rows) -> String {
    let flat: Vec<Vec<(String, String)>> = rows
        .iter()
        .map(|row| {
            let mut cells = Vec::new();
            for (name, v) in row {
                match v {
                    Value::Object(fields) => {
                        for (field, fv) in fields {
                            cells.push((format!("{name}.{field}"), cell(fv)));
                        }
                    }
                    other => cells.push((name.clone(), cell(other))),
                }
            }
            cells
        })
        .collect();
    let headers: Vec<String> = flat
        .first()
        .map(|r| r.iter().map(|(h, _)| h.clone()).collect())
        .unwrap_or_default();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &flat {
        for (k, (_, c)) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(k) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join(" | ")
            .trim_end()
            .to_string()
    };
    let mut out = vec![line(headers.iter().map(String::as_str).collect())];
    out.push(
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("-+-"),
    );
    for row in &flat {
        out.push(line(row.iter().map(|(_, c)| c.as_str()).collect()));
    }
    out.join("\n")
}
