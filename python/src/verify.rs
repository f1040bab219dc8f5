//! `zkmr.verify`: a proof against the matrix commitment the caller trusts.

use std::borrow::Cow;
use std::time::Instant;

use pyo3::prelude::*;
use zkmr_core::keystore::{digest_from_hex, digest_to_hex};
use zkmr_core::{bundle, Error};

use crate::arrays;
use crate::errors::OrRaise;
use crate::proof::Proof;

/// The verdict on a proof. True in a boolean context exactly when it verified.
#[pyclass(frozen, module = "zkmr")]
pub struct Verification {
    #[pyo3(get)]
    verified: bool,
    /// Why the proof was rejected, as `zkmr verify` says it; `None` when it verified.
    #[pyo3(get)]
    reason: Option<String>,
    /// The partition at fault, where the rejection names one.
    #[pyo3(get)]
    partition: Option<u32>,
    /// `y` as verified (`None` when rejected): `(rows,)`, or `(vectors, rows)` when the proof
    /// holds more than one vector.
    #[pyo3(get)]
    y: Option<Py<PyAny>>,
    /// The fixed-point scale of `y`, in bits: `y` is exact at this resolution.
    #[pyo3(get)]
    y_scale_bits: Option<u32>,
    /// The proof's bound on `|y − A·x|` against the unrounded inputs, when the proof came from
    /// `zkmr.prove` in this process (the bound needs the store); `None` otherwise.
    #[pyo3(get)]
    y_error_bound: Option<f64>,
    #[pyo3(get)]
    scheme: Option<String>,
    /// The job root (64 hex digits) binding every partition's inputs and outputs.
    #[pyo3(get)]
    job_root: Option<String>,
    #[pyo3(get)]
    partitions: Option<usize>,
    #[pyo3(get)]
    vectors: Option<usize>,
    /// Made under the development SRS (halo2), whose secret is public: the check proves
    /// nothing.
    #[pyo3(get)]
    srs_unsafe: bool,
    #[pyo3(get)]
    verify_ms: f64,
}

#[pymethods]
impl Verification {
    fn __bool__(&self) -> bool {
        self.verified
    }

    fn __repr__(&self) -> String {
        match (&self.reason, &self.job_root) {
            (Some(reason), _) => format!("Verification(rejected: {reason})"),
            (None, Some(root)) => format!(
                "Verification(verified: {} partitions, job root {root})",
                self.partitions.unwrap_or_default()
            ),
            (None, None) => "Verification(verified)".into(),
        }
    }
}

/// Verifies `proof` (a `Proof`, or bundle bytes: malformed bytes are a rejection, as checking
/// untrusted bundles is the point) against `commitment` (64 hex digits). A rejection is a
/// result, not an exception; a malformed commitment raises `InputError`.
#[pyfunction]
pub fn verify(
    py: Python<'_>,
    proof: &Bound<'_, PyAny>,
    commitment: &str,
) -> PyResult<Verification> {
    let trusted = digest_from_hex(commitment, "commitment")
        .map_err(|e| Error::Usage(e.to_string()))
        .or_raise(py)?;
    let (decoded, y_error_bound) = match proof.cast::<Proof>() {
        Ok(proof) => {
            let proof = proof.get();
            (Ok(Cow::Borrowed(&proof.bundle)), proof.y_error_bound)
        }
        Err(_) => {
            let bytes: Vec<u8> = proof.extract()?;
            let decoded = bundle::decode(&bytes, "proof")
                .map(Cow::Owned)
                .map_err(|e| Error::rejected_bundle(e.to_string()));
            (decoded, None)
        }
    };
    let scheme = decoded
        .as_ref()
        .ok()
        .and_then(|b| zkmr_core::Scheme::from_proto(b.scheme, "bundle").ok())
        .map(|s| s.to_string());
    let started = Instant::now();
    let result = py.detach(|| decoded.and_then(|b| zkmr_core::verify::verify(&b, &trusted)));
    let verify_ms = started.elapsed().as_secs_f64() * 1e3;
    match result {
        Ok(v) => Ok(Verification {
            verified: true,
            reason: None,
            partition: None,
            y: Some(arrays::y_array(
                py,
                &v.y,
                v.y_scale_bits,
                v.vectors,
                v.vectors > 1,
            )?),
            y_scale_bits: Some(v.y_scale_bits),
            y_error_bound,
            scheme,
            job_root: Some(digest_to_hex(&v.job_root)),
            partitions: Some(v.partitions),
            vectors: Some(v.vectors),
            srs_unsafe: v.srs_unsafe,
            verify_ms,
        }),
        Err(err @ Error::Rejected { .. }) => {
            let partition = match &err {
                Error::Rejected { partition, .. } => *partition,
                _ => None,
            };
            Ok(Verification {
                verified: false,
                reason: Some(err.to_string()),
                partition,
                y: None,
                y_scale_bits: None,
                y_error_bound: None,
                scheme,
                job_root: None,
                partitions: None,
                vectors: None,
                srs_unsafe: false,
                verify_ms,
            })
        }
        Err(other) => Err(other).or_raise(py),
    }
}
