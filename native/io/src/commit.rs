//! Committing a matrix file, whatever its form: rows (JSON, Arrow IPC, or Parquet streamed
//! partition by partition under the pedersen scheme) or coordinate entries kept sparse. The
//! CLI's `zkmr commit` and the Python package's `zkmr.commit(path, ...)` both come here, so a
//! file commits to the same store and the same errors either way.

use std::path::Path;

use zkmr_core::fixed_point::{FixedPoint, Number};
use zkmr_core::matrix::{encode_row, IntMatrix, PartitionAssembler, Partitioning};
use zkmr_core::progress::Progress;
use zkmr_core::setup::{self, CommitOptions, MatrixCommitted};
use zkmr_core::sparse::{Block, SparseMatrix};
use zkmr_core::{Error, Result};

use crate::coordinates::holds_coordinates;
use crate::source::Source;
use crate::{read_matrix, InputFormat, ParquetRows};

/// How to read and encode a matrix file, and the store to make of it.
#[derive(Clone, Debug, Default)]
pub struct FileCommit {
    /// The shape of a matrix in coordinate form (default: one past the largest indices).
    pub shape: Option<(u64, u64)>,
    /// Fixed-point scale in bits (default: 0 for integers, 16 otherwise).
    pub scale: Option<u32>,
    /// Bound on encoded magnitudes, in bits (default 32).
    pub value_bits: Option<u32>,
    pub options: CommitOptions,
}

/// What a file commit made.
#[derive(Debug)]
pub struct FileCommitted {
    pub committed: MatrixCommitted,
    /// Stored entries of a matrix in coordinate form; `None` for rows.
    pub nonzeros: Option<usize>,
}

/// Prefixes an input error with the file it came from, unless it names it already.
pub fn with_file(path: &Path, err: Error) -> Error {
    match err {
        Error::Input(msg) if !msg.starts_with(&path.display().to_string()) => {
            Error::Input(format!("{}: {msg}", path.display()))
        }
        other => other,
    }
}

/// A matrix file as read and as encoded.
pub struct EncodedMatrix {
    pub numbers: Vec<Vec<Number>>,
    pub encoded: IntMatrix,
    pub encoding: FixedPoint,
}

/// Reads a matrix of rows and encodes it at the given (or the default) scale.
pub fn read_encoded_matrix(
    path: &Path,
    scale: Option<u32>,
    value_bits: Option<u32>,
) -> Result<EncodedMatrix> {
    encode_matrix(read_matrix(path)?, scale, value_bits, path)
}

/// Encodes rows of numbers at the given scale, or the default for their values; errors name
/// `origin` (a file, or what the caller calls the matrix), then the row and column.
pub fn encode_matrix(
    numbers: Vec<Vec<Number>>,
    scale: Option<u32>,
    value_bits: Option<u32>,
    origin: &Path,
) -> Result<EncodedMatrix> {
    let encoding = FixedPoint::for_values(numbers.iter().flatten().copied(), scale, value_bits)?;
    let encoded = IntMatrix::encode(&numbers, encoding).map_err(|e| with_file(origin, e))?;
    Ok(EncodedMatrix {
        numbers,
        encoded,
        encoding,
    })
}

/// Commits the matrix in `path` into a new key store at `keys`.
pub fn commit_file(
    path: &Path,
    spec: &FileCommit,
    keys: &Path,
    progress: &dyn Progress,
) -> Result<FileCommitted> {
    // A pipe gives its bytes once: every look below is at this one source.
    let source = Source::open(path)?;
    let coordinates = holds_coordinates(&source)?;
    if spec.shape.is_some() && !coordinates {
        return Err(Error::Usage(format!(
            "--shape is for a matrix in coordinate form; {} holds rows",
            path.display()
        )));
    }
    let options = &spec.options;
    let streamed = !coordinates
        && zkmr_core::registry::scheme(options.scheme)?
            .capabilities()
            .streamed_commit
        && options.srs.is_none()
        && options.fold.is_none()
        && source.format() == InputFormat::Parquet;
    if coordinates {
        commit_coordinates(&source, spec, keys, progress)
    } else if streamed {
        commit_streamed(&source, spec, keys, progress)
    } else {
        let numbers = crate::matrix(&source)?;
        let matrix = encode_matrix(numbers, spec.scale, spec.value_bits, path)?;
        let committed = setup::commit(&matrix.encoded, matrix.encoding, options, keys, progress)?;
        Ok(FileCommitted {
            committed,
            nonzeros: None,
        })
    }
}

/// Commits a matrix in coordinate form, kept as compressed rows (pedersen).
fn commit_coordinates(
    source: &Source,
    spec: &FileCommit,
    keys: &Path,
    progress: &dyn Progress,
) -> Result<FileCommitted> {
    let path = source.path();
    let coordinates = crate::coordinates::coordinates(source)?;
    let (rows, cols) = spec
        .shape
        .or(coordinates.shape)
        .unwrap_or_else(|| coordinates.shape());
    let encoding = FixedPoint::for_values(
        coordinates.entries.iter().map(|(_, _, v)| *v),
        spec.scale,
        spec.value_bits,
    )?;
    let matrix = SparseMatrix::encode(rows, cols, &coordinates.entries, encoding)
        .map_err(|e| with_file(path, e))?;
    let committed = setup::commit_sparse(&matrix, encoding, &spec.options, keys, progress)?;
    Ok(FileCommitted {
        committed,
        nonzeros: Some(matrix.nonzeros()),
    })
}

/// Commits a Parquet matrix under the pedersen scheme partition by partition as it is read:
/// memory holds the partitions in flight, not the matrix. A first pass over the file finds
/// the shape and, unless a scale is given, whether every value is an integer.
fn commit_streamed(
    source: &Source,
    spec: &FileCommit,
    keys: &Path,
    progress: &dyn Progress,
) -> Result<FileCommitted> {
    let path = source.path();
    let survey = ParquetRows::survey_of(source)?;
    let encoding = FixedPoint::for_integrality(survey.integral, spec.scale, spec.value_bits)?;
    let rows_per_partition = (spec.options.rows_per_partition as u64).min(survey.rows);
    let partitioning = Partitioning::new(survey.rows as usize, rows_per_partition as usize)?;
    let mut assembler = PartitionAssembler::new(partitioning, survey.cols);
    let mut rows = ParquetRows::of(source)?;
    let mut ended = false;
    let blocks = std::iter::from_fn(move || loop {
        if ended {
            return None;
        }
        let Some(row) = rows.next() else {
            ended = true;
            return assembler.finish().err().map(|e| Err(with_file(path, e)));
        };
        let whole = row.and_then(|(i, numbers)| {
            let encoded = encode_row(&numbers, i, encoding)?;
            assembler.add(i, encoded)
        });
        match whole {
            Ok(None) => continue,
            Ok(Some((p, block))) => return Some(Ok((p, Block::Dense(block)))),
            Err(e) => {
                ended = true;
                return Some(Err(with_file(path, e)));
            }
        }
    });
    // Integers encode exactly at any scale; fractions are counted as rounded.
    let exact = survey.integral;
    let committed = setup::commit_stream(
        (survey.rows, survey.cols as u64),
        encoding,
        exact,
        blocks,
        &spec.options,
        keys,
        progress,
    )?;
    Ok(FileCommitted {
        committed,
        nonzeros: None,
    })
}
