//! The multi-scalar multiplications of the scheme, shaped by their scalars:
//! - Commit sums **matrix entries** (signed integers of a few tens of bits) against per-shape
//!   tables, in `G1` and `G2`: [`small_msm`] negates the base of a negative entry and runs
//!   Pippenger's buckets over as many windows as the largest magnitude needs.
//! - The prover's and the development SRS's **field scalars** use halo2curves' MSM and
//!   [`FixedBase`]: window multiples of one generator, 16 or 32 additions a product.

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::PrimeField;
use halo2_proofs::halo2curves::group::{Curve, Group};
use halo2_proofs::halo2curves::CurveAffine;
use rayon::prelude::*;

/// `Σ v_k·B_k` for signed integer scalars.
pub fn small_msm<C: CurveAffine>(scalars: &[i64], bases: &[C]) -> C::Curve {
    assert_eq!(scalars.len(), bases.len());
    let largest = scalars.iter().map(|v| v.unsigned_abs()).max().unwrap_or(0);
    if largest == 0 {
        return C::Curve::identity();
    }
    let bits = u64::BITS - largest.leading_zeros();
    let log_n = usize::BITS - scalars.len().leading_zeros();
    let window = log_n.saturating_sub(3).clamp(1, 16).min(bits);
    let mask = (1u64 << window) - 1;
    let mut total = C::Curve::identity();
    for w in (0..bits.div_ceil(window)).rev() {
        for _ in 0..window {
            total = total.double();
        }
        let mut buckets = vec![C::Curve::identity(); mask as usize];
        for (v, base) in scalars.iter().zip(bases) {
            let digit = (v.unsigned_abs() >> (w * window)) & mask;
            if digit != 0 {
                let bucket = &mut buckets[digit as usize - 1];
                if *v < 0 {
                    *bucket -= *base;
                } else {
                    *bucket += *base;
                }
            }
        }
        let mut running = C::Curve::identity();
        for bucket in buckets.iter().rev() {
            running += bucket;
            total += running;
        }
    }
    total
}

/// Window multiples `d·2^(c·w)·G` of one generator for every nonzero `c`-bit digit `d`.
pub struct FixedBase<C: CurveAffine> {
    /// Bits per window: 8 or 16.
    window: usize,
    table: Vec<C>,
}

impl<C: CurveAffine<ScalarExt = Fr>> FixedBase<C> {
    /// Tables for about `products` multiplications: 16-bit windows (`16·(2^16 − 1)` points,
    /// 64 MiB in `G1`, 16 additions a product) when there are millions, 8-bit windows
    /// (`32·255` points, 32 additions) otherwise.
    pub fn new(generator: C, products: usize) -> Self {
        let window = if products >= 1 << 18 { 16 } else { 8 };
        let digits = (1usize << window) - 1;
        let mut projective = Vec::with_capacity(256 / window * digits);
        let mut step = generator.to_curve();
        for _ in 0..256 / window {
            let mut multiple = step;
            for _ in 0..digits {
                projective.push(multiple);
                multiple += step;
            }
            step = multiple;
        }
        let mut table = vec![C::identity(); projective.len()];
        C::Curve::batch_normalize(&projective, &mut table);
        Self { window, table }
    }

    /// `s·G`.
    pub fn mul(&self, s: &Fr) -> C::Curve {
        let digits = (1usize << self.window) - 1;
        let bytes = self.window / 8;
        let mut acc = C::Curve::identity();
        for (w, digit) in s.to_repr().as_ref().chunks(bytes).enumerate() {
            let digit = digit
                .iter()
                .rev()
                .fold(0usize, |acc, b| acc << 8 | usize::from(*b));
            if digit != 0 {
                acc += self.table[w * digits + digit - 1];
            }
        }
        acc
    }

    /// `s_k·G` for every scalar, in affine form, in parallel.
    pub fn mul_all(&self, scalars: &[Fr]) -> Vec<C> {
        let mut out = vec![C::identity(); scalars.len()];
        out.par_chunks_mut(1 << 12)
            .zip(scalars.par_chunks(1 << 12))
            .for_each(|(out, scalars)| {
                let projective: Vec<C::Curve> = scalars.iter().map(|s| self.mul(s)).collect();
                C::Curve::batch_normalize(&projective, out);
            });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_proofs::halo2curves::bn256::{G1Affine, G2Affine, G1, G2};
    use halo2_proofs::halo2curves::ff::Field;
    use rand::{Rng, SeedableRng};

    fn naive<C: CurveAffine<ScalarExt = Fr>>(scalars: &[i64], bases: &[C]) -> C::Curve {
        scalars
            .iter()
            .zip(bases)
            .map(|(v, b)| {
                let s = Fr::from(v.unsigned_abs());
                b.to_curve() * if *v < 0 { -s } else { s }
            })
            .fold(C::Curve::identity(), |a, b| a + b)
    }

    #[test]
    fn small_msms_match_the_sum_of_products_in_both_groups() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        for (n, bits) in [(1usize, 1u32), (5, 3), (64, 17), (300, 40), (33, 62)] {
            let scalars: Vec<i64> = (0..n)
                .map(|_| rng.gen_range(-(1i64 << (bits - 1))..(1i64 << (bits - 1))))
                .collect();
            let g1: Vec<G1Affine> = (0..n)
                .map(|k| (G1::generator() * Fr::from(k as u64 + 3)).to_affine())
                .collect();
            assert_eq!(small_msm(&scalars, &g1), naive(&scalars, &g1));
            let g2: Vec<G2Affine> = (0..n)
                .map(|k| (G2::generator() * Fr::from(k as u64 + 3)).to_affine())
                .collect();
            assert_eq!(small_msm(&scalars, &g2), naive(&scalars, &g2));
        }
        assert_eq!(
            small_msm::<G1Affine>(&[0, 0], &[G1Affine::generator(); 2]),
            G1::identity()
        );
    }

    #[test]
    fn fixed_base_products_match_scalar_multiplication() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(8);
        for products in [20, 1 << 18] {
            let table = FixedBase::new(G1Affine::generator(), products);
            let scalars: Vec<Fr> = (0..20).map(|_| Fr::random(&mut rng)).collect();
            let points = table.mul_all(&scalars);
            for (s, p) in scalars.iter().zip(points) {
                assert_eq!(p, (G1::generator() * s).to_affine());
            }
            assert_eq!(table.mul(&Fr::ZERO), G1::identity());
            assert_eq!(table.mul(&-Fr::ONE), -G1::generator());
        }
    }
}
