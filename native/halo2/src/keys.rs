//! halo2 keys of one partition.
//!
//! The verifying key is the partition's commitment to its block (its fixed commitments), and
//! its halo2 digest is the partition's key digest. The proving key is never stored: it is
//! rebuilt from the block and the verifying key when proving, which costs a few FFTs and
//! keeps a key store at the size of the matrix.
//!
//! Setup is dominated by committing the fixed columns. halo2 commits each column with
//! full-width scalars, and a negative entry is a full-width field element. [`KeyMaker`] gets
//! the identical key faster: halo2 keys the circuit once with an all-zero block (the `-I`
//! part and the selectors, whose commitments are cheap), and each block's contribution is
//! added by commitment linearity with one MSM per column over `|a|` and sign-adjusted bases,
//! so every scalar is as short as the matrix entries. Tests check the result is
//! byte-identical to halo2's own keygen.

use halo2_proofs::{
    arithmetic::{best_multiexp, g_to_lagrange, CurveAffine},
    halo2curves::{
        bn256::{G1Affine, G1},
        group::{prime::PrimeCurveAffine, Curve},
    },
    plonk::{keygen_pk, keygen_vk, ConstraintSystem, ProvingKey, VerifyingKey},
    poly::{commitment::ParamsProver, EvaluationDomain},
    SerdeFormat,
};
use snark_verifier::util::arithmetic::fe_to_limbs;

use crate::circuit::{MatVecCircuit, MatVecConfig};
use crate::shape::CircuitShape;
use crate::srs::ProverParams;
use zkmr_math::error::{Error, Result};
use zkmr_math::field::F;

pub type Vk = VerifyingKey<G1Affine>;
pub type Pk = ProvingKey<G1Affine>;

/// Makes verifying keys for blocks of one shape.
pub struct KeyMaker {
    shape: CircuitShape,
    /// The key of the all-zero block.
    skeleton: Vk,
    /// The SRS in the Lagrange basis, derived from the monomial points.
    lagrange: Vec<G1Affine>,
    /// The evaluation domain every key of this shape shares.
    domain: EvaluationDomain<F>,
}

impl KeyMaker {
    pub fn new(params: &ProverParams, shape: CircuitShape) -> Result<Self> {
        let skeleton = keygen_vk(params, &MatVecCircuit::for_keygen(shape, &[]))
            .map_err(|e| Error::Usage(format!("keygen of the {shape:?} circuit: {e}")))?;
        let monomial = params
            .get_g()
            .iter()
            .map(PrimeCurveAffine::to_curve)
            .collect();
        let k = shape.k();
        let mut cs = ConstraintSystem::<F>::default();
        MatVecConfig::configure(&mut cs, shape);
        Ok(Self {
            shape,
            skeleton,
            lagrange: g_to_lagrange(monomial, k),
            domain: EvaluationDomain::new(cs.degree() as u32, k),
        })
    }

    /// The verifying key of `block` (row-major, at most `shape.rows` rows).
    pub fn verifying_key(&self, block: &[i64]) -> Vk {
        let s = self.shape;
        let mut commitments: Vec<G1> = self
            .skeleton
            .fixed_commitments()
            .iter()
            .map(PrimeCurveAffine::to_curve)
            .collect();
        for (i, row) in block.chunks(s.cols).enumerate() {
            for g in 0..s.fold {
                let first = g * s.height();
                let columns = first.min(s.cols)..(first + s.height()).min(s.cols);
                let (scalars, bases): (Vec<F>, Vec<G1Affine>) = row[columns.clone()]
                    .iter()
                    .zip(&self.lagrange)
                    .filter(|(a, _)| **a != 0)
                    .map(|(a, base)| {
                        let base = if *a < 0 { -*base } else { *base };
                        (F::from(a.unsigned_abs()), base)
                    })
                    .unzip();
                if !scalars.is_empty() {
                    commitments[g * s.rows + i] += best_multiexp(&scalars, &bases);
                }
            }
        }
        let mut affine = vec![G1Affine::identity(); commitments.len()];
        G1::batch_normalize(&commitments, &mut affine);
        Vk::from_parts(
            self.domain.clone(),
            affine,
            self.skeleton.permutation().clone(),
            self.skeleton.cs().clone(),
            Vec::new(),
            self.skeleton.compress_selectors(),
        )
    }
}

