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
    /// Each step's time: its input, products and proof, its own verification included.
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
    let store_of = |stage: usize| stage_store(spec, stage, stores);
    for stage in 0..spec.stages.len() {
        store_of(stage)?;
    }
    let mut stepper = Stepper::start(spec, store_of(0)?, first)?;
    progress.report(Event::Started {
        total: stepper.most_steps(),
    });
    while let Some(x) = stepper.next_input()? {
        let store = store_of(stepper.walk.stage)?;
        let proved = store
            .prove(&x, &Silent)
            .map_err(|e| Error::Input(format!("{}: {e}", stepper.label())))?;
        let index = stepper.walk.step as u32;
        stepper.record(store, proved.bundle, &proved.y, proved.job_root)?;
        progress.report(Event::PartitionDone { index });
    }
    stepper.finish()
}

/// The store among `stores` that holds stage `stage`'s matrix (found by its commitment).
pub fn stage_store<'a>(
    spec: &ChainSpec,
    stage: usize,
    stores: impl IntoIterator<Item = &'a JobRunner>,
) -> Result<&'a JobRunner> {
    let wanted = spec.commitment(stage);
    stores
        .into_iter()
        .find(|s| s.commitment().is_ok_and(|c| c == wanted))
        .ok_or_else(|| {
            Error::Usage(format!(
                "stage {stage} ({}): no key store given holds matrix commitment {}",
                spec.stages[stage].name,
                digest_to_hex(&wanted)
            ))
        })
}

/// A chain proved one step at a time by whoever makes each step's job: [`prove`] in one
/// process, or an engine whose tasks multiply the matrix's rows where they are and whose driver
/// proves each step from their products. [`Self::next_input`] is the input of the next step
/// (made by the step function from the last verified output, never taken from the caller),
/// [`Self::record`] takes that step's proved job, and [`Self::finish`] gives the chain proof
/// once the spec says the chain is over.
#[derive(Debug)]
pub struct Stepper {
    walk: Walk,
    proof: zkmr_proto::ChainProof,
    first_values: Vec<i64>,
    roots: Vec<[u8; 32]>,
    step_seconds: Vec<f64>,
    /// When the step now under way began (the previous step's end).
    started: Instant,
}

impl Stepper {
    /// Starts `spec`, whose first stage's matrix is `first_store`'s (the uniform first input
    /// takes its column count), from `first` or the input the spec makes itself.
    pub fn start(
        spec: &ChainSpec,
        first_store: &JobRunner,
        first: Option<&Vectors>,
    ) -> Result<Self> {
        first_store.expect_commitment(&spec.commitment(0))?;
        let (first_values, vectors) = match (spec.input.uniform, first) {
            (true, None) => {
                let n = first_store.store.manifest.cols as usize;
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
                        "the input is encoded at {} scale bits and {} value bits; the spec says \
                         {} and {}",
                        x.encoding.scale_bits,
                        x.encoding.value_bits,
                        spec.input.scale_bits,
                        spec.input.value_bits
                    )));
                }
                (x.values.clone(), x.count)
            }
        };
        Ok(Self {
            walk: Walk::start(spec, &first_values, vectors),
            proof: zkmr_proto::ChainProof {
                version: zkmr_proto::CHAIN_VERSION,
                spec: spec.canonical(),
                ..Default::default()
            },
            first_values,
            roots: Vec::new(),
            step_seconds: Vec::new(),
            started: Instant::now(),
        })
    }

    /// Steps proved so far.
    pub fn steps(&self) -> usize {
        self.proof.steps.len()
    }

    /// The job root of the last step proved, if any.
    pub fn last_job_root(&self) -> Option<[u8; 32]> {
        self.roots.last().copied()
    }

    /// The most steps the spec allows: every stage's `max`, or one.
    pub fn most_steps(&self) -> usize {
        self.walk
            .spec
            .stages
            .iter()
            .map(|s| s.repeat.map_or(1, |r| r.max as usize))
            .sum()
    }

    /// "step 4 (pagerank, iteration 4)": the next step, as messages name it.
    pub fn label(&self) -> String {
        if self.walk.finished() {
            return format!("step {} (after the last stage)", self.walk.step);
        }
        self.walk.label()
    }

    /// The matrix commitment of the next step's stage; `None` once the chain is over.
    pub fn commitment(&self) -> Option<[u8; 32]> {
        (!self.walk.finished()).then(|| self.walk.commitment())
    }

    /// The next step's input at the spec's encoding, or `None` when the chain is over.
    pub fn next_input(&self) -> Result<Option<Vectors>> {
        if self.walk.finished() {
            return Ok(None);
        }
        Ok(Some(Vectors {
            values: self.walk.input()?,
            count: self.walk.vectors,
            encoding: self.walk.spec.encoding(),
        }))
    }

    /// Takes the next step's job, proved and verified by `store` (the stage's matrix) for the
    /// input [`Self::next_input`] gave: its bundle, `y` and job root. The bundle joins the
    /// proof and the walk moves on from `y`.
    pub fn record(
        &mut self,
        store: &JobRunner,
        mut bundle: zkmr_proto::Bundle,
        y: &[i128],
        job_root: [u8; 32],
    ) -> Result<()> {
        let label = self.label();
        let wanted = self
            .commitment()
            .ok_or_else(|| Error::Usage(format!("{label}: the spec has no more steps")))?;
        store
            .expect_commitment(&wanted)
            .map_err(|e| Error::Usage(format!("{label}: {e}")))?;
        let expected = self.walk.input()?;
        if bundle.x != expected {
            return Err(Error::Input(format!(
                "{label}: the job was proved for another input than the chain's"
            )));
        }
        // A step's time runs from the end of the one before: its input, products and proof.
        let seconds = self.started.elapsed().as_secs_f64();
        self.started = Instant::now();
        self.step_seconds.push(seconds);
        tracing::info!(step = %label, seconds, "proved");
        let manifest = &store.store.manifest;
        self.walk.advance(
            y,
            manifest.rows as usize,
            manifest.encoding.scale_bits + self.walk.spec.input.scale_bits,
        )?;
        // Every input but a given first one is the verifier's to make.
        if !self.proof.steps.is_empty() || self.walk.spec.input.uniform {
            bundle.x.clear();
        }
        if let Some(columns) =
            crate::registry::scheme(store.scheme())?.detach_matrix_key(&mut bundle)
        {
            if !self
                .proof
                .matrices
                .iter()
                .any(|m| m.commitment == bundle.matrix_commitment)
            {
                self.proof.matrices.push(zkmr_proto::ChainMatrix {
                    commitment: bundle.matrix_commitment.clone(),
                    columns,
                });
            }
        }
        self.proof.steps.push(bundle);
        self.roots.push(job_root);
        Ok(())
    }

    /// Whether the spec says the chain is over, so that [`Self::finish`] gives its proof.
    pub fn check_over(&self) -> Result<()> {
        if self.walk.finished() {
            return Ok(());
        }
        Err(Error::Usage(format!(
            "{} is still to be proved: the chain is not over",
            self.walk.label()
        )))
    }

    /// The chain proof, once the spec says the chain is over.
    pub fn finish(self) -> Result<Proved> {
        self.check_over()?;
        let spec = self.walk.spec.clone();
        Ok(Proved {
            outcome: Outcome::from_walk(&self.walk, &spec, self.first_values, self.roots),
            proof: self.proof,
            step_seconds: self.step_seconds,
        })
    }
}
