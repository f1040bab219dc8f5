//! Radix-2 FFTs over the scalar field and over `G1`, and the cyclic convolutions the cached
//! quotients are made of (`docs/cqlin.md` 2.1: each quotient mixes every column of `A`, and a
//! convolution computes all of them at once).

use std::ops::{Add, Mul, Sub};

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::Field;

/// In place: `a_k ← Σ_j a_j·ω^{jk}`, for `a.len()` a power of two and `ω` of that order.
/// Generic over what is summed, so one routine serves scalars and curve points.
pub fn fft<T>(a: &mut [T], omega: Fr)
where
    T: Copy + Add<Output = T> + Sub<Output = T> + Mul<Fr, Output = T>,
{
    let n = a.len();
    assert!(n.is_power_of_two(), "an FFT over {n} values");
    let log = n.trailing_zeros();
    for i in 0..n {
        let r = if log == 0 {
            0
        } else {
            i.reverse_bits() >> (usize::BITS - log)
        };
        if i < r {
            a.swap(i, r);
        }
    }
    let mut len = 2;
    while len <= n {
        let step = omega.pow_vartime([(n / len) as u64]);
        let twiddles = crate::shape::powers(step, len / 2);
        for block in a.chunks_mut(len) {
            let (lo, hi) = block.split_at_mut(len / 2);
            for ((u, v), w) in lo.iter_mut().zip(hi.iter_mut()).zip(&twiddles) {
                let t = if *w == Fr::ONE { *v } else { *v * *w };
                let s = *u;
                *u = s + t;
                *v = s - t;
            }
        }
        len *= 2;
    }
}

/// In place: the inverse of [`fft`] with the same `ω`.
pub fn ifft<T>(a: &mut [T], omega: Fr)
where
    T: Copy + Add<Output = T> + Sub<Output = T> + Mul<Fr, Output = T>,
{
    fft(a, omega.invert().expect("a root of unity is nonzero"));
    let n_inv = Fr::from(a.len() as u64)
        .invert()
        .expect("a power of two below r is nonzero");
    for v in a.iter_mut() {
        *v = *v * n_inv;
    }
}

/// The transform of the kernel `k` with `k_d` at index `−d mod n`, which [`correlate`] uses:
/// `out_j = Σ_d k_d·a_{j+d}` is the convolution of `a` with the reversed kernel.
pub fn reversed_kernel_transform(kernel: &[Fr], omega: Fr) -> Vec<Fr> {
    let n = kernel.len();
    let mut reversed: Vec<Fr> = (0..n).map(|e| kernel[(n - e) % n]).collect();
    fft(&mut reversed, omega);
    reversed
}

/// `out_j = Σ_d k_d·a_{(j+d) mod n}`, the cyclic correlation of `a` with a kernel given by
/// [`reversed_kernel_transform`].
pub fn correlate<T>(a: &mut [T], kernel_transform: &[Fr], omega: Fr)
where
    T: Copy + Add<Output = T> + Sub<Output = T> + Mul<Fr, Output = T>,
{
    fft(a, omega);
    for (v, k) in a.iter_mut().zip(kernel_transform) {
        *v = *v * *k;
    }
    ifft(a, omega);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::root_of_unity;
    use halo2_proofs::halo2curves::bn256::G1;

    fn naive(a: &[Fr], kernel: &[Fr]) -> Vec<Fr> {
        let n = a.len();
        (0..n)
            .map(|j| (0..n).map(|d| kernel[d] * a[(j + d) % n]).sum())
            .collect()
    }

    #[test]
    fn transforms_invert_and_correlations_match_their_definition() {
        let n = 16;
        let omega = root_of_unity(4);
        let a: Vec<Fr> = (0..n).map(|i| Fr::from(i as u64 * 7 + 3)).collect();
        let mut b = a.clone();
        fft(&mut b, omega);
        assert_eq!(b[0], a.iter().sum::<Fr>());
        ifft(&mut b, omega);
        assert_eq!(a, b);

        let kernel: Vec<Fr> = (0..n).map(|i| Fr::from((i * i) as u64 + 1)).collect();
        let transform = reversed_kernel_transform(&kernel, omega);
        let mut c = a.clone();
        correlate(&mut c, &transform, omega);
        assert_eq!(c, naive(&a, &kernel));

        // The same over the group: the correlation of multiples of g is g times the scalars'.
        let g = G1::generator();
        let mut points: Vec<G1> = a.iter().map(|v| g * v).collect();
        correlate(&mut points, &transform, omega);
        let expected: Vec<G1> = naive(&a, &kernel).iter().map(|v| g * v).collect();
        assert_eq!(points, expected);
    }
}
