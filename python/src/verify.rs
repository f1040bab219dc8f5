//! `zkmr.verify`: a proof against the matrix commitment the caller trusts, and the `x` it
//! asked about.

use std::borrow::Cow;
use std::time::Instant;

use pyo3::prelude::*;
use zkmr_core::store::{digest_from_hex, digest_to_hex};
use zkmr_core::verify::{Expected, ExpectedX, Verified};
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
    /// The `x` the proof is about (`None` when rejected), decoded and shaped as `y` is: a
    /// proof is about one `x`, so compare it with yours when you did not pass `x` to `verify`.
    #[pyo3(get)]
    x: Option<Py<PyAny>>,
    /// The digest of that `x` (64 hex digits, as `zkmr verify` prints it).
    #[pyo3(get)]
    x_digest: Option<String>,
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
    /// Made under the development SRS (halo2, cqlin), whose secret is public: the check proves
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
            (Some(reason), _) => format!("Verification({reason})"),
            (None, Some(root)) => format!(
                "Verification(verified: {} partitions, x {}, job root {root})",
                self.partitions.unwrap_or_default(),
                self.x_digest.as_deref().unwrap_or_default()
            ),
            (None, None) => "Verification(verified)".into(),
        }
    }
}

impl Verification {
    fn verified(
        py: Python<'_>,
        v: Verified,
        scheme: Option<String>,
        y_error_bound: Option<f64>,
        verify_ms: f64,
    ) -> PyResult<Self> {
        let batch = v.vectors > 1;
        let x: Vec<i128> = v.x.iter().map(|e| i128::from(*e)).collect();
        Ok(Self {
            verified: true,
            reason: None,
            partition: None,
            y: Some(arrays::decoded(py, &v.y, v.y_scale_bits, v.vectors, batch)?),
            y_scale_bits: Some(v.y_scale_bits),
            x: Some(arrays::decoded(
                py,
                &x,
                v.x_encoding.scale_bits,
                v.vectors,
                batch,
            )?),
            x_digest: Some(digest_to_hex(&v.x_digest)),
            y_error_bound,
            scheme,
            job_root: Some(digest_to_hex(&v.job_root)),
            partitions: Some(v.partitions),
            vectors: Some(v.vectors),
            srs_unsafe: v.srs_unsafe,
            verify_ms,
        })
    }

    fn rejected(
        reason: String,
        partition: Option<u32>,
        scheme: Option<String>,
        verify_ms: f64,
    ) -> Self {
        Self {
            verified: false,
            reason: Some(reason),
            partition,
            y: None,
            y_scale_bits: None,
            x: None,
            x_digest: None,
            y_error_bound: None,
            scheme,
            job_root: None,
            partitions: None,
            vectors: None,
            srs_unsafe: false,
            verify_ms,
        }
    }
}

/// What the caller expects of the proof's `x`: its vectors (the rows of a two-dimensional
/// array), or their digest (64 hex digits), or neither; both is the caller's error.
fn expected(
    x: Option<&Bound<'_, PyAny>>,
    x_digest: Option<&str>,
) -> PyResult<zkmr_core::Result<Expected>> {
    let x = match (x, x_digest) {
        (Some(_), Some(_)) => Err(Error::Usage("give x or x_digest, not both".into())),
        (Some(x), None) => Ok(Some(ExpectedX::Vectors(arrays::rows(x)?))),
        (None, Some(hex)) => digest_from_hex(hex, "x_digest")
            .map(|d| Some(ExpectedX::Digest(d)))
            .map_err(|e| Error::Usage(e.to_string())),
        (None, None) => Ok(None),
    };
    Ok(x.map(|x| Expected { x, job_root: None }))
}

/// Verifies `proof` (a `Proof`, or bundle bytes: malformed bytes are a rejection, as checking
/// untrusted bundles is the point) against `commitment` (64 hex digits) and, when given, the
/// `x` the caller asked about (the rows of a two-dimensional array, one vector each) or its
/// digest. A rejection, a proof for another `x` included, is a result, not an exception; a
/// malformed commitment or digest raises `InputError`.
#[pyfunction]
#[pyo3(signature = (proof, commitment, x, x_digest))]
pub fn verify(
    py: Python<'_>,
    proof: &Bound<'_, PyAny>,
    commitment: &str,
    x: Option<&Bound<'_, PyAny>>,
    x_digest: Option<&str>,
) -> PyResult<Verification> {
    let trusted = digest_from_hex(commitment, "commitment")
        .map_err(|e| Error::Usage(e.to_string()))
        .or_raise(py)?;
    let expected = expected(x, x_digest)?.or_raise(py)?;
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
    let result = py.detach(|| {
        decoded.and_then(|b| zkmr_core::verify::verify_expecting(&b, &trusted, &expected))
    });
    let verify_ms = started.elapsed().as_secs_f64() * 1e3;
    match result {
        Ok(v) => Verification::verified(py, v, scheme, y_error_bound, verify_ms),
        Err(err @ Error::Rejected { .. }) => {
            let partition = match &err {
                Error::Rejected { partition, .. } => *partition,
                _ => None,
            };
            Ok(Verification::rejected(
                err.to_string(),
                partition,
                scheme,
                verify_ms,
            ))
        }
        Err(other) => Err(other).or_raise(py),
    }
}
