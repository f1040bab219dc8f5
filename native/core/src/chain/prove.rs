//! Proving a chain over open key stores: each step is a job of its stage's store, proved and
//! verified as `zkmr prove` does, its input made by the step function from the step before.

use std::time::Instant;

use super::spec::{uniform, ChainSpec};
use super::{Outcome, Walk};
use crate::error::{Error, Result};
use crate::job::JobRunner;
use crate::progress::{Event, Progress, Silent};
use crate::store::digest_to_hex;
use crate::Vectors;

/// A proved chain.
#[derive(Debug)]
pub struct Proved {
    pub proof: zkmr_proto::ChainProof,
    pub outcome: Outcome,
    /// Each step's proving time (its own verification included, as `prove` does).
    pub step_seconds: Vec<f64>,
}

/// Proves `spec` over `stores` (each stage's store is found by its commitment) from `first`,
/// the first input, which the spec either makes itself (`None` here) or takes from the prover.
/// `progress` counts steps.
pub fn prove(
    spec: &ChainSpec,
    stores: &[JobRunner],
    first: Option<&Vectors>,
    progress: &dyn Progress,
) -> Result<Proved> {
    let store_of = |stage: usize| -> Result<&JobRunner> {
        let wanted = spec.commitment(stage);
        stores
            .iter()
            .find(|s| s.commitment().is_ok_and(|c| c == wanted))
            .ok_or_else(|| {
                Error::Usage(format!(
                    "stage {stage} ({}): no key store given holds matrix commitment {}",
                    spec.stages[stage].name,
                    digest_to_hex(&wanted)
                ))
            })
    };
    for stage in 0..spec.stages.len() {
        store_of(stage)?;
    }
    let (first_values, vectors) = match (spec.input.uniform, first) {
        (true, None) => {
            let n = store_of(0)?.store.manifest.cols as usize;
            (uniform(n, 1, spec.input.scale_bits), 1)
        }
        (true, Some(_)) => {
            return Err(Error::Usage(
                "the spec makes the first input itself (\"uniform\"); give no input".into(),
            ))
        }
        (false, None) => return Err(Error::Usage("the spec needs an input".into())),
        (false, Some(x)) => {
            if x.encoding != spec.encoding() {
                return Err(Error::Usage(format!(
                    "the input is encoded at {} scale bits and {} value bits; the spec says {} \
                     and {}",
                    x.encoding.scale_bits,
                    x.encoding.value_bits,
                    spec.input.scale_bits,
                    spec.input.value_bits
                )));
            }
            (x.values.clone(), x.count)
        }
    };
    let mut walk = Walk::start(spec, &first_values, vectors);
    let mut proof = zkmr_proto::ChainProof {
        version: zkmr_proto::CHAIN_VERSION,
        spec: spec.canonical(),
        ..Default::default()
    };
    let (mut roots, mut step_seconds) = (Vec::new(), Vec::new());
    let most: usize = spec
        .stages
        .iter()
        .map(|s| s.repeat.map_or(1, |r| r.max as usize))
        .sum();
    progress.report(Event::Started { total: most });
    while !walk.finished() {
        let label = walk.label();
        let store = store_of(walk.stage)?;
        let x = Vectors {
            values: walk.input()?,
            count: vectors,
            encoding: spec.encoding(),
        };
        let started = Instant::now();
        let proved = store
            .prove(&x, &Silent)
            .map_err(|e| Error::Input(format!("{label}: {e}")))?;
        step_seconds.push(started.elapsed().as_secs_f64());
        tracing::info!(step = %label, seconds = started.elapsed().as_secs_f64(), "proved");
        let manifest = &store.store.manifest;
        walk.advance(
            &proved.y,
            manifest.rows as usize,
            manifest.encoding.scale_bits + spec.input.scale_bits,
        )?;
        let mut bundle = proved.bundle;
        // Every input but a given first one is the verifier's to make.
        if !proof.steps.is_empty() || spec.input.uniform {
            bundle.x.clear();
        }
        if let Some(columns) =
            crate::registry::scheme(store.scheme()).detach_matrix_key(&mut bundle)
        {
            if !proof
                .matrices
                .iter()
                .any(|m| m.commitment == bundle.matrix_commitment)
            {
                proof.matrices.push(zkmr_proto::ChainMatrix {
                    commitment: bundle.matrix_commitment.clone(),
                    columns,
                });
            }
        }
        proof.steps.push(bundle);
        roots.push(proved.job_root);
        progress.report(Event::PartitionDone {
            index: walk.step as u32 - 1,
        });
    }
    Ok(Proved {
        outcome: Outcome::from_walk(&walk, spec, first_values, roots),
        proof,
        step_seconds,
    })
}
