//! Setup, once per matrix: commit it under the chosen scheme and write the key store that
//! every later step follows.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::error::{Error, Result};
use crate::fixed_point::FixedPoint;
pub use crate::halo2::setup::SrsChoice;
use crate::keystore::KeyStore;
use crate::matrix::{IntMatrix, Partitioning};
use crate::pedersen::statement::Header;
use crate::progress::Progress;
use crate::scheme::Scheme;
use crate::sparse::{Block, SparseMatrix};

pub use crate::matrix::DEFAULT_ROWS_PER_PARTITION;

/// The SRS a user asked for with a file or the development flag, read the same way by every
/// engine: the file, or the insecure development SRS cached in `$ZKMR_CACHE_DIR` (else the
/// user's cache directory), or none; both at once is refused.
pub fn srs_choice(file: Option<PathBuf>, development: bool) -> Result<Option<SrsChoice>> {
    match (file, development) {
        (Some(_), true) => Err(Error::Usage(
            "an SRS file and the development SRS were both asked for; give one".into(),
        )),
        (Some(path), false) => Ok(Some(SrsChoice::File(path))),
        (None, true) => Ok(Some(SrsChoice::Development {
            cache_dir: crate::halo2::srs::default_cache_dir(),
        })),
        (None, false) => Ok(None),
    }
}

/// How to commit a matrix.
#[derive(Clone, Debug)]
pub struct CommitOptions {
    pub scheme: Scheme,
    pub rows_per_partition: usize,
    /// The SRS, which the halo2 scheme needs and the Pedersen scheme refuses.
    pub srs: Option<SrsChoice>,
    /// halo2: matrix columns folded into one circuit row; chosen by size when `None`.
    pub fold: Option<usize>,
    /// Replace an existing key store.
    pub replace: bool,
}

impl Default for CommitOptions {
    fn default() -> Self {
        Self {
            scheme: Scheme::default(),
            rows_per_partition: DEFAULT_ROWS_PER_PARTITION,
            srs: None,
            fold: None,
            replace: false,
        }
    }
}

/// What `commit` made.
#[derive(Debug)]
pub struct Committed {
    pub store: KeyStore,
    pub commitment: [u8; 32],
    /// Loading or generating the SRS (halo2).
    pub srs_seconds: f64,
    /// Committing the partitions.
    pub setup_seconds: f64,
}

/// Makes the key store for `matrix` in `dest` and returns the matrix commitment.
pub fn commit(
    matrix: &IntMatrix,
    encoding: FixedPoint,
    options: &CommitOptions,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<Committed> {
    match options.scheme {
        Scheme::Pedersen => {
            if options.srs.is_some() {
                return Err(Error::Usage(
                    "the pedersen scheme takes no SRS (it has no trusted setup); \
                     --srs and --dev-srs are for --scheme halo2"
                        .into(),
                ));
            }
            if options.fold.is_some() {
                return Err(Error::Usage("--fold is for --scheme halo2".into()));
            }
            commit_pedersen(
                (matrix.rows(), matrix.cols()),
                |range| Block::Dense(matrix.block(range).to_vec()),
                encoding,
                matrix.is_exact(),
                options,
                dest,
                progress,
            )
        }
        Scheme::Halo2 => {
            let srs = options.srs.as_ref().ok_or_else(|| {
                Error::Usage(
                    "the halo2 scheme needs an SRS: --srs FILE, or --dev-srs for the insecure \
                     development SRS"
                        .into(),
                )
            })?;
            let halo2 = crate::halo2::setup::CommitOptions {
                rows_per_partition: options.rows_per_partition,
                fold: options.fold,
                replace: options.replace,
            };
            let done = crate::halo2::setup::commit(matrix, encoding, halo2, srs, dest, progress)?;
            Ok(Committed {
                store: done.store,
                commitment: crate::field::to_bytes(&done.commitment),
                srs_seconds: done.srs_seconds,
                setup_seconds: done.keygen_seconds,
            })
        }
    }
}

/// Makes the key store for the sparse `matrix` in `dest` (Pedersen only): each partition is
/// committed and kept as compressed rows, so the work and the store follow the non-zeros.
pub fn commit_sparse(
    matrix: &SparseMatrix,
    encoding: FixedPoint,
    options: &CommitOptions,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<Committed> {
    pedersen_only(
        options,
        "a matrix in coordinate form is committed under the pedersen scheme only: the halo2 \
         scheme's circuit holds every entry",
    )?;
    commit_pedersen(
        (matrix.rows(), matrix.cols()),
        |range| matrix.block(range),
        encoding,
        matrix.is_exact(),
        options,
        dest,
        progress,
    )
}

/// Commits a `rows × cols` matrix under the pedersen scheme, partition `range` by partition
/// from `block_of(range)`.
fn commit_pedersen(
    (rows, cols): (usize, usize),
    block_of: impl Fn(std::ops::Range<usize>) -> Block + Send + Sync,
    encoding: FixedPoint,
    exact: bool,
    options: &CommitOptions,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<Committed> {
    let rows_per_partition = options.rows_per_partition.min(rows);
    let partitioning = Partitioning::new(rows, rows_per_partition)?;
    let blocks = (0..partitioning.count()).map(|p| Ok((p, block_of(partitioning.range(p)))));
    stream_pedersen(
        (rows as u64, cols as u64),
        encoding,
        exact,
        blocks,
        options,
        dest,
        progress,
    )
}

/// Makes the key store of a `rows × cols` matrix from `(partition, block)` pairs as they
/// arrive (pedersen, whose setup sums each partition once and keeps nothing else of it): a
/// matrix read from a file need never be held whole. The partitions are those of
/// `options.rows_per_partition` rows.
pub fn commit_stream(
    (rows, cols): (u64, u64),
    encoding: FixedPoint,
    exact: bool,
    blocks: impl Iterator<Item = Result<(usize, Block)>> + Send,
    options: &CommitOptions,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<Committed> {
    pedersen_only(
        options,
        "a matrix committed as it is read is committed under the pedersen scheme only",
    )?;
    stream_pedersen(
        (rows, cols),
        encoding,
        exact,
        blocks,
        options,
        dest,
        progress,
    )
}

/// Refuses `options` that ask for another scheme than pedersen, or for halo2's SRS or fold,
/// saying `why` pedersen is the only one.
fn pedersen_only(options: &CommitOptions, why: &str) -> Result<()> {
    if options.scheme != Scheme::Pedersen || options.srs.is_some() || options.fold.is_some() {
        return Err(Error::Usage(why.into()));
    }
    Ok(())
}

/// [`commit_stream`] once the options are known to be pedersen's.
fn stream_pedersen(
    (rows, cols): (u64, u64),
    encoding: FixedPoint,
    exact: bool,
    blocks: impl Iterator<Item = Result<(usize, Block)>> + Send,
    options: &CommitOptions,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<Committed> {
    let header = Header {
        rows,
        cols,
        encoding,
        rows_per_partition: (options.rows_per_partition as u64).min(rows) as u32,
    };
    let started = Instant::now();
    let done =
        crate::pedersen::setup::commit(header, blocks, exact, dest, options.replace, progress)?;
    Ok(Committed {
        store: done.store,
        commitment: done.commitment,
        srs_seconds: 0.0,
        setup_seconds: started.elapsed().as_secs_f64(),
    })
}
