//! Prove (`docs/cqlin.md` 2.3): from the cached data, six MSMs of at most `max(n', m')` points
//! — four with `x'` as scalars (the matrix's entries never), two with the openings' scalars —
//! and the verifier's check before the proof is released.

use halo2_proofs::halo2curves::bn256::{Fr, G1Affine, G1};
use halo2_proofs::halo2curves::ff::Field;
use halo2_proofs::halo2curves::group::Curve;
use halo2_proofs::halo2curves::msm::msm_best;
use zkmr_math::error::{Error, Result};

use crate::commitment::Commitment;
use crate::key::ProverKey;
use crate::lagrange::evaluate_and_open;
use crate::msm::small_msm;
use crate::proof::{Batch, Proof};
use crate::shape::Shape;
use crate::transcript::Transcript;
use crate::verify::check_folded;

/// Proves `batch` for the matrix behind `commitment`, whose cached data `key` holds; `y` is
/// the engine's product, which the check at the end refuses if it is not `A·x`.
pub fn prove(key: &ProverKey, commitment: &Commitment, batch: &Batch) -> Result<Proof> {
    let shape = shape_of(key, commitment)?;
    batch.check(&shape, commitment.header.encoding.value_bits)?;
    let digest = commitment.digest();
    let (t, x, y) = batch.fold(commitment, &digest);
    // One vector: its entries are small integers, and the MSMs run over their bits only.
    let small = (batch.vectors == 1).then_some(batch.x);
    prove_folded(key, commitment, &shape, t, &x, &y, small)
}

/// The shape both the commitment and the cached data are for.
pub(crate) fn shape_of(key: &ProverKey, commitment: &Commitment) -> Result<Shape> {
    let shape = commitment.header.shape()?;
    if (shape.log_rows, shape.log_cols) != (key.shape.log_rows, key.shape.log_cols) {
        return Err(Error::Usage(format!(
            "the cached data are for a {}x{} matrix and the commitment is of a {}x{} one",
            key.shape.rows, key.shape.cols, shape.rows, shape.cols
        )));
    }
    Ok(shape)
}

/// The proof, for the `shape` [`shape_of`] gave, from a transcript that has drawn `γ` and the
/// folded `x'` and `y'` (`small_x`: the
/// one vector's integers, when there is one), checked with the verifier's equation.
pub(crate) fn prove_folded(
    key: &ProverKey,
    commitment: &Commitment,
    shape: &Shape,
    mut t: Transcript,
    x: &[Fr],
    y: &[Fr],
    small_x: Option<&[i64]>,
) -> Result<Proof> {
    let statement = t.clone();
    let msm = |bases: &[G1Affine]| -> G1 {
        match small_x {
            Some(x) => small_msm(x, &bases[..shape.cols]),
            None => msm_best(x, &bases[..shape.cols]),
        }
    };
    let [c_x, q, s, p] = affine([
        msm(&key.cols),
        msm(&key.quotients),
        msm(&key.shifted),
        msm(&key.raised),
    ]);
    t.absorb_points(b"commitments", &[c_x, q, s, p]);
    let zeta = t.challenge(b"zeta");
    let zeta_cols = zeta.pow_vartime([shape.padded_rows() as u64]);
    let (mp, np) = (shape.padded_rows(), shape.padded_cols());
    let off_domain = || Error::Proving {
        partition: 0,
        reason: "the challenge fell on the domain (probability N/r); prove again".into(),
    };
    let (_, open_x) =
        evaluate_and_open(x, np, shape.col_root(), zeta_cols).ok_or_else(off_domain)?;
    let (_, open_y) = evaluate_and_open(y, mp, shape.row_root(), zeta).ok_or_else(off_domain)?;
    let [pi_x, pi_y, _, _] = affine([
        msm_best(&open_x, &key.cols),
        msm_best(&open_y, &key.rows),
        G1::default(),
        G1::default(),
    ]);
    let proof = Proof {
        c_x,
        q,
        s,
        p,
        pi_x,
        pi_y,
    };
    check_folded(commitment, shape, &key.constants, statement, x, y, &proof)?;
    Ok(proof)
}

fn affine(points: [G1; 4]) -> [G1Affine; 4] {
    let mut out = [G1Affine::default(); 4];
    G1::batch_normalize(&points, &mut out);
    out
}
