//! `verify --bundle`: the whole job, or with `--keys --partition` one partition against the
//! block its store committed (the holder's check of its own workers).

use std::path::Path;
use std::time::Instant;

use zkmr_core::job::JobRunner;
use zkmr_core::verify::{check_x, Expected};
use zkmr_core::{bundle, Error, Result, Scheme};

use super::outcome::Outcome;
use super::Args;

/// Checks the bundle at `path`; a store given with `--keys` names the partition at fault when
/// the job check fails. The time is the check's alone.
pub(super) fn verify(
    args: &Args,
    path: &Path,
    commitment: &[u8; 32],
    expected: &Expected,
) -> Result<(Option<Scheme>, Result<Outcome>, f64)> {
    let bundle = bundle::read(path)?;
    let scheme = Scheme::from_proto(bundle.scheme, "bundle").ok();
    let store = args.keys.as_deref().map(JobRunner::open).transpose()?;
    if let Some(store) = &store {
        if store.commitment()? != *commitment {
            return Err(Error::Usage(format!(
                "--keys {}: the store's matrix commitment is not --commitment",
                store.store.dir().display()
            )));
        }
    }
    let started = Instant::now();
    let result = match (&store, args.partition) {
        (Some(store), Some(index)) => one_partition(store, &bundle, index, expected),
        _ => zkmr_core::verify::verify_expecting(&bundle, commitment, expected)
            .map_err(|e| match &store {
                Some(store) => store.locate(&bundle, e),
                None => e,
            })
            .map(|v| Outcome::of(v, false)),
    };
    Ok((scheme, result, started.elapsed().as_secs_f64() * 1e3))
}

/// Partition `index` of `bundle` against the block `store` committed, for the `x` expected.
fn one_partition(
    store: &JobRunner,
    bundle: &zkmr_proto::Bundle,
    index: u32,
    expected: &Expected,
) -> Result<Outcome> {
    let vectors = bundle.vectors.max(1) as usize;
    let x_encoding =
        zkmr_core::bundle::encoding_from_proto(bundle.x_encoding.as_ref(), "x_encoding")
            .map_err(|e| Error::rejected_bundle(e.to_string()))?;
    let cols = store.store.manifest.cols as usize;
    check_x(&bundle.x, vectors, x_encoding, cols, expected)?;
    store.check_partition(bundle, index)?;
    Ok(Outcome {
        job_root: [0; 32],
        partitions: 1,
        x: bundle.x.clone(),
        x_encoding,
        y: Vec::new(),
        vectors,
        y_scale_bits: 0,
        aggregated: false,
        srs_unsafe: store.is_unsafe(),
    })
}
