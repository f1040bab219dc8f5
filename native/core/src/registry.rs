//! The registry of proof schemes: the one place that names every scheme's implementation.
//! Everything else asks it for the scheme a store, bundle, opening or option records and goes
//! through [`ProofScheme`].

use zkmr_math::error::{Error, Result};
use zkmr_scheme::{ProofScheme, Scheme};

/// The implementation of scheme `id`.
pub fn scheme(id: Scheme) -> &'static dyn ProofScheme {
    match id {
        Scheme::Pedersen => &zkmr_pedersen::Pedersen,
        Scheme::Halo2 => &zkmr_halo2::Halo2,
    }
}

/// Every scheme, in the wire contract's order: what a suite run for each scheme iterates.
pub fn all() -> impl Iterator<Item = &'static dyn ProofScheme> {
    Scheme::ALL.into_iter().map(scheme)
}

/// The scheme a message records (its `scheme` field); `what` names the message in the error.
pub fn recorded(value: i32, what: &str) -> Result<&'static dyn ProofScheme> {
    Scheme::from_proto(value, what).map(scheme)
}

/// The scheme of a bundle; an unknown one is a rejection, since bundles are untrusted.
pub fn of_bundle(bundle: &zkmr_proto::Bundle) -> Result<&'static dyn ProofScheme> {
    recorded(bundle.scheme, "bundle").map_err(|e| Error::rejected_bundle(e.to_string()))
}
