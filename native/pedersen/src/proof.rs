//! The job check and its Schnorr proof.
//!
//! For `y = A·x` the verifier computes `P = Σ_j x_j·C_j − Σ_i y_i·G_i`, which is `ρ*·H` with
//! `ρ* = Σ_j x_j·ρ_j` exactly when `y` is right; the prover shows it knows `ρ*` with a
//! Schnorr proof `(T, s)`: `s·H = T + c·P`. A batch `Y = A·X` is first folded into one
//! vector pair with a challenge `γ` (Freivalds): `x' = Σ_b γ^b·X_b`, `y' = Σ_b γ^b·Y_b`.
//!
//! The challenges come from one transcript that absorbs, in order: the domain tag, the
//! statement kind, the matrix commitment (which binds the shape, the encoding and every
//! `C_j`), `m`, `n`, the number of vectors, `x`'s encoding and values, `y`'s scale and values,
//! then `γ` (batches), then `T`. The prover and the verifier both build it here.
//!
//! An opening of one partition (see [`super::opening`]) builds its transcript here too: it is
//! of another kind and absorbs the partition's index and rows after the commitment, so a proof
//! for one partition or for the job never passes for another.

use halo2_proofs::halo2curves::bn256::{Fr, G1Affine, G1};
use halo2_proofs::halo2curves::group::Curve;
use rayon::prelude::*;

use super::encoding::point_to_bytes;
use super::msm::{msm, mul_h, signed_msm};
use super::statement::PartitionId;
use super::transcript::Transcript;
use zkmr_math::field::{fold_powers, from_i128};
use zkmr_math::fixed_point::FixedPoint;

/// The public values of one job, or of one partition of it.
pub struct Statement<'a> {
    pub commitment: &'a [u8; 32],
    /// For an opening: the partition, whose rows `y` then holds alone, and the root of the job
    /// it belongs to, bound so that only the prover can say which job that is.
    pub partition: Option<(&'a PartitionId, &'a [u8; 32])>,
    pub rows: usize,
    pub cols: usize,
    /// The vectors `x`, one after another.
    pub x: &'a [i64],
    pub vectors: usize,
    pub x_encoding: FixedPoint,
    /// The outputs `y`, one block of `rows` per vector.
    pub y: &'a [i128],
    pub y_scale_bits: u32,
}

/// The statement folded into one vector pair.
pub enum Folded {
    /// One vector: its integers as they are (short scalars for the MSM).
    One { x: Vec<i128>, y: Vec<i128> },
    /// A batch folded with `γ`.
    Batch { x: Vec<Fr>, y: Vec<Fr>, gamma: Fr },
}

impl Folded {
    /// `Σ_j x'_j·C_j − Σ_{i ∈ rows} y'_i·G_i`: the job's check over all rows, or what an
    /// opening leaves over its partition's rows.
    pub fn point(
        &self,
        columns: &[G1Affine],
        generators: &[G1Affine],
        rows: std::ops::Range<usize>,
    ) -> G1 {
        let g = &generators[rows.clone()];
        let (xs, ys) = match self {
            Folded::One { x, y } => {
                rayon::join(|| signed_msm(x, columns), || signed_msm(&y[rows], g))
            }
            Folded::Batch { x, y, .. } => rayon::join(|| msm(x, columns), || msm(&y[rows], g)),
        };
        xs - ys
    }

    /// `Σ_j x'_j·w_j`, the blinding the check leaves for column blindings `w`.
    pub fn blinding(&self, w: &[Fr]) -> Fr {
        match self {
            Folded::One { x, .. } => x.par_iter().zip(w).map(|(x, w)| from_i128(*x) * w).sum(),
            Folded::Batch { x, .. } => x.par_iter().zip(w).map(|(x, w)| *x * w).sum(),
        }
    }

    /// Outputs `y` (`vectors` blocks of `rows`) folded as this statement folds its own: as
    /// field elements, by `γ` for a batch. An opening's prover folds the whole job's `y` so.
    pub fn fold_outputs(&self, y: &[i128], rows: usize, vectors: usize) -> Vec<Fr> {
        match self {
            Folded::One { .. } => y.iter().map(|v| from_i128(*v)).collect(),
            Folded::Batch { gamma, .. } => fold_powers(y, rows, vectors, *gamma),
        }
    }
}

