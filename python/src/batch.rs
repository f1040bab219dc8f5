//! `zkmr.prove_batch`, `zkmr.verify_batch`, `zkmr.open_input` and `zkmr.verify_input`: a batch
//! of any size streamed from a file in chunks (docs/batches.md), as `zkmr prove --chunk`,
//! `zkmr verify`, `zkmr open --batch` and `zkmr verify --opening` do it. Memory holds one
//! chunk whatever the batch's size.

use std::path::PathBuf;
use std::time::Instant;

use pyo3::prelude::*;
use zkmr_core::batch::{
    encode_input_opening, open_input as open, read_input_opening, verify_input_expecting,
    BatchReader,
};
use zkmr_core::job::JobRunner;
use zkmr_core::store::{digest_from_hex, digest_to_hex};
use zkmr_core::verify::{Expected, ExpectedX};
use zkmr_core::Error;

use crate::arrays;
use crate::errors::OrRaise;
use crate::progress::Callback;

fn digest(hex: &str, what: &str) -> zkmr_core::Result<[u8; 32]> {
    digest_from_hex(hex, what).map_err(|e| Error::Usage(e.to_string()))
}

/// A batch proved and written, or a batch proof verified.
#[pyclass(frozen, module = "zkmr")]
pub struct Batch {
    /// Whether the batch proof verified (always true for one `prove_batch` wrote: it verifies
    /// every chunk before writing it).
    #[pyo3(get)]
    verified: bool,
    /// Why the batch proof was rejected, naming the chunk at fault; `None` when it verified.
    #[pyo3(get)]
    reason: Option<String>,
    /// The batch root (64 hex digits): the inputs, their order, the outputs and the chunks.
    #[pyo3(get)]
    batch_root: Option<String>,
    #[pyo3(get)]
    chunks: Option<u32>,
    /// The number of inputs the batch proves.
    #[pyo3(get)]
    vectors: Option<u64>,
    /// Every chunk's `x` was compared with the inputs given.
    #[pyo3(get)]
    inputs_checked: bool,
    /// A chunk was made under the development SRS (halo2, cqlin): the batch proves nothing.
    #[pyo3(get)]
    srs_unsafe: bool,
    /// Seconds spent proving, or milliseconds spent verifying.
    #[pyo3(get)]
    seconds: f64,
}

#[pymethods]
impl Batch {
    fn __bool__(&self) -> bool {
        self.verified
    }

    fn __repr__(&self) -> String {
        match (&self.reason, &self.batch_root) {
            (Some(reason), _) => format!("Batch({reason})"),
            (None, Some(root)) => format!(
                "Batch({} vectors in {} chunks, batch root {root})",
                self.vectors.unwrap_or_default(),
                self.chunks.unwrap_or_default()
            ),
            (None, None) => "Batch()".into(),
        }
    }
}

