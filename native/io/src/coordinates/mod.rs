//! Matrices in coordinate form: one `(row, col, value)` entry per non-zero, in any order (an
//! edge list is one). They read from
//!
//! - CSV with a header naming the columns `row`, `col` and `value` (in any order), any field
//!   maybe in double quotes;
//! - JSON: `{"shape": [rows, cols], "entries": [[row, col, value], ...]}`, `shape` optional;
//! - Parquet or Arrow IPC with the columns `row`, `col` (integers) and `value` (numbers).
//!
//! The shape is the one given, else one past the largest row and column index.

mod columnar;
mod csv;
mod json;

pub(crate) use columnar::{entries_of_batches, holds_entries};

use std::path::Path;

use serde_json::Value;
use zkmr_core::sparse::Entry;
use zkmr_core::{Error, Result};

use crate::format::InputFormat;
use crate::source::Source;
use csv::read_csv;
use json::read_json;

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

pub(super) fn index(v: i64, what: &str, at: impl FnOnce() -> String) -> Result<u64> {
    u64::try_from(v).map_err(|_| Error::Input(format!("{}: {what} index {v} is negative", at())))
}

#[cfg(test)]
mod tests {
    use super::csv::csv_fields;
    use super::*;
    use std::borrow::Cow;
    use zkmr_core::fixed_point::Number;

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
