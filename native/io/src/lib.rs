//! Readers for zkmr inputs, and a writer for Parquet matrices in the layout they read.
//!
//! A matrix or a vector comes from JSON, Parquet or Arrow IPC, and a matrix in coordinate
//! form (see [`read_coordinates`]) from those or CSV:
//!
//! - JSON: the combined object `{"matrix": [[...]], "vector": [...]}` (each reader takes its
//!   member), or a bare array: an array of rows for a matrix, an array of numbers for a vector.
//! - Parquet / Arrow IPC matrix: one row per matrix row, `row: int64` and
//!   `values: list<float64>` (or `list<int64>`); rows may arrive in any order, each index
//!   exactly once.
//! - Parquet / Arrow IPC vector: a table with one numeric column, one entry per row.
//!
//! The same layouts arrive in memory from the JVM engines as Arrow IPC streams.
//!
//! A path may name a pipe or a device (`/dev/stdin`, a shell's `<(...)`) as well as a file
//! (see `source`), and text may start with a UTF-8 byte order mark.
//!
//! Every error names the file and, where one exists, the row and column. Malformed input is an
//! error, never a crash: the Parquet and Arrow IPC decoders panic on some corrupt files instead
//! of failing, so every call into them runs under `decoding`, which makes those panics errors,
//! and they allocate by sizes the input declares, so `bounds` checks those sizes first.

mod arrow_table;
mod batch;
mod bounds;
mod chunks;
mod commit;
mod coordinates;
mod format;
mod json;
mod source;
mod stream;
mod write;

use std::path::Path;

use zkmr_core::fixed_point::Number;
use zkmr_core::{Error, Result};

pub use batch::{prove_batch_file, verify_batch_file, BatchFile};
pub use chunks::{vector_chunks, VectorChunks};
pub use commit::{
    commit_file, encode_matrix, read_encoded_matrix, with_file, EncodedMatrix, FileCommit,
    FileCommitted,
};
pub use coordinates::{is_coordinates, read_coordinates, Coordinates};
pub use format::InputFormat;
pub use stream::{ParquetRows, Survey};
pub use write::{write_matrix_parquet, MatrixWriter};

use source::Source;

/// Reads a matrix as rows of numbers.
pub fn read_matrix(path: &Path) -> Result<Vec<Vec<Number>>> {
    matrix(&Source::open(path)?)
}

/// The rows of a matrix input, at least one.
pub(crate) fn matrix(source: &Source) -> Result<Vec<Vec<Number>>> {
    let rows = rows(source)?;
    if rows.is_empty() {
        return Err(in_file(source.path(), "the matrix has no rows"));
    }
    Ok(rows)
}

/// Reads a batch of vectors, laid out as a matrix's rows are: a JSON array of vectors, or
/// Parquet or Arrow IPC with one vector per row (`row`, `values`).
pub fn read_vectors(path: &Path) -> Result<Vec<Vec<Number>>> {
    let source = Source::open(path)?;
    let vectors = rows(&source)?;
    if vectors.is_empty() {
        return Err(in_file(path, "the batch has no vectors"));
    }
    Ok(vectors)
}

/// The rows of a matrix input, or of a batch of vectors, in order; maybe none.
fn rows(source: &Source) -> Result<Vec<Vec<Number>>> {
    match source.format() {
        InputFormat::Json => json::read_matrix(source),
        InputFormat::Csv => Err(csv_is_coordinates(source.path())),
        _ => arrow_table::read_matrix(source),
    }
}

/// CSV holds matrices in coordinate form only.
fn csv_is_coordinates(path: &Path) -> Error {
    in_file(
        path,
        "CSV input is read as a matrix in coordinate form (a header naming row, col and value)",
    )
}

/// Reads a vector of numbers.
pub fn read_vector(path: &Path) -> Result<Vec<Number>> {
    let source = Source::open(path)?;
    let values = match source.format() {
        InputFormat::Json => json::read_vector(&source),
        InputFormat::Csv => Err(csv_is_coordinates(path)),
        _ => arrow_table::read_vector(&source),
    }?;
    if values.is_empty() {
        return Err(in_file(path, "the vector is empty"));
    }
    Ok(values)
}

/// A matrix, or one task's part of it, as an engine sends it: rows or coordinate entries.
#[derive(Debug)]
pub enum MatrixBatch {
    /// `(row, values)` pairs, in the order sent.
    Rows(Vec<(u64, Vec<Number>)>),
    /// `(row, col, value)` entries, in the order sent.
    Entries(Vec<zkmr_core::sparse::Entry>),
}

