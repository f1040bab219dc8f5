//! `verify --aggregated`: one aggregated proof for the whole job (halo2's).

use std::path::Path;

use zkmr_core::verify::Expected;
use zkmr_core::{Error, Result, Scheme};

use super::outcome::Outcome;
use super::Args;
use crate::inputs::SrsArgs;

/// Checks an aggregated proof; the time excludes rebuilding the aggregation key. Aggregated
/// proofs fold halo2 partition proofs, so the scheme is halo2's.
pub(super) fn verify(
    args: &Args,
    path: &Path,
    commitment: &[u8; 32],
    expected: &Expected,
) -> Result<(Option<Scheme>, Result<Outcome>, f64)> {
    if args.srs.is_none() && !args.dev_srs {
        return Err(Error::Usage(
            "--aggregated needs the SRS: --srs FILE or --dev-srs".into(),
        ));
    }
    let srs = SrsArgs {
        srs: args.srs.clone(),
        dev_srs: args.dev_srs,
    };
    let (result, verify_ms) =
        zkmr_aggregate::verifier::verify_file(path, commitment, &srs.choice(), expected)?;
    let result = result.map(|v| Outcome::of(v, true));
    Ok((Some(Scheme::Halo2), result, verify_ms))
}
