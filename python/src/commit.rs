//! `zkmr.commit`: a matrix (a NumPy array or a file) into a new key store.

use std::path::PathBuf;

use pyo3::prelude::*;
use zkmr_core::setup::{self, srs_choice, CommitOptions};
use zkmr_core::store::{digest_to_hex, KeyStore};
use zkmr_core::{Error, Scheme};
use zkmr_io::{FileCommit, FileCommitted};

use crate::arrays;
use crate::errors::OrRaise;
use crate::progress::Callback;

/// The most rows one partition may hold, as `zkmr commit --rows-per-partition` allows.
const MAX_ROWS_PER_PARTITION: usize = 1 << 24;

/// A committed matrix: the commitment a verifier trusts, and the store a prover uses.
#[pyclass(frozen, module = "zkmr")]
pub struct Commitment {
    /// The matrix commitment, 64 hex digits: what a verifier trusts.
    #[pyo3(get)]
    hex: String,
    /// The key store directory.
    #[pyo3(get)]
    store: String,
    /// `pedersen`, `halo2` or `cqlin`.
    #[pyo3(get)]
    scheme: String,
    #[pyo3(get)]
    rows: u64,
    #[pyo3(get)]
    cols: u64,
    #[pyo3(get)]
    partitions: usize,
    #[pyo3(get)]
    rows_per_partition: u32,
    /// The matrix's fixed-point scale, in bits.
    #[pyo3(get)]
    scale_bits: u32,
    /// Stored entries of a matrix in coordinate form; `None` for rows.
    #[pyo3(get)]
    nonzeros: Option<usize>,
    /// Made under the insecure development SRS (halo2, cqlin).
    #[pyo3(get)]
    srs_unsafe: bool,
    #[pyo3(get)]
    setup_seconds: f64,
}

#[pymethods]
impl Commitment {
    fn __str__(&self) -> &str {
        &self.hex
    }

    fn __repr__(&self) -> String {
        format!(
            "Commitment({}x{} under {} in {} partitions, {})",
            self.rows, self.cols, self.scheme, self.partitions, self.hex
        )
    }
}

impl Commitment {
    fn of(store: &KeyStore, commitment: &[u8; 32], nonzeros: Option<usize>, seconds: f64) -> Self {
        let m = &store.manifest;
        Self {
            hex: digest_to_hex(commitment),
            store: store.dir().display().to_string(),
            scheme: m.scheme.to_string(),
            rows: m.rows,
            cols: m.cols,
            partitions: m.partitions.len(),
            rows_per_partition: m.rows_per_partition,
            scale_bits: m.encoding.scale_bits,
            nonzeros,
            srs_unsafe: m.is_unsafe(),
            setup_seconds: seconds,
        }
    }
}

/// The scheme, partitioning and SRS of a new store, checked as the CLI's flags are.
fn options(
    scheme: &str,
    rows_per_partition: usize,
    srs: Option<PathBuf>,
    dev_srs: bool,
    force: bool,
    store: &std::path::Path,
) -> zkmr_core::Result<CommitOptions> {
    if !(1..=MAX_ROWS_PER_PARTITION).contains(&rows_per_partition) {
        return Err(Error::Usage(format!(
            "rows_per_partition is {rows_per_partition}, not 1 to {MAX_ROWS_PER_PARTITION}"
        )));
    }
    let srs = match (srs, dev_srs) {
        (Some(_), true) => {
            return Err(Error::Usage(
                "give srs (a file) or dev_srs, not both".into(),
            ))
        }
        (srs, development) => srs_choice(srs, development)?,
    };
    if zkmr_core::store::is_occupied(store) && !force {
        return Err(Error::Usage(format!(
            "{} already exists and is not empty; pass force=True to replace the key store there",
            store.display()
        )));
    }
    Ok(CommitOptions {
        scheme: scheme.parse::<Scheme>()?,
        rows_per_partition,
        srs,
        fold: None,
        replace: force,
    })
}

/// Commits `matrix`: a file path, committed as `zkmr commit --matrix` commits it (rows in
/// JSON, Parquet (streamed) or Arrow IPC, or coordinate entries in CSV, JSON, Parquet or Arrow
/// IPC), or a two-dimensional `int64` or `float64` array.
#[pyfunction]
#[pyo3(signature = (matrix, store, scheme, rows_per_partition, scale_bits, value_bits, srs, dev_srs, force, shape, progress))]
#[allow(clippy::too_many_arguments)]
pub fn commit(
    py: Python<'_>,
    matrix: &Bound<'_, PyAny>,
    store: PathBuf,
    scheme: &str,
    rows_per_partition: usize,
    scale_bits: Option<u32>,
    value_bits: Option<u32>,
    srs: Option<PathBuf>,
    dev_srs: bool,
    force: bool,
    shape: Option<(u64, u64)>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Commitment> {
    let options = options(scheme, rows_per_partition, srs, dev_srs, force, &store).or_raise(py)?;
    let callback = Callback::new(progress);
    let done = match matrix.extract::<PathBuf>() {
        Ok(path) => {
            let spec = FileCommit {
                shape,
                scale: scale_bits,
                value_bits,
                options,
            };
            py.detach(|| zkmr_io::commit_file(&path, &spec, &store, &callback))
        }
        Err(_) => {
            if shape.is_some() {
                return Err(Error::Usage(
                    "shape is for a matrix file in coordinate form, not an array".into(),
                ))
                .or_raise(py);
            }
            let matrix = zkmr_io::encode_matrix(
                arrays::rows(matrix)?,
                scale_bits,
                value_bits,
                std::path::Path::new("matrix"),
            )
            .or_raise(py)?;
            let (encoded, encoding) = (matrix.encoded, matrix.encoding);
            py.detach(|| setup::commit(&encoded, encoding, &options, &store, &callback))
                .map(|committed| FileCommitted {
                    committed,
                    nonzeros: None,
                })
        }
    }
    .or_raise(py)?;
    callback.raised()?;
    let c = &done.committed;
    Ok(Commitment::of(
        &c.store,
        &c.commitment,
        done.nonzeros,
        c.setup_seconds,
    ))
}