/// A matrix sent as an Arrow IPC stream: rows (`row: int64`, `values: list<number>`) or, when
/// the batch has a `col` column, coordinate entries (`row`, `col`, `value`); `origin` names
/// the sender in errors.
pub fn matrix_from_ipc(bytes: &[u8], origin: &str) -> Result<MatrixBatch> {
    let batches = arrow_table::ipc_batches(bytes, &origin)?;
    if coordinates::holds_entries(&batches) {
        Ok(MatrixBatch::Entries(coordinates::entries_of_batches(
            &batches, &origin,
        )?))
    } else {
        Ok(MatrixBatch::Rows(arrow_table::matrix_rows(
            &batches, &origin,
        )?))
    }
}

/// The `(row, values)` pairs of a matrix sent as an Arrow IPC stream (`row: int64`,
/// `values: list<number>`), in the order sent; `origin` names the sender in errors.
pub fn matrix_rows_from_ipc(bytes: &[u8], origin: &str) -> Result<Vec<(u64, Vec<Number>)>> {
    arrow_table::matrix_rows(&arrow_table::ipc_batches(bytes, &origin)?, &origin)
}

/// Puts `(row, values)` pairs in row order, each index from 0 exactly once.
///
/// `n` pairs must hold rows `0..n`, so an index of `n` or more is reported as out of range
/// rather than making room for it, which an untrusted index of 2^40 would turn into
/// terabytes.
pub fn ordered_rows(
    pairs: Vec<(u64, Vec<Number>)>,
    origin: &dyn std::fmt::Display,
) -> Result<Vec<Vec<Number>>> {
    let count = pairs.len();
    let mut rows: Vec<Option<Vec<Number>>> = (0..count).map(|_| None).collect();
    for (i, row) in pairs {
        let Some(slot) = usize::try_from(i).ok().and_then(|i| rows.get_mut(i)) else {
            return Err(Error::Input(format!(
                "{origin}: row {i} is outside the {count} rows given (rows are numbered \
                 from 0 without gaps)"
            )));
        };
        if slot.replace(row).is_some() {
            return Err(Error::Input(format!(
                "{origin}: row {i} appears more than once"
            )));
        }
    }
    rows.into_iter()
        .enumerate()
        .map(|(i, r)| r.ok_or_else(|| Error::Input(format!("{origin}: row {i} is missing"))))
        .collect()
}

/// A vector sent as an Arrow IPC stream of one numeric column.
pub fn vector_from_ipc(bytes: &[u8], origin: &str) -> Result<Vec<Number>> {
    let values = arrow_table::vector_numbers(&arrow_table::ipc_batches(bytes, &origin)?, &origin)?;
    if values.is_empty() {
        return Err(Error::Input(format!("{origin}: the vector is empty")));
    }
    Ok(values)
}

/// Runs `decode`, a call into the Parquet or Arrow IPC decoder on untrusted bytes, turning a
/// panic into an input error about `origin`. Those decoders panic on some malformed input
/// (buffer offsets past the message body, unknown type tags) where they should fail; caught
/// here, a corrupt file is reported as a bad input instead of crashing the CLI or the engine
/// that read it. The panic's message still reaches stderr through the process's panic hook.
pub(crate) fn decoding<T>(
    origin: &dyn std::fmt::Display,
    decode: impl FnOnce() -> Result<T>,
) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(decode)).unwrap_or_else(|payload| {
        let reason = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        Err(Error::Input(format!(
            "{origin}: corrupt data (the decoder failed: {reason})"
        )))
    })
}

/// Prefixes an error message with the file it concerns.
pub(crate) fn in_file(path: &Path, detail: impl std::fmt::Display) -> Error {
    Error::Input(format!("{}: {detail}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_batch_says_it_has_no_vectors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("xs.json");
        std::fs::write(&path, "[]").unwrap();
        assert_eq!(
            read_vectors(&path).unwrap_err().to_string(),
            format!(
                "invalid input: {}: the batch has no vectors",
                path.display()
            )
        );
        assert_eq!(
            read_matrix(&path).unwrap_err().to_string(),
            format!("invalid input: {}: the matrix has no rows", path.display())
        );
        std::fs::write(&path, "[[1, 2.5], [-3, 4]]").unwrap();
        assert_eq!(
            read_vectors(&path).unwrap(),
            vec![
                vec![Number::Int(1), Number::Float(2.5)],
                vec![Number::Int(-3), Number::Int(4)]
            ]
        );
    }
}