/// Proves the batch file `vectors` (one vector per row, as `zkmr prove --vectors` reads it;
/// Parquet is streamed) against the store at `store`, `chunk` vectors at a time, into the batch
/// proof `out`, writing `y` to the Parquet table `y_out` when given. A store that does not
/// commit to `commitment` (when given) is refused. Neither file appears unless the whole batch
/// is proved.
#[pyfunction]
#[pyo3(signature = (store, vectors, out, chunk, y_out, scale_bits, value_bits, commitment, progress))]
#[allow(clippy::too_many_arguments)]
pub fn prove_batch(
    py: Python<'_>,
    store: PathBuf,
    vectors: PathBuf,
    out: PathBuf,
    chunk: usize,
    y_out: Option<PathBuf>,
    scale_bits: Option<u32>,
    value_bits: Option<u32>,
    commitment: Option<&str>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Batch> {
    let trusted = commitment
        .map(|hex| digest(hex, "commitment"))
        .transpose()
        .or_raise(py)?;
    let callback = Callback::new(progress);
    let proved = py
        .detach(|| {
            let store = JobRunner::open(&store)?;
            if let Some(trusted) = &trusted {
                store.expect_commitment(trusted)?;
            }
            let batch = zkmr_io::BatchFile {
                path: &vectors,
                chunk,
                scale: scale_bits,
                value_bits,
            };
            let proved =
                zkmr_io::prove_batch_file(&store, &batch, &out, y_out.as_deref(), &callback)?;
            Ok((proved, store.is_unsafe()))
        })
        .or_raise(py)?;
    callback.raised()?;
    let (proved, srs_unsafe) = proved;
    Ok(Batch {
        verified: true,
        reason: None,
        batch_root: Some(digest_to_hex(&proved.root)),
        chunks: Some(proved.chunks),
        vectors: Some(proved.inputs),
        inputs_checked: true,
        srs_unsafe,
        seconds: proved.seconds,
    })
}

/// Verifies the batch proof at `proof` against `commitment` and, when given, the batch root
/// `batch_root` and the batch file `vectors` (read a chunk at a time). A rejection is a
/// result naming the chunk at fault, not an exception; a file that cannot be read raises.
#[pyfunction]
#[pyo3(signature = (proof, commitment, vectors, batch_root))]
pub fn verify_batch(
    py: Python<'_>,
    proof: PathBuf,
    commitment: &str,
    vectors: Option<PathBuf>,
    batch_root: Option<&str>,
) -> PyResult<Batch> {
    let trusted = digest(commitment, "commitment").or_raise(py)?;
    let expected_root = batch_root
        .map(|hex| digest(hex, "batch_root"))
        .transpose()
        .or_raise(py)?;
    let started = Instant::now();
    let result = py
        .detach(|| zkmr_io::verify_batch_file(&proof, &trusted, vectors.as_deref(), expected_root));
    let verify_ms = started.elapsed().as_secs_f64() * 1e3;
    let inputs_checked = vectors.is_some();
    match result {
        Ok(v) => Ok(Batch {
            verified: true,
            reason: None,
            batch_root: Some(digest_to_hex(&v.root)),
            chunks: Some(v.chunks),
            vectors: Some(v.inputs),
            inputs_checked,
            srs_unsafe: v.srs_unsafe,
            seconds: verify_ms / 1e3,
        }),
        Err(err @ Error::Rejected { .. }) => Ok(Batch {
            verified: false,
            reason: Some(err.to_string()),
            batch_root: None,
            chunks: None,
            vectors: None,
            inputs_checked,
            srs_unsafe: false,
            seconds: verify_ms / 1e3,
        }),
        Err(err) => Err(err).or_raise(py),
    }
}

/// Writes input `input`'s opening of the batch proof at `proof` to `out`: the chunk that holds
/// it and the path from the chunk to the batch root. Returns the chunk's index.
#[pyfunction]
pub fn open_input(py: Python<'_>, proof: PathBuf, input: u64, out: PathBuf) -> PyResult<u32> {
    py.detach(|| {
        let mut reader = BatchReader::open(&proof)?;
        let opening = open(&mut reader, input)?;
        zkmr_core::fsio::write_bytes(&out, &encode_input_opening(&opening))?;
        Ok(opening.chunk.map_or(0, |c| c.index))
    })
    .or_raise(py)
}

/// The owner's check of one input: the opening at `opening` verifies against `commitment`,
/// leads to `batch_root`, and is about `x` (one vector) when given. Returns `(x, y, input,
/// batch root)` of the verified input, or raises `RejectedError` naming what does not hold.
#[pyfunction]
#[pyo3(signature = (opening, commitment, batch_root, x))]
pub fn verify_input(
    py: Python<'_>,
    opening: PathBuf,
    commitment: &str,
    batch_root: Option<&str>,
    x: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Py<PyAny>, Py<PyAny>, u64, String)> {
    let trusted = digest(commitment, "commitment").or_raise(py)?;
    let expected_root = batch_root
        .map(|hex| digest(hex, "batch_root"))
        .transpose()
        .or_raise(py)?;
    let asked = x.map(arrays::rows).transpose()?;
    let expected = Expected {
        x: asked.map(ExpectedX::Vectors),
        job_root: expected_root,
    };
    let v = py
        .detach(|| {
            let bytes = zkmr_core::fsio::read_bytes(&opening)?;
            let read = read_input_opening(&bytes, &opening.display().to_string())?;
            verify_input_expecting(&read, &trusted, &expected)
        })
        .or_raise(py)?;
    let x: Vec<i128> = v.x.iter().map(|e| i128::from(*e)).collect();
    Ok((
        arrays::decoded(py, &x, v.x_encoding.scale_bits, 1, false)?,
        arrays::decoded(py, &v.y, v.y_scale_bits, 1, false)?,
        v.input,
        digest_to_hex(&v.root),
    ))
}
