//! Setup, once per matrix: commit it under the chosen scheme and write the key store that
//! every later step follows.

use std::path::Path;

use crate::error::Result;
use crate::fixed_point::FixedPoint;
use crate::matrix::IntMatrix;
use crate::progress::Progress;
use crate::sparse::{Block, SparseMatrix};

pub use crate::matrix::DEFAULT_ROWS_PER_PARTITION;
pub use zkmr_scheme::srs::default_cache_dir;
use zkmr_scheme::MatrixInput;
pub use zkmr_scheme::{srs_choice, CommitOptions, MatrixCommitted, SrsChoice};

/// Makes the key store for `matrix` in `dest` and returns the matrix commitment.
pub fn commit(
    matrix: &IntMatrix,
    encoding: FixedPoint,
    options: &CommitOptions,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<MatrixCommitted> {
    crate::registry::scheme(options.scheme)?.commit(
        MatrixInput::Dense(matrix),
        encoding,
        options,
        dest,
        progress,
    )
}

/// Makes the key store for the sparse `matrix` in `dest` (Pedersen only): each partition is
/// committed and kept as compressed rows, so the work and the store follow the non-zeros.
pub fn commit_sparse(
    matrix: &SparseMatrix,
    encoding: FixedPoint,
    options: &CommitOptions,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<MatrixCommitted> {
    crate::registry::scheme(options.scheme)?.commit(
        MatrixInput::Sparse(matrix),
        encoding,
        options,
        dest,
        progress,
    )
}

/// Makes the key store of a `rows × cols` matrix from `(partition, block)` pairs as they
/// arrive (pedersen, whose setup sums each partition once and keeps nothing else of it): a
/// matrix read from a file need never be held whole. The partitions are those of
/// `options.rows_per_partition` rows.
pub fn commit_stream<'a>(
    (rows, cols): (u64, u64),
    encoding: FixedPoint,
    exact: bool,
    blocks: impl Iterator<Item = Result<(usize, Block)>> + Send + 'a,
    options: &CommitOptions,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<MatrixCommitted> {
    crate::registry::scheme(options.scheme)?.commit(
        MatrixInput::Stream {
            rows,
            cols,
            exact,
            blocks: Box::new(blocks),
        },
        encoding,
        options,
        dest,
        progress,
    )
}
