//! Verify (`docs/cqlin.md` 2.4 with the one-hop degree check of 9.1): the commitment against
//! the trusted digest, the SRS against the allowlist, the statement's lengths and bounds, the
//! transcript replayed, and one product of five pairings — the `ν`-combination of
//!
//! ```text
//! E1  e(C_x, M_2) = e(Q, [σ^N − 1]_2)·e((e_y·g − ζ·π_y)/n' + P, [1]_2)·e(π_y/n', [σ]_2)
//! E2  e(C_x − e_x·g + ζ'·π_x, [1]_2) = e(π_x, [σ^{m'}]_2)
//! E3' e(S, [σ^{m'}]_2) = e(P, [1]_2)
//! ```
//!
//! E1 is the committed product's identity `x'(X^{m'})·M = Q·Z + y'/n' + X^{m'}·S` at `σ` with
//! `y'` opened at `ζ`; E2 opens `C_x` to `x'(ζ')`; E3' bounds `deg S` by `N − 1 − m'`, the
//! bound without which any `y` could be proved. The field work over `x` and `y` is their fold
//! and two barycentric evaluations: no MSM over them.

use halo2_proofs::halo2curves::bn256::{multi_miller_loop, Fr, G1Affine, G2Prepared, Gt, G1};
use halo2_proofs::halo2curves::ff::Field;
use halo2_proofs::halo2curves::group::Curve;
use halo2_proofs::halo2curves::pairing::MillerLoopResult;
use zkmr_math::error::{Error, Result};

use crate::commitment::Commitment;
use crate::encoding::in_subgroup;
use crate::lagrange::evaluate_and_open;
use crate::proof::{Batch, Proof};
use crate::shape::Shape;
use crate::srs::{Allowed, Constants};
use crate::transcript::Transcript;

/// Verifies `proof` of `batch` for the matrix whose public data are `commitment`, trusted as
/// the digest `trusted`, under an SRS `allowed` lists.
pub fn verify(
    commitment: &Commitment,
    trusted: &[u8; 32],
    allowed: &Allowed,
    batch: &Batch,
    proof: &Proof,
) -> Result<()> {
    let digest = commitment.digest();
    if digest != *trusted {
        return Err(Error::rejected_bundle(
            "the matrix's public data do not hash to the trusted commitment",
        ));
    }
    let shape = commitment.header.shape()?;
    let constants = allowed.constants(&commitment.header.srs, &shape)?;
    // Decoding checks this too; a commitment made another way is checked here (the pairing's
    // bilinearity, which the argument rests on, holds on the prime-order subgroup).
    if !in_subgroup(&commitment.m2) {
        return Err(Error::rejected_bundle(
            "the commitment's M_2 is not in G2's prime-order subgroup",
        ));
    }
    batch.check(&shape, commitment.header.encoding.value_bits)?;
    let (t, x, y) = batch.fold(commitment, &digest);
    check_folded(commitment, &shape, &constants, t, &x, &y, proof)
}

/// The rest of the check once the statement is absorbed and folded (`t` drew `γ`; `x`, `y` are
/// the folded vectors): the prover, which has just folded them, checks its proof from here.
pub(crate) fn check_folded(
    commitment: &Commitment,
    shape: &Shape,
    constants: &Constants,
    mut t: Transcript,
    x: &[Fr],
    y: &[Fr],
    proof: &Proof,
) -> Result<()> {
    t.absorb_points(b"commitments", &[proof.c_x, proof.q, proof.s, proof.p]);
    let zeta = t.challenge(b"zeta");
    let (mp, np) = (shape.padded_rows(), shape.padded_cols());
    let zeta_cols = zeta.pow_vartime([mp as u64]);
    let on_domain = || {
        Error::rejected_bundle("the challenge zeta fell on the domain (zeta^N = 1); prove again")
    };
    let (e_x, _) = evaluate_and_open(x, np, shape.col_root(), zeta_cols).ok_or_else(on_domain)?;
    let (e_y, _) = evaluate_and_open(y, mp, shape.row_root(), zeta).ok_or_else(on_domain)?;
    t.absorb_points(b"openings", &[proof.pi_x, proof.pi_y]);
    let nu = t.challenge(b"nu");
    let nu2 = nu.square();

    let g = G1::generator();
    let np_inv = Fr::from(np as u64).invert().unwrap();
    let (c_x, q, s, p) = (
        G1::from(proof.c_x),
        G1::from(proof.q),
        G1::from(proof.s),
        G1::from(proof.p),
    );
    let (pi_x, pi_y) = (G1::from(proof.pi_x), G1::from(proof.pi_y));
    let on_one = q - p - (g * e_y - pi_y * zeta) * np_inv + (c_x - g * e_x + pi_x * zeta_cols) * nu
        - p * nu2;
    let lhs = [c_x, -q, on_one, -(pi_y * np_inv), s * nu2 - pi_x * nu];
    let mut points = [G1Affine::default(); 5];
    G1::batch_normalize(&lhs, &mut points);
    let rhs = [
        G2Prepared::from(commitment.m2),
        G2Prepared::from(constants.sigma_entries),
        G2Prepared::from(constants.one),
        G2Prepared::from(constants.sigma),
        G2Prepared::from(constants.sigma_rows),
    ];
    let terms: Vec<(&G1Affine, &G2Prepared)> = points.iter().zip(rhs.iter()).collect();
    if multi_miller_loop(&terms).final_exponentiation() != Gt::identity() {
        return Err(Error::rejected_bundle(
            "the proof does not verify: y is not the committed matrix times x",
        ));
    }
    Ok(())
}
