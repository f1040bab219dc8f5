//! `zkmr.Proof`: a job's bundle, saved and loaded in the CLI's bundle format, so a proof made
//! in Python verifies with `zkmr verify --bundle` and the other way round.

use std::path::PathBuf;

use prost::Message;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use zkmr_core::store::digest_to_hex;
use zkmr_core::{bundle, fsio, Scheme};

use crate::errors::OrRaise;

/// A proof of `y = A·x` (or `Y = A·X`): the bundle of every partition's proof.
#[pyclass(frozen, module = "zkmr")]
pub struct Proof {
    pub bundle: zkmr_proto::Bundle,
    /// A bound on `|y − A·x|` against the unrounded inputs; known to the prover (it needs the
    /// store), so `None` for a loaded proof.
    #[pyo3(get)]
    pub y_error_bound: Option<f64>,
}

#[pymethods]
impl Proof {
    /// Writes the bundle to `path` (created whole or not at all).
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let bytes = self.bundle.encode_to_vec();
        py.detach(|| {
            fsio::check_writable(&path)?;
            fsio::write_all(&[(path.as_path(), bytes.as_slice())])
        })
        .or_raise(py)
    }

    /// The bundle's bytes, as `save` writes them.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.bundle.encode_to_vec())
    }

    /// A proof from bundle bytes; malformed bytes raise `FormatError`.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<Proof> {
        let bundle = bundle::decode(data, "proof").or_raise(py)?;
        Ok(Proof {
            bundle,
            y_error_bound: None,
        })
    }

    /// The scheme the bundle says it was proved under.
    #[getter]
    fn scheme(&self) -> Option<String> {
        Scheme::from_proto(self.bundle.scheme, "bundle")
            .ok()
            .map(|s| s.to_string())
    }

    #[getter]
    fn partitions(&self) -> usize {
        self.bundle.partitions.len()
    }

    #[getter]
    fn vectors(&self) -> u32 {
        self.bundle.vectors.max(1)
    }

    /// The matrix commitment the bundle claims (64 hex digits). Verify against the one you
    /// trust, never this.
    #[getter]
    fn claimed_commitment(&self) -> String {
        <[u8; 32]>::try_from(self.bundle.matrix_commitment.as_slice())
            .map(|c| digest_to_hex(&c))
            .unwrap_or_default()
    }

    fn __repr__(&self) -> String {
        format!(
            "Proof({} partitions, {} vector(s), {} bytes)",
            self.partitions(),
            self.vectors(),
            self.bundle.encoded_len()
        )
    }
}

/// Reads a bundle written by `Proof.save` or `zkmr prove`.
#[pyfunction]
pub fn load(py: Python<'_>, path: PathBuf) -> PyResult<Proof> {
    let bundle = py.detach(|| bundle::read(&path)).or_raise(py)?;
    Ok(Proof {
        bundle,
        y_error_bound: None,
    })
}