/// Rebuilds the proving key of a block from its verifying key.
pub fn proving_key(
    params: &ProverParams,
    vk: Vk,
    shape: CircuitShape,
    block: &[i64],
    index: u32,
) -> Result<Pk> {
    keygen_pk(params, vk, &MatVecCircuit::for_keygen(shape, block)).map_err(|e| Error::Proving {
        partition: index,
        reason: format!("proving key: {e}"),
    })
}

/// Limb width of a base-field coordinate when the aggregation circuit loads a commitment.
pub const LIMB_BITS: usize = 88;
/// Limbs per base-field coordinate.
pub const LIMBS: usize = 3;

/// The partition's key digest: Poseidon over every preprocessed commitment (fixed columns,
/// then permutation columns, each as the limbs of `x` then `y`) and halo2's own digest of
/// the key, which seeds every transcript under it.
///
/// This is exactly the sequence the aggregation circuit holds when it loads a key as a
/// witness, so the circuit can hash it and match it against the matrix commitment: one
/// aggregation circuit then serves every matrix of a shape, and a proof under any other key
/// fails that match.
pub fn key_digest(vk: &Vk) -> F {
    let points = vk
        .fixed_commitments()
        .iter()
        .chain(vk.permutation().commitments());
    let mut input = vec![F::from(crate::statement::KEY_TAG)];
    for point in points {
        let coordinates = point
            .coordinates()
            .expect("key commitments are not the identity");
        for coordinate in [coordinates.x(), coordinates.y()] {
            input.extend(fe_to_limbs::<_, F, LIMBS, LIMB_BITS>(*coordinate));
        }
    }
    input.push(vk.transcript_repr());
    crate::poseidon::hash(&input)
}

pub fn vk_to_bytes(vk: &Vk) -> Vec<u8> {
    vk.to_bytes(SerdeFormat::Processed)
}

/// Reads a verifying key for `shape`; every point is checked to be on the curve.
pub fn vk_from_bytes(bytes: &[u8], shape: CircuitShape, index: u32) -> Result<Vk> {
    // halo2 builds the evaluation domain from the size the key declares (its second to fifth
    // bytes, after a version byte) and panics on an impossible one: check it first.
    if bytes.get(1..5) != Some(&shape.k().to_le_bytes()[..]) {
        return Err(Error::rejected(
            index,
            format!(
                "verifying key: not made for circuits of 2^{} rows",
                shape.k()
            ),
        ));
    }
    let mut reader = bytes;
    let vk = Vk::read::<_, MatVecCircuit>(&mut reader, SerdeFormat::Processed, shape)
        .map_err(|e| Error::rejected(index, format!("verifying key: {e}")))?;
    if !reader.is_empty() {
        return Err(Error::rejected(
            index,
            format!("verifying key: {} trailing bytes", reader.len()),
        ));
    }
    Ok(vk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_maker_matches_halo2_keygen_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        for (rows, real_rows, cols, fold) in
            [(4, 4, 9, 1), (4, 3, 9, 2), (5, 5, 30, 3), (2, 1, 1, 1)]
        {
            let shape = CircuitShape::new(rows, cols, fold).unwrap();
            let params = crate::srs::development(shape.k(), dir.path()).unwrap();
            let block: Vec<i64> = (0..real_rows * cols)
                .map(|i| match i % 4 {
                    0 => 0,
                    1 => -(i as i64 * 977),
                    2 => i as i64 * 31,
                    _ => -(1i64 << 40) + i as i64,
                })
                .collect();
            let fast = KeyMaker::new(&params, shape).unwrap().verifying_key(&block);
            let reference = keygen_vk(&params, &MatVecCircuit::for_keygen(shape, &block)).unwrap();
            assert_eq!(vk_to_bytes(&fast), vk_to_bytes(&reference), "{shape:?}");
            assert_eq!(key_digest(&fast), key_digest(&reference));
        }
    }
}
