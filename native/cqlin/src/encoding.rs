//! The bytes the transcript hashes and proofs carry (`docs/cqlin.md` 9.3), big-endian
//! throughout so that the native verifier and the EVM read the same words:
//! - `G1` points as EIP-196's `x ‖ y` (64 bytes), `G2` points as EIP-197's
//!   `x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0` (128 bytes); the identity is all zeros in both. Decoding is
//!   strict: canonical coordinates, on the curve, and for `G2` in the prime-order subgroup.
//! - `x` and `y` entries as 16-byte words of the zigzag form (`v ≥ 0 ↦ 2v`, `v < 0 ↦ −2v − 1`):
//!   every word is one value and every value one word.

use halo2_proofs::halo2curves::bn256::{Fq, Fq2, G1Affine, G2Affine};
use halo2_proofs::halo2curves::ff::PrimeField;
use halo2_proofs::halo2curves::group::cofactor::CofactorGroup;
use halo2_proofs::halo2curves::group::prime::PrimeCurveAffine;
use halo2_proofs::halo2curves::CurveAffine;

/// Bytes of one `G1` point.
pub const G1_BYTES: usize = 64;
/// Bytes of one `G2` point.
pub const G2_BYTES: usize = 128;
/// Bytes of one `x` or `y` word.
pub const WORD_BYTES: usize = 16;

fn fq_bytes(v: &Fq) -> [u8; 32] {
    let mut bytes = v.to_repr();
    bytes.as_mut().reverse();
    let mut out = [0u8; 32];
    out.copy_from_slice(bytes.as_ref());
    out
}

fn fq_from(bytes: &[u8]) -> Option<Fq> {
    let mut le = [0u8; 32];
    le.copy_from_slice(bytes);
    le.reverse();
    Option::from(Fq::from_repr(le))
}

/// EIP-196 bytes of a `G1` point.
pub fn g1_bytes(p: &G1Affine) -> [u8; G1_BYTES] {
    let mut out = [0u8; G1_BYTES];
    if !bool::from(p.is_identity()) {
        out[..32].copy_from_slice(&fq_bytes(&p.x));
        out[32..].copy_from_slice(&fq_bytes(&p.y));
    }
    out
}

/// A `G1` point from EIP-196 bytes, or why not.
pub fn g1_from_bytes(bytes: &[u8]) -> Result<G1Affine, &'static str> {
    if bytes.len() != G1_BYTES {
        return Err("a G1 point is 64 bytes");
    }
    if bytes.iter().all(|b| *b == 0) {
        return Ok(G1Affine::identity());
    }
    let x = fq_from(&bytes[..32]).ok_or("a coordinate is not below the base field's modulus")?;
    let y = fq_from(&bytes[32..]).ok_or("a coordinate is not below the base field's modulus")?;
    Option::from(G1Affine::from_xy(x, y)).ok_or("the point is not on the curve")
}

/// EIP-197 bytes of a `G2` point.
pub fn g2_bytes(p: &G2Affine) -> [u8; G2_BYTES] {
    let mut out = [0u8; G2_BYTES];
    if !bool::from(p.is_identity()) {
        for (k, c) in [p.x.c1, p.x.c0, p.y.c1, p.y.c0].iter().enumerate() {
            out[32 * k..32 * (k + 1)].copy_from_slice(&fq_bytes(c));
        }
    }
    out
}

/// A `G2` point from EIP-197 bytes, in the prime-order subgroup, or why not.
pub fn g2_from_bytes(bytes: &[u8]) -> Result<G2Affine, &'static str> {
    if bytes.len() != G2_BYTES {
        return Err("a G2 point is 128 bytes");
    }
    if bytes.iter().all(|b| *b == 0) {
        return Ok(G2Affine::identity());
    }
    let c = |k: usize| {
        fq_from(&bytes[32 * k..32 * (k + 1)])
            .ok_or("a coordinate is not below the base field's modulus")
    };
    let x = Fq2 {
        c0: c(1)?,
        c1: c(0)?,
    };
    let y = Fq2 {
        c0: c(3)?,
        c1: c(2)?,
    };
    let p: G2Affine =
        Option::from(G2Affine::from_xy(x, y)).ok_or("the point is not on the twist")?;
    if !in_subgroup(&p) {
        return Err("the point is not in the prime-order subgroup");
    }
    Ok(p)
}

/// Whether a `G2` point is in the prime-order subgroup (one scalar multiplication by `r`):
/// the pairing's bilinearity, which every argument here rests on, holds there.
pub fn in_subgroup(p: &G2Affine) -> bool {
    bool::from(p.to_curve().is_torsion_free())
}

/// The zigzag word of `v`.
pub fn word(v: i128) -> [u8; WORD_BYTES] {
    (((v << 1) ^ (v >> 127)) as u128).to_be_bytes()
}

/// The value of a zigzag word.
pub fn from_word(bytes: &[u8; WORD_BYTES]) -> i128 {
    let u = u128::from_be_bytes(*bytes);
    ((u >> 1) as i128) ^ -((u & 1) as i128)
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_proofs::halo2curves::bn256::{Fr, G1, G2};
    use halo2_proofs::halo2curves::ff::Field;
    use halo2_proofs::halo2curves::group::Curve;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn words_round_trip_and_small_magnitudes_are_mostly_zero_bytes(v in any::<i128>()) {
            prop_assert_eq!(from_word(&word(v)), v);
            if v.unsigned_abs() < 1 << 20 {
                prop_assert!(word(v)[..13].iter().all(|b| *b == 0));
            }
        }
    }

    #[test]
    fn words_are_zigzag() {
        assert_eq!(u128::from_be_bytes(word(0)), 0);
        assert_eq!(u128::from_be_bytes(word(-1)), 1);
        assert_eq!(u128::from_be_bytes(word(1)), 2);
    }

    #[test]
    fn points_round_trip_and_bad_points_are_refused() {
        let p = (G1::generator() * Fr::from(12345)).to_affine();
        assert_eq!(g1_from_bytes(&g1_bytes(&p)).unwrap(), p);
        assert_eq!(g1_from_bytes(&[0; 64]).unwrap(), G1Affine::identity());
        let mut off = g1_bytes(&p);
        off[63] ^= 1;
        assert!(g1_from_bytes(&off).is_err());
        let mut big = g1_bytes(&p);
        big[..32].copy_from_slice(&[0xff; 32]);
        assert!(g1_from_bytes(&big).is_err());

        let q = (G2::generator() * Fr::from(777)).to_affine();
        assert_eq!(g2_from_bytes(&g2_bytes(&q)).unwrap(), q);
        let mut off = g2_bytes(&q);
        off[127] ^= 1;
        assert!(g2_from_bytes(&off).is_err());

        // A point on the twist outside the prime-order subgroup (the cofactor is large, so
        // the first x with a square right-hand side gives one).
        let outside = (1u64..)
            .find_map(|k| {
                let x = Fq2 {
                    c0: Fq::from(k),
                    c1: Fq::ONE,
                };
                let y = Option::<Fq2>::from((x.square() * x + G2Affine::b()).sqrt())?;
                Some(G2Affine::from_xy(x, y).unwrap())
            })
            .unwrap();
        assert_eq!(
            g2_from_bytes(&g2_bytes(&outside)),
            Err("the point is not in the prime-order subgroup")
        );
    }
}
