//! `zkmr.prove`: `y = A·x` for a key store, proved in this process with the GIL released.

use std::path::PathBuf;

use pyo3::prelude::*;
use zkmr_core::job::JobRunner;
use zkmr_core::store::digest_from_hex;
use zkmr_core::Error;
use zkmr_core::Vectors;

use crate::arrays;
use crate::errors::OrRaise;
use crate::progress::Callback;
use crate::proof::Proof;

/// Proves the vectors (the rows of a two-dimensional array) against the store at `store`,
/// refusing a store that does not commit to `commitment` (64 hex digits) when given: the
/// commitment its holder published, so a store replaced or rewritten since proves nothing.
/// Returns `y` (shaped `(rows,)`, or `(vectors, rows)` when `batch`) and the proof.
#[pyfunction]
#[pyo3(signature = (store, x, batch, scale_bits, value_bits, commitment, progress))]
#[allow(clippy::too_many_arguments)]
pub fn prove(
    py: Python<'_>,
    store: PathBuf,
    x: &Bound<'_, PyAny>,
    batch: bool,
    scale_bits: Option<u32>,
    value_bits: Option<u32>,
    commitment: Option<&str>,
    progress: Option<Py<PyAny>>,
) -> PyResult<(Py<PyAny>, Proof)> {
    let trusted = commitment
        .map(|hex| digest_from_hex(hex, "commitment").map_err(|e| Error::Usage(e.to_string())))
        .transpose()
        .or_raise(py)?;
    let numbers = arrays::rows(x)?;
    let vectors = Vectors::encode(&numbers, scale_bits, value_bits).or_raise(py)?;
    let exact = numbers
        .iter()
        .flatten()
        .all(|v| vectors.encoding.is_exact(*v));
    drop(numbers);
    let callback = Callback::new(progress);
    let (proved, y_scale_bits, bound) = py
        .detach(|| {
            let store = JobRunner::open(&store)?;
            if let Some(trusted) = &trusted {
                store.expect_commitment(trusted)?;
            }
            if batch {
                check_batch_shape(&vectors, store.store.manifest.cols as usize)?;
            }
            store.check_vectors(&vectors)?;
            let proved = store.prove(&vectors, &callback)?;
            let y_scale_bits =
                store.store.manifest.encoding.scale_bits + vectors.encoding.scale_bits;
            Ok((proved, y_scale_bits, store.y_error_bound(&vectors, exact)))
        })
        .or_raise(py)?;
    callback.raised()?;
    let y = arrays::decoded(py, &proved.y, y_scale_bits, vectors.count, batch)?;
    Ok((
        y,
        Proof {
            bundle: proved.bundle,
            y_error_bound: Some(bound),
        },
    ))
}

/// A batch whose rows are not the matrix's width, named by its shape as NumPy shows it, with
/// the likely fix when it is the transpose of one that fits (a column vector, a `(cols, k)`
/// array of `k` vectors).
fn check_batch_shape(vectors: &Vectors, cols: usize) -> zkmr_core::Result<()> {
    let (count, width) = (vectors.count, vectors.values.len() / vectors.count.max(1));
    if width == cols {
        return Ok(());
    }
    let mut message = format!(
        "x has shape ({count}, {width}): each row is one vector, of {width} entries, but the \
         matrix has {cols} columns"
    );
    if count == cols {
        message += &format!("; did you mean x.T (shape ({width}, {count}))");
        if width == 1 {
            message += " or x.ravel() for one vector";
        }
        message += "?";
    }
    Err(Error::Input(message))
}
