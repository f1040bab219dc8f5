//! JSON inputs.

use std::path::Path;

use serde_json::Value;
use zkmr_core::fixed_point::Number;
use zkmr_core::Result;

use crate::in_file;
use crate::source::Source;

pub(crate) fn parse(source: &Source) -> Result<Value> {
    serde_json::from_slice(&source.text()?).map_err(|e| in_file(source.path(), e))
}

/// The member `key` of the combined object, or the whole document when it is an array.
fn member<'a>(doc: &'a Value, key: &str, path: &Path) -> Result<&'a Value> {
    match doc {
        Value::Object(map) => map
            .get(key)
            .ok_or_else(|| in_file(path, format!("object has no \"{key}\" member"))),
        other => Ok(other),
    }
}

fn number(v: &Value, path: &Path, at: impl FnOnce() -> String) -> Result<Number> {
    match v {
        Value::Number(n) => Ok(match n.as_i64() {
            Some(i) => Number::Int(i),
            None => Number::Float(n.as_f64().expect("serde_json numbers are finite")),
        }),
        other => Err(in_file(
            path,
            format!("{}: expected a number, found {other}", at()),
        )),
    }
}

pub(crate) fn read_matrix(source: &Source) -> Result<Vec<Vec<Number>>> {
    let (doc, path) = (parse(source)?, source.path());
    let Value::Array(rows) = member(&doc, "matrix", path)? else {
        return Err(in_file(path, "matrix: expected an array of rows"));
    };
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let Value::Array(values) = row else {
                return Err(in_file(
                    path,
                    format!("row {i}: expected an array of numbers"),
                ));
            };
            values
                .iter()
                .enumerate()
                .map(|(j, v)| number(v, path, || format!("row {i}, column {j}")))
                .collect()
        })
        .collect()
}

pub(crate) fn read_vector(source: &Source) -> Result<Vec<Number>> {
    let (doc, path) = (parse(source)?, source.path());
    let Value::Array(values) = member(&doc, "vector", path)? else {
        return Err(in_file(path, "vector: expected an array of numbers"));
    };
    values
        .iter()
        .enumerate()
        .map(|(j, v)| number(v, path, || format!("vector index {j}")))
        .collect()
}