/// The transcript up to `T`, and the statement folded with its `γ`.
pub fn transcript(s: &Statement<'_>) -> (Transcript, Folded) {
    let kind = match (s.partition.is_some(), s.vectors == 1) {
        (false, true) => "job",
        (false, false) => "batch",
        (true, true) => "partition",
        (true, false) => "partition batch",
    };
    let mut t = Transcript::new(kind);
    t.absorb("matrix commitment", s.commitment);
    if let Some((p, job_root)) = s.partition {
        t.absorb_u64("partition", p.index as u64);
        t.absorb_u64("row start", p.row_start);
        t.absorb_u64("row end", p.row_end);
        t.absorb("job root", job_root);
    }
    t.absorb_u64("rows", s.rows as u64);
    t.absorb_u64("cols", s.cols as u64);
    t.absorb_u64("vectors", s.vectors as u64);
    t.absorb_u64("x scale bits", s.x_encoding.scale_bits as u64);
    t.absorb_u64("x value bits", s.x_encoding.value_bits as u64);
    t.absorb_i64s("x", s.x);
    t.absorb_u64("y scale bits", s.y_scale_bits as u64);
    t.absorb_i128s("y", s.y);
    if s.vectors == 1 {
        let folded = Folded::One {
            x: s.x.iter().map(|v| *v as i128).collect(),
            y: s.y.to_vec(),
        };
        return (t, folded);
    }
    let gamma = t.challenge("gamma");
    let x = fold_powers(s.x, s.cols, s.vectors, gamma);
    let y = fold_powers(s.y, s.rows, s.vectors, gamma);
    (t, Folded::Batch { x, y, gamma })
}

/// Why outputs `y` cannot be a product under encodings whose outputs stay below `bound`, if one
/// does not: what the verifier, an opening's verifier and the prover's own check each refuse.
pub fn beyond_bound(y: &[i128], bound: u128) -> Option<&'static str> {
    y.iter()
        .any(|v| v.unsigned_abs() >= bound)
        .then_some("a y entry exceeds the bound the encodings allow")
}

/// Why a job whose homomorphic check fails is refused.
pub const CHECK_FAILS: &str =
    "the outputs do not match the committed matrix: the homomorphic check fails";

/// The Schnorr challenge after `T`.
pub fn challenge(mut t: Transcript, commitment_t: &G1Affine) -> Fr {
    t.absorb("T", &point_to_bytes(commitment_t));
    t.challenge("c")
}

/// A nonce for a proof whose transcript so far is `t` and whose witness is `secret`: hedged,
/// i.e. a hash of both and of 64 fresh bytes from the OS RNG, so a repeated or weak RNG
/// output alone (a cloned VM, a broken RNG) never repeats a nonce across statements, and a
/// good RNG alone keeps it uniform. `index` separates the nonces of one proof.
pub fn hedged_nonce(t: &Transcript, secret: &Fr, index: u64) -> Fr {
    use halo2_proofs::halo2curves::ff::PrimeField;
    use rand::RngCore;
    let mut fresh = [0u8; 64];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    let mut hedge = t.clone();
    hedge.absorb("nonce secret", secret.to_repr().as_ref());
    hedge.absorb_u64("nonce index", index);
    hedge.absorb("nonce randomness", &fresh);
    hedge.challenge("nonce")
}

/// A Schnorr proof of knowing `rho` with `P = rho·H`: `(T, s)`.
pub fn prove(t: Transcript, rho: Fr) -> (G1Affine, Fr) {
    let k = hedged_nonce(&t, &rho, 0);
    let commitment_t = mul_h(&k).to_affine();
    let c = challenge(t, &commitment_t);
    (commitment_t, k + c * rho)
}

/// Whether `s·H = T + c·P`.
pub fn holds(t: Transcript, p: G1, commitment_t: &G1Affine, s: &Fr) -> bool {
    let c = challenge(t, commitment_t);
    mul_h(s) == p * c + commitment_t
}
