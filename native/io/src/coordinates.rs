//! Matrices in coordinate form: one `(row, col, value)` entry per non-zero, in any order (an
//! edge list is one). They read from
//!
//! - CSV with a header naming the columns `row`, `col` and `value` (in any order), any field
//!   maybe in double quotes;
//! - JSON: `{"shape": [rows, cols], "entries": [[row, col, value], ...]}`, `shape` optional;
//! - Parquet or Arrow IPC with the columns `row`, `col` (integers) and `value` (numbers).
//!
//! The shape is the one given, else one past the largest row and column index.

use std::borrow::Cow;
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
use crate::source::Source;

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
    holds_coordinates(&Source::open(path)?)
}

pub(crate) fn holds_coordinates(source: &Source) -> Result<bool> {
    Ok(match source.format() {
        InputFormat::Csv => true,
        InputFormat::Json => {
            matches!(crate::json::parse(source)?, Value::Object(ref m) if m.contains_key("entries"))
        }
        _ => crate::arrow_table::first_schema(source)?
            .fields()
            .iter()
            .any(|f| f.name() == "col"),
    })
}

/// Reads a matrix in coordinate form.
pub fn read_coordinates(path: &Path) -> Result<Coordinates> {
    coordinates(&Source::open(path)?)
}

pub(crate) fn coordinates(source: &Source) -> Result<Coordinates> {
    match source.format() {
        InputFormat::Csv => read_csv(source),
        InputFormat::Json => read_json(source),
        _ => Ok(Coordinates {
            shape: None,
            entries: entries_of_batches(
                &crate::arrow_table::batches(source)?,
                &source.path().display(),
            )?,
        }),
    }
}

fn index(v: i64, what: &str, at: impl FnOnce() -> String) -> Result<u64> {
    u64::try_from(v).map_err(|_| Error::Input(format!("{}: {what} index {v} is negative", at())))
}

/// The fields of a CSV line, split at commas and trimmed. A field in double quotes is
/// unquoted: `""` inside it stands for one `"`, and a comma inside it is the field's. A quoted
/// field must close on its line and be followed by a comma or the line's end.
fn csv_fields(line: &str) -> std::result::Result<Vec<Cow<'_, str>>, &'static str> {
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        let field = rest.trim_start();
        let after = match field.strip_prefix('"') {
            Some(quoted) => {
                let (field, after) =
                    unquote(quoted).ok_or("a quoted field is not closed on its line")?;
                fields.push(field);
                let after = after.trim_start();
                if !after.is_empty() && !after.starts_with(',') {
                    return Err("text follows a quoted field's closing quote");
                }
                after
            }
            None => {
                let end = field.find(',').unwrap_or(field.len());
                fields.push(Cow::Borrowed(field[..end].trim_end()));
                &field[end..]
            }
        };
        match after.strip_prefix(',') {
            Some(next) => rest = next,
            None => return Ok(fields),
        }
    }
}

/// A quoted field's text, `s` starting after its opening quote, and what follows its closing
/// quote; `None` when no quote closes it.
fn unquote(s: &str) -> Option<(Cow<'_, str>, &str)> {
    let mut unescaped = String::new();
    let mut from = 0;
    loop {
        let quote = from + s[from..].find('"')?;
        if s[quote + 1..].starts_with('"') {
            unescaped.push_str(&s[from..=quote]);
            from = quote + 2;
            continue;
        }
        let field = if unescaped.is_empty() && from == 0 {
            Cow::Borrowed(&s[..quote])
        } else {
            unescaped.push_str(&s[from..quote]);
            Cow::Owned(unescaped)
        };
        return Some((field, &s[quote + 1..]));
    }
}

