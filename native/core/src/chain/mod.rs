//! Chains: several products over committed matrices, each step's input the previous step's
//! output after a public step function (requantisation, ReLU, PageRank's damping and teleport
//! term), proved as one artifact.
//!
//! A chain proof is one bundle per step. The verifier verifies each bundle against its stage's
//! trusted commitment, and makes each step's input itself from the output before it, so a
//! changed intermediate vector fails the step whose product it claims to be, and a skipped or
//! added step fails where the inputs stop matching. The intermediate vectors are public in this
//! form: the proof shows every step's output (see `docs/chains.md`).
//!
//! [`spec`] is the specification both sides read, [`prove`] makes the proof over open key
//! stores, [`verify`] checks it with nothing but the spec.

pub mod prove;
pub mod spec;
pub mod verify;

use crate::error::{Error, Result};
use spec::{apply, tolerance_units, ChainSpec};

/// Where a chain is, the same walk for prover and verifier: the stage, its iteration, and the
/// vector the next product takes (or, once finished, the chain's output).
#[derive(Debug)]
pub(crate) struct Walk {
    /// The walk's own copy (a spec is a few lines), so a chain proved step by step over
    /// several calls can hold its walk.
    spec: ChainSpec,
    pub(crate) stage: usize,
    pub(crate) iteration: u32,
    pub(crate) step: usize,
    /// The current vectors (`vectors` blocks of `len`), at `scale` bits.
    pub(crate) values: Vec<i128>,
    pub(crate) len: usize,
    pub(crate) scale: u32,
    pub(crate) vectors: usize,
    /// For each repeated stage passed: whether it converged before its `max`.
    pub(crate) converged: Vec<Option<bool>>,
    /// The last step's change in L1, encoded, for each repeated stage passed.
    pub(crate) last_change: Vec<Option<u128>>,
    /// The steps taken in each stage.
    pub(crate) steps_in: Vec<usize>,
}

impl Walk {
    pub(crate) fn start(spec: &ChainSpec, first: &[i64], vectors: usize) -> Self {
        Self {
            spec: spec.clone(),
            stage: 0,
            iteration: 0,
            step: 0,
            values: first.iter().map(|v| *v as i128).collect(),
            len: first.len() / vectors.max(1),
            scale: spec.input.scale_bits,
            vectors,
            converged: vec![None; spec.stages.len()],
            last_change: vec![None; spec.stages.len()],
            steps_in: vec![0; spec.stages.len()],
        }
    }

    pub(crate) fn finished(&self) -> bool {
        self.stage == self.spec.stages.len()
    }

    /// "step 4 (pagerank, iteration 4)": how messages name the current step.
    pub(crate) fn label(&self) -> String {
        let stage = &self.spec.stages[self.stage];
        match stage.repeat {
            Some(_) => format!(
                "step {} ({}, iteration {})",
                self.step,
                stage.name,
                self.iteration + 1
            ),
            None => format!("step {} ({})", self.step, stage.name),
        }
    }

    pub(crate) fn commitment(&self) -> [u8; 32] {
        self.spec.commitment(self.stage)
    }

    /// The current vectors as the next product's input: within the chain's value bits.
    pub(crate) fn input(&self) -> Result<Vec<i64>> {
        let bound = 1i128 << self.spec.input.value_bits;
        self.values
            .iter()
            .enumerate()
            .map(|(k, v)| {
                if v.abs() >= bound {
                    Err(Error::Input(format!(
                        "{}: input entry {k} is {v}, beyond the chain's {} value bits",
                        self.label(),
                        self.spec.input.value_bits
                    )))
                } else {
                    Ok(*v as i64)
                }
            })
            .collect()
    }

    /// Takes the current step's product `y` (`rows` per vector, at `y_scale` bits) and moves to
    /// the next step: applies the stage's function and decides, for a repeated stage, whether
    /// it has converged.
    pub(crate) fn advance(&mut self, y: &[i128], rows: usize, y_scale: u32) -> Result<()> {
        let label = self.label();
        let stage = &self.spec.stages[self.stage];
        let (next, len, scale) = apply(&stage.then, y, rows, self.vectors, y_scale)
            .map_err(|e| Error::Input(format!("{label}: step function: {e}")))?;
        let mut stage_done = stage.repeat.is_none();
        if let Some(repeat) = stage.repeat {
            if len != self.len || scale != self.scale {
                return Err(Error::Input(format!(
                    "{label}: a repeated stage must give back vectors like its input \
                     ({len} entries at {scale} bits, not {} at {})",
                    self.len, self.scale
                )));
            }
            let change = l1_change_i128(&next, &self.values);
            let converged = change <= tolerance_units(repeat.tolerance, scale);
            self.iteration += 1;
            if converged || self.iteration == repeat.max {
                self.converged[self.stage] = Some(converged);
                self.last_change[self.stage] = Some(change);
                stage_done = true;
            }
        }
        self.values = next;
        self.len = len;
        self.scale = scale;
        self.step += 1;
        self.steps_in[self.stage] += 1;
        if stage_done {
            self.stage += 1;
            self.iteration = 0;
        }
        if !self.finished() && scale != self.spec.input.scale_bits {
            return Err(Error::Input(format!(
                "{label}: the step function gives vectors at {scale} bits; the chain's inputs \
                 are at {}",
                self.spec.input.scale_bits
            )));
        }
        Ok(())
    }
}

fn l1_change_i128(a: &[i128], b: &[i128]) -> u128 {
    a.iter()
        .zip(b)
        .map(|(a, b)| a.abs_diff(*b))
        .fold(0u128, u128::saturating_add)
}

/// What a proved or verified chain ends with.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The output: `vectors` blocks of `len` values at `scale_bits`.
    pub output: Vec<i128>,
    pub len: usize,
    pub vectors: usize,
    pub scale_bits: u32,
    pub steps: usize,
    /// Per stage: for a repeated one, whether it converged and its last change (decoded).
    pub stages: Vec<StageOutcome>,
    /// Each step's job root.
    pub job_roots: Vec<[u8; 32]>,
    /// The first input, which a verifier compares with the one it means.
    pub first_input: Vec<i64>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct StageOutcome {
    pub name: String,
    pub steps: usize,
    pub converged: Option<bool>,
    pub last_change: Option<f64>,
}

impl Outcome {
    fn from_walk(
        walk: &Walk,
        spec: &ChainSpec,
        first_input: Vec<i64>,
        roots: Vec<[u8; 32]>,
    ) -> Self {
        let unit = (spec.input.scale_bits as f64).exp2();
        Self {
            output: walk.values.clone(),
            len: walk.len,
            vectors: walk.vectors,
            scale_bits: walk.scale,
            steps: walk.step,
            stages: spec
                .stages
                .iter()
                .zip(&walk.steps_in)
                .enumerate()
                .map(|(s, (stage, steps))| StageOutcome {
                    name: stage.name.clone(),
                    steps: *steps,
                    converged: walk.converged[s],
                    last_change: walk.last_change[s].map(|c| c as f64 / unit),
                })
                .collect(),
            job_roots: roots,
            first_input,
        }
    }

    /// The output decoded.
    pub fn decoded(&self) -> Vec<f64> {
        crate::fixed_point::decode_all(&self.output, self.scale_bits)
    }
}
