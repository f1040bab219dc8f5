//! The registry of proof schemes: the one place that names every scheme's implementation.
//! Everything else asks it for the scheme a store, bundle, opening or option records and goes
//! through [`ProofScheme`].
//!
//! A scheme is compiled in by its feature (`halo2`, on by default); a build without one, such
//! as the quick CLI build `scripts/zkmr` makes first, still reads the name everywhere and
//! answers a request for that scheme with an error naming the feature.

use zkmr_math::error::{Error, Result};
use zkmr_scheme::{ProofScheme, Scheme};

/// The implementation of scheme `id`, or a usage error when this build leaves it out.
pub fn scheme(id: Scheme) -> Result<&'static dyn ProofScheme> {
    match id {
        Scheme::Pedersen => Ok(&zkmr_pedersen::Pedersen),
        Scheme::Cqlin => Ok(&zkmr_cqlin::Cqlin),
        #[cfg(feature = "halo2")]
        Scheme::Halo2 => Ok(&zkmr_halo2::Halo2),
        #[cfg(not(feature = "halo2"))]
        Scheme::Halo2 => Err(left_out(id)),
    }
}

/// The error for a scheme this build was compiled without.
#[cfg(not(feature = "halo2"))]
fn left_out(id: Scheme) -> Error {
    not_built(&format!("the {id} scheme"), id.name())
}

/// The error for a part of zkmr (`what`) that this build was compiled without, naming its
/// cargo `feature` and how to build the full CLI.
pub fn not_built(what: &str, feature: &str) -> Error {
    Error::Usage(format!(
        "{what} is not in this build of zkmr: it was compiled without the `{feature}` feature, \
         as the quick build scripts/zkmr makes first is; build the full CLI once with \
         `ZKMR_FULL=1 ./scripts/zkmr --version` (about 15 minutes more; later runs keep it) and \
         run the command again"
    ))
}

/// Every scheme this build has, in the wire contract's order: what a suite run for each
/// scheme iterates.
pub fn all() -> impl Iterator<Item = &'static dyn ProofScheme> {
    Scheme::ALL.into_iter().filter_map(|id| scheme(id).ok())
}

/// The scheme a message records (its `scheme` field); `what` names the message in the error.
pub fn recorded(value: i32, what: &str) -> Result<&'static dyn ProofScheme> {
    Scheme::from_proto(value, what).and_then(scheme)
}

/// The scheme of a bundle; an unknown one is a rejection, since bundles are untrusted.
pub fn of_bundle(bundle: &zkmr_proto::Bundle) -> Result<&'static dyn ProofScheme> {
    let id = Scheme::from_proto(bundle.scheme, "bundle")
        .map_err(|e| Error::rejected_bundle(e.to_string()))?;
    scheme(id)
}