fn read_csv(source: &Source) -> Result<Coordinates> {
    let path = source.path();
    let text = source.text()?;
    let text =
        std::str::from_utf8(&text).map_err(|e| in_file(path, format!("not UTF-8 text ({e})")))?;
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, line)| {
            let line_no = n + 1;
            csv_fields(line)
                .map(|fields| (line_no, fields))
                .map_err(|e| in_file(path, format!("line {line_no}: {e}")))
        });
    let Some(header) = lines.next() else {
        return Err(in_file(path, "empty CSV file"));
    };
    let (header_no, names) = header?;
    let find = |name: &str| {
        names.iter().position(|n| *n == name).ok_or_else(|| {
            in_file(
                path,
                format!(
                    "line {header_no}: the header has no \"{name}\" column (columns: {}; a \
                     matrix in coordinate form has row, col and value)",
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
                "line {header_no}: {} columns, expected row, col and value",
                names.len()
            ),
        ));
    }
    let mut entries = Vec::new();
    for line in lines {
        let (line_no, cells) = line?;
        if cells.len() != 3 {
            return Err(in_file(
                path,
                format!("line {line_no}: {} fields, expected 3", cells.len()),
            ));
        }
        let int = |k: usize, name: &str| -> Result<u64> {
            let cell = cells[k].trim();
            let v: i64 = cell.parse().map_err(|_| {
                in_file(
                    path,
                    format!("line {line_no}, column \"{name}\": \"{cell}\" is not an integer"),
                )
            })?;
            index(v, name, || format!("{}: line {line_no}", path.display()))
        };
        let (i, j) = (int(r, "row")?, int(c, "col")?);
        let cell = cells[v].trim();
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

fn read_json(source: &Source) -> Result<Coordinates> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn quoted_csv_fields_read_as_unquoted() {
        let (_dir, path) = write(
            "m.csv",
            "\"row\",\"col\",\"value\"\n\"0\",\"1\",\"5\"\n \"2\" , 0 ,\"-1.5\"\n",
        );
        assert!(is_coordinates(&path).unwrap());
        assert_eq!(
            read_coordinates(&path).unwrap().entries,
            vec![(0, 1, Number::Int(5)), (2, 0, Number::Float(-1.5))]
        );
    }

    #[test]
    fn csv_fields_split_as_quoted() {
        let fields = |line| csv_fields(line).map(|f| f.into_iter().map(Cow::into_owned).collect());
        let ok = |v: &[&str]| Ok(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(fields("a, b ,c"), ok(&["a", "b", "c"]));
        assert_eq!(
            fields(r#""a,b","say ""hi""", """#),
            ok(&["a,b", "say \"hi\"", ""])
        );
        assert_eq!(fields(",,"), ok(&["", "", ""]));
        assert_eq!(
            fields(r#""0"x,1"#),
            Err("text follows a quoted field's closing quote")
        );
        assert_eq!(
            fields(r#"0,"1"#),
            Err("a quoted field is not closed on its line")
        );
    }

    #[test]
    fn bad_quoted_csv_fields_are_named() {
        for (text, message) in [
            (
                "row,col,value\n\"0\",\"x\",\"5\"\n",
                "line 2, column \"col\": \"x\" is not an integer",
            ),
            (
                "row,col,value\n0,1,\"5\n",
                "line 2: a quoted field is not closed on its line",
            ),
            (
                "\"row\"x,col,value\n0,1,5\n",
                "line 1: text follows a quoted field's closing quote",
            ),
        ] {
            let (_dir, path) = write("bad.csv", text);
            assert_eq!(
                read_coordinates(&path).unwrap_err().to_string(),
                format!("invalid input: {}: {message}", path.display()),
                "{text}"
            );
        }
    }

    #[test]
    fn bad_json_entries_name_the_entry_and_the_fault() {
        for (entries, message) in [
            (r#"[[0, -1, 5]]"#, "entry 0: column -1 is negative"),
            (r#"[[0, 1, 2], [-2, 1, 5]]"#, "entry 1: row -2 is negative"),
            (
                r#"[[0, 1, "1.5"]]"#,
                "entry 0: value \"1.5\" is a string, not a number",
            ),
            (r#"[[0, 1, null]]"#, "entry 0: value is null, not a number"),
            (r#"[[1.5, 1, 2]]"#, "entry 0: row 1.5 is not an integer"),
            (
                r#"[["0", 1, 2]]"#,
                "entry 0: row \"0\" is a string, not an integer",
            ),
            (
                r#"[[0, [1], 2]]"#,
                "entry 0: column is an array, not an integer",
            ),
            (
                r#"[[0, 1]]"#,
                "entry 0: expected [row, col, value], found an array of 2 items",
            ),
            (
                r#"[{"row": 0}]"#,
                "entry 0: expected [row, col, value], found an object",
            ),
        ] {
            let (_dir, path) = write("m.json", &format!(r#"{{"entries": {entries}}}"#));
            assert_eq!(
                read_coordinates(&path).unwrap_err().to_string(),
                format!("invalid input: {}: {message}", path.display()),
                "{entries}"
            );
        }
        let (_dir, path) = write(
            "m.json",
            r#"{"entries": [[0, 1, 5], [3, 0, -0.5], [18446744073709551615, 2, 1]]}"#,
        );
        assert_eq!(
            read_coordinates(&path).unwrap().entries,
            vec![
                (0, 1, Number::Int(5)),
                (3, 0, Number::Float(-0.5)),
                (u64::MAX, 2, Number::Int(1))
            ]
        );
    }

    #[test]
    fn long_strings_are_cut_short_in_errors() {
        let long = "9".repeat(100);
        let (_dir, path) = write("m.json", &format!(r#"{{"entries": [[0, 1, "{long}"]]}}"#));
        let err = read_coordinates(&path).unwrap_err().to_string();
        assert!(
            err.ends_with(&format!(
                "entry 0: value \"{}...\" is a string, not a number",
                &long[..40]
            )),
            "{err}"
        );
    }
}
