//! The multi-scalar multiplications of the scheme, shaped by what its scalars are.
//!
//! - **Setup** commits every column of a partition against the same row generators: `n` sums
//!   of `r` terms sharing `r` bases, with matrix entries of a few tens of bits. Each base gets
//!   a table of its multiples per window ([`Multiples`]), sized to the entries' real width and
//!   to how many columns will use it, so a term costs one addition per window.
//! - **Blindings and Schnorr** multiply the one generator `H` by full-width scalars: a table of
//!   byte-window multiples of `H`, built once per process, makes each product 32 additions.
//! - **Verification** sums signed integers against the matrix key and the row generators.
//!   Negative entries negate their base instead of becoming 254-bit field elements, so the
//!   Pippenger MSM (halo2curves) only runs over as many windows as the largest magnitude
//!   needs. A batch's folded scalars are full width and take the same MSM as they are.

use std::sync::OnceLock;

use halo2_proofs::halo2curves::bn256::{Fr, G1Affine, G1};
use halo2_proofs::halo2curves::ff::PrimeField;
use halo2_proofs::halo2curves::group::{Curve, Group};
use halo2_proofs::halo2curves::msm::msm_best;

use super::generators;

/// Multiples `d·2^(w·c)·B` of one base `B`, for every nonzero `c`-bit digit `d` of every
/// window `w`.
pub struct Multiples {
    window: u32,
    windows: u32,
    points: Vec<G1Affine>,
}

impl Multiples {
    /// Tables for scalars of up to `bits` bits with `window`-bit digits.
    pub fn new(base: &G1Affine, bits: u32, window: u32) -> Self {
        let windows = bits.div_ceil(window).max(1);
        let per = (1usize << window) - 1;
        let mut projective = Vec::with_capacity(per * windows as usize);
        let mut step = G1::from(*base);
        for _ in 0..windows {
            let mut multiple = step;
            projective.push(multiple);
            for _ in 1..per {
                multiple += step;
                projective.push(multiple);
            }
            for _ in 0..window {
                step = step.double();
            }
        }
        let mut points = vec![G1Affine::default(); projective.len()];
        G1::batch_normalize(&projective, &mut points);
        Self {
            window,
            windows,
            points,
        }
    }

    /// `acc += v·B`, for `v < 2^bits`.
    #[inline]
    pub fn add_multiple(&self, acc: &mut G1, mut v: u64) {
        let mask = (1u64 << self.window) - 1;
        let per = (1usize << self.window) - 1;
        for w in 0..self.windows as usize {
            let digit = (v & mask) as usize;
            if digit != 0 {
                *acc += &self.points[w * per + digit - 1];
            }
            v >>= self.window;
        }
    }

    /// `acc += s·B` for a full-width scalar; the table must have 8-bit windows over 256 bits.
    #[inline]
    pub fn add_scalar(&self, acc: &mut G1, s: &Fr) {
        debug_assert!(self.window == 8 && self.windows == 32);
        for (w, byte) in s.to_repr().iter().enumerate() {
            if *byte != 0 {
                *acc += &self.points[w * 255 + *byte as usize - 1];
            }
        }
    }
}

/// The window that minimises table building plus use, for `uses` scalars of `bits` bits
/// against one base: `windows·(2^c − 1)` additions to build, `windows` per use.
pub fn window_for(bits: u32, uses: usize) -> u32 {
    (1..=16u32)
        .min_by_key(|c| {
            let windows = bits.div_ceil(*c).max(1) as u64;
            windows * ((1u64 << c) - 1) + windows * uses as u64
        })
        .expect("a window")
}

/// The table of `H`, for blindings and Schnorr proofs.
pub fn h_table() -> &'static Multiples {
    static TABLE: OnceLock<Multiples> = OnceLock::new();
    TABLE.get_or_init(|| Multiples::new(&generators::h(), 256, 8))
}

/// `s·H`.
pub fn mul_h(s: &Fr) -> G1 {
    let mut acc = G1::identity();
    h_table().add_scalar(&mut acc, s);
    acc
}

/// `Σ v_i·B_i` for signed integers `v_i`.
pub fn signed_msm(values: &[i128], bases: &[G1Affine]) -> G1 {
    assert_eq!(values.len(), bases.len(), "one value per base");
    let (scalars, signed): (Vec<Fr>, Vec<G1Affine>) = values
        .iter()
        .zip(bases)
        .map(|(v, b)| {
            let m = v.unsigned_abs();
            let scalar = Fr::from_raw([m as u64, (m >> 64) as u64, 0, 0]);
            (scalar, if *v < 0 { -*b } else { *b })
        })
        .unzip();
    msm_best(&scalars, &signed)
}

/// `Σ s_i·B_i` for field elements.
pub fn msm(scalars: &[Fr], bases: &[G1Affine]) -> G1 {
    msm_best(scalars, bases)
}

/// Affine form of many points at once (one inversion).
pub fn normalize(points: &[G1]) -> Vec<G1Affine> {
    let mut affine = vec![G1Affine::default(); points.len()];
    G1::batch_normalize(points, &mut affine);
    affine
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_proofs::halo2curves::ff::Field;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn base(k: u64) -> G1Affine {
        (G1::generator() * Fr::from(k)).to_affine()
    }

    #[test]
    fn multiples_match_scalar_multiplication() {
        let b = base(99);
        for (bits, window) in [(17, 9), (32, 5), (5, 16), (1, 1)] {
            let table = Multiples::new(&b, bits, window);
            for v in [0u64, 1, 2, 255, 256, (1 << bits) - 1]
                .into_iter()
                .filter(|v| *v < 1 << bits)
            {
                let mut acc = G1::identity();
                table.add_multiple(&mut acc, v);
                assert_eq!(acc, G1::from(b) * Fr::from(v), "v = {v}, bits {bits}");
            }
        }
    }

    #[test]
    fn h_table_multiplies_full_width_scalars() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..4 {
            let s = Fr::random(&mut rng);
            assert_eq!(mul_h(&s), G1::from(generators::h()) * s);
        }
        assert_eq!(mul_h(&Fr::zero()), G1::identity());
        assert_eq!(mul_h(&-Fr::one()), -G1::from(generators::h()));
    }

    #[test]
    fn signed_msm_matches_field_msm() {
        let bases: Vec<G1Affine> = (1..=40).map(base).collect();
        let values: Vec<i128> = (0..40)
            .map(|i| (i as i128 - 20) * 1_000_003 * if i % 3 == 0 { 1 << 70 } else { 1 })
            .collect();
        let field: Vec<Fr> = values
            .iter()
            .map(|v| zkmr_math::field::from_i128(*v))
            .collect();
        assert_eq!(signed_msm(&values, &bases), msm(&field, &bases));
    }

    #[test]
    fn window_follows_width_and_use() {
        assert!(window_for(17, 4096) > window_for(17, 16));
        assert!(window_for(1, 4096) == 1);
    }
}
