//! Coordinate entries from JSON: `{"shape": [rows, cols], "entries": [[row, col, value], ...]}`.

use serde_json::Value;
use zkmr_core::fixed_point::Number;
use zkmr_core::sparse::Entry;
use zkmr_core::Result;

use super::Coordinates;
use crate::in_file;
use crate::source::Source;

/// What kind of JSON value `v` is, for errors.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON string as written, cut short after 40 characters, for errors.
fn shown(s: &str) -> String {
    let mut shown: String = s.chars().take(40).collect();
    if shown.len() < s.len() {
        shown.push_str("...");
    }
    Value::String(shown).to_string()
}

/// An entry's row or column index (`what`).
fn json_index(v: &Value, what: &str) -> std::result::Result<u64, String> {
    match v {
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(i), _) => Ok(i),
            (None, Some(i)) => Err(format!("{what} {i} is negative")),
            (None, None) => Err(format!("{what} {n} is not an integer")),
        },
        Value::String(s) => Err(format!("{what} {} is a string, not an integer", shown(s))),
        other => Err(format!("{what} is {}, not an integer", kind(other))),
    }
}

/// An entry's value.
fn json_value(v: &Value) -> std::result::Result<Number, String> {
    match v {
        Value::Number(n) => Ok(match n.as_i64() {
            Some(v) => Number::Int(v),
            None => Number::Float(n.as_f64().expect("serde_json numbers are finite")),
        }),
        Value::String(s) => Err(format!("value {} is a string, not a number", shown(s))),
        other => Err(format!("value is {}, not a number", kind(other))),
    }
}

/// One `[row, col, value]` entry.
fn json_entry(item: &Value) -> std::result::Result<Entry, String> {
    let shape = "expected [row, col, value]";
    match item {
        Value::Array(t) if t.len() == 3 => Ok((
            json_index(&t[0], "row")?,
            json_index(&t[1], "column")?,
            json_value(&t[2])?,
        )),
        Value::Array(t) => Err(format!("{shape}, found an array of {} items", t.len())),
        other => Err(format!("{shape}, found {}", kind(other))),
    }
}

pub(super) fn read_json(source: &Source) -> Result<Coordinates> {
    let path = source.path();
    let doc = crate::json::parse(source)?;
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
        .map(|(k, item)| json_entry(item).map_err(|e| in_file(path, format!("entry {k}: {e}"))))
        .collect::<Result<_>>()?;
    Ok(Coordinates { shape, entries })
}
