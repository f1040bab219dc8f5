//! The exact product `Y = A·X` of encoded integers: the work the Pedersen scheme's prover
//! does, so it is made as fast as the bounds allow.
//!
//! The kernel is picked from the operands' real magnitudes, never from their declared widths:
//!
//! - every partial sum below 2^53: an f64 GEMM ([`matrixmultiply`]) is exact, since each
//!   product and each partial sum is an integer that f64 represents exactly;
//! - below 2^63: `i64` accumulators;
//! - otherwise `i128`, which the fixed-point checks guarantee cannot overflow.

use std::sync::OnceLock;

use rayon::prelude::*;

/// Bits of the largest magnitude in `values`.
pub fn magnitude_bits(values: &[i64]) -> u32 {
    64 - values
        .iter()
        .fold(0u64, |m, v| m.max(v.unsigned_abs()))
        .leading_zeros()
}

/// Bits that a sum of `terms` values adds to their width.
fn sum_bits(terms: usize) -> u32 {
    usize::BITS - terms.max(1).saturating_sub(1).leading_zeros()
}

/// Vectors as every block's product reads them: their integers, and what each block would
/// otherwise work out from them again, worked out once on first use and shared after: their
/// magnitude and, for the f64 kernel, their f64 copy. A job over many partitions of one matrix
/// makes one, so a batch is converted once rather than once per partition.
#[derive(Debug)]
pub struct Multiplicand<'a> {
    values: &'a [i64],
    vectors: usize,
    bits: OnceLock<u32>,
    float: OnceLock<Vec<f64>>,
}

impl<'a> Multiplicand<'a> {
    /// `vectors` vectors, one after another in `values`.
    pub fn new(values: &'a [i64], vectors: usize) -> Self {
        Self {
            values,
            vectors,
            bits: OnceLock::new(),
            float: OnceLock::new(),
        }
    }

    pub fn values(&self) -> &'a [i64] {
        self.values
    }

    pub fn vectors(&self) -> usize {
        self.vectors
    }

    fn bits(&self) -> u32 {
        *self.bits.get_or_init(|| magnitude_bits(self.values))
    }

    fn float(&self) -> &[f64] {
        self.float
            .get_or_init(|| self.values.par_iter().map(|v| *v as f64).collect())
    }
}

/// `Y = A·X`: `a` is `rows × cols` row-major, `xs` holds `vectors` vectors of `cols` entries one
/// after another; the result holds one block of `rows` outputs per vector, in the same order.
pub fn product(a: &[i64], rows: usize, cols: usize, xs: &[i64], vectors: usize) -> Vec<i128> {
    product_of(a, rows, cols, &Multiplicand::new(xs, vectors))
}

/// [`product`] over vectors that other blocks' products share.
pub fn product_of(a: &[i64], rows: usize, cols: usize, x: &Multiplicand<'_>) -> Vec<i128> {
    let (xs, vectors) = (x.values, x.vectors);
    assert_eq!(a.len(), rows * cols, "block shape");
    assert_eq!(xs.len(), vectors * cols, "vectors shape");
    let bits = magnitude_bits(a) + x.bits() + sum_bits(cols);
    if vectors > 1 && bits <= 53 {
        return gemm_f64(a, rows, cols, x.float(), vectors);
    }
    let mut y = vec![0i128; rows * vectors];
    y.par_chunks_mut(rows)
        .zip(xs.par_chunks(cols))
        .for_each(|(y, x)| {
            y.par_iter_mut()
                .zip(a.par_chunks(cols))
                .for_each(|(out, row)| {
                    *out = if bits <= 63 {
                        dot_i64(row, x) as i128
                    } else {
                        dot_i128(row, x)
                    }
                })
        });
    y
}

/// A dot product whose partial sums are known to stay below 2^63.
fn dot_i64(a: &[i64], x: &[i64]) -> i64 {
    let mut acc = [0i64; 4];
    let (a4, a_rest) = a.split_at(a.len() / 4 * 4);
    let (x4, x_rest) = x.split_at(a4.len());
    for (a, x) in a4.chunks_exact(4).zip(x4.chunks_exact(4)) {
        for k in 0..4 {
            acc[k] += a[k] * x[k];
        }
    }
    let tail: i64 = a_rest.iter().zip(x_rest).map(|(a, x)| a * x).sum();
    acc.iter().sum::<i64>() + tail
}

fn dot_i128(a: &[i64], x: &[i64]) -> i128 {
    a.iter().zip(x).map(|(a, x)| *a as i128 * *x as i128).sum()
}

/// `Y = A·X` through an f64 GEMM; exact because every partial sum is below 2^53.
fn gemm_f64(a: &[i64], rows: usize, cols: usize, x: &[f64], vectors: usize) -> Vec<i128> {
    let a: Vec<f64> = a.par_iter().map(|v| *v as f64).collect();
    // Y (vectors × rows) = X (vectors × cols) · Aᵀ (cols × rows), split by vector blocks so
    // both cores work.
    let chunk = vectors.div_ceil(rayon::current_num_threads()).max(1);
    let mut y = vec![0f64; vectors * rows];
    y.par_chunks_mut(chunk * rows)
        .zip(x.par_chunks(chunk * cols))
        .for_each(|(y, x)| {
            let m = x.len() / cols;
            // SAFETY: the pointers cover m×cols, rows×cols and m×rows f64 values with the
            // strides given, as the slices' lengths guarantee.
            unsafe {
                matrixmultiply::dgemm(
                    m,
                    cols,
                    rows,
                    1.0,
                    x.as_ptr(),
                    cols as isize,
                    1,
                    a.as_ptr(),
                    1,
                    cols as isize,
                    0.0,
                    y.as_mut_ptr(),
                    rows as isize,
                    1,
                )
            }
        });
    y.into_par_iter().map(|v| v as i128).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(a: &[i64], rows: usize, cols: usize, xs: &[i64], vectors: usize) -> Vec<i128> {
        let mut y = Vec::new();
        for b in 0..vectors {
            for i in 0..rows {
                y.push(
                    (0..cols)
                        .map(|j| a[i * cols + j] as i128 * xs[b * cols + j] as i128)
                        .sum(),
                );
            }
        }
        y
    }

    proptest! {
        #[test]
        fn every_kernel_is_exact(
            rows in 1usize..9, cols in 1usize..40, vectors in 1usize..5,
            bits in prop::sample::select(vec![3u32, 20, 26, 40, 62]),
            seed in any::<u64>(),
        ) {
            use rand::{Rng, SeedableRng};
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let bound = 1i64 << (bits - 1);
            let a: Vec<i64> = (0..rows * cols).map(|_| rng.gen_range(-bound..bound)).collect();
            let xs: Vec<i64> = (0..vectors * cols).map(|_| rng.gen_range(-bound..bound)).collect();
            prop_assert_eq!(product(&a, rows, cols, &xs, vectors), reference(&a, rows, cols, &xs, vectors));
        }
    }

    #[test]
    fn gemm_path_is_exact_at_its_bound() {
        // 2^24 · 2^24 · 32 columns = 2^53: the largest sums the f64 path takes.
        let (rows, cols, vectors) = (3, 32, 4);
        let a = vec![(1 << 24) - 1; rows * cols];
        let xs = vec![-((1 << 24) - 1); vectors * cols];
        let x: Vec<f64> = xs.iter().map(|v| *v as f64).collect();
        assert_eq!(
            gemm_f64(&a, rows, cols, &x, vectors),
            reference(&a, rows, cols, &xs, vectors)
        );
    }
}
