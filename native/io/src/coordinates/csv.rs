//! Coordinate entries from CSV with a header naming `row`, `col` and `value`.

use std::borrow::Cow;

use zkmr_core::fixed_point::Number;
use zkmr_core::Result;

use super::{index, Coordinates};
use crate::in_file;
use crate::source::Source;

/// The fields of a CSV line, split at commas and trimmed. A field in double quotes is
/// unquoted: `""` inside it stands for one `"`, and a comma inside it is the field's. A quoted
/// field must close on its line and be followed by a comma or the line's end.
pub(super) fn csv_fields(line: &str) -> std::result::Result<Vec<Cow<'_, str>>, &'static str> {
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

pub(super) fn read_csv(source: &Source) -> Result<Coordinates> {
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
