//! Polynomials given by their values on a domain `{ω^i}` of size `n` (a power of two): their
//! value at a point off the domain (the barycentric formula, one batch inversion) and the
//! values of the quotient `(f(X) − f(z))/(X − z)`, which are a KZG opening's scalars over a
//! Lagrange basis. This is the verifier's field work over `x` and `y`: no MSM over them.

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::{BatchInvert, Field};

use crate::shape::powers;

/// `1/(ω^i − z)` for every `i`, and `(z^n − 1)/n`; `None` when `z` is on the domain.
fn inverse_distances(n: usize, omega: Fr, z: Fr) -> Option<(Vec<Fr>, Fr)> {
    let vanishing = z.pow_vartime([n as u64]) - Fr::ONE;
    if vanishing.is_zero_vartime() {
        return None;
    }
    let mut inv: Vec<Fr> = powers(omega, n).into_iter().map(|w| w - z).collect();
    inv.iter_mut().batch_invert();
    let n_inv = Fr::from(n as u64).invert().unwrap();
    Some((inv, vanishing * n_inv))
}

/// `L_i(z) = (ω^i/n)·(z^n − 1)/(z − ω^i)` for every `i`; `None` when `z` is on the domain.
pub fn basis_at(n: usize, omega: Fr, z: Fr) -> Option<Vec<Fr>> {
    let (inv, scale) = inverse_distances(n, omega, z)?;
    Some(
        powers(omega, n)
            .into_iter()
            .zip(inv)
            .map(|(w, i)| -(w * i * scale))
            .collect(),
    )
}

/// `f(z)` and the values `(f_i − f(z))/(ω^i − z)` of `(f(X) − f(z))/(X − z)` on the domain,
/// for `f` given by its values `f_i` (zero past `values.len()`); `None` when `z` is on the
/// domain of size `n`.
pub fn evaluate_and_open(values: &[Fr], n: usize, omega: Fr, z: Fr) -> Option<(Fr, Vec<Fr>)> {
    debug_assert!(values.len() <= n);
    let (inv, scale) = inverse_distances(n, omega, z)?;
    let weighted: Fr = powers(omega, values.len())
        .iter()
        .zip(values)
        .zip(&inv)
        .map(|((w, f), i)| *w * f * i)
        .sum();
    let at_z = -(weighted * scale);
    let quotient = (0..n)
        .map(|i| (values.get(i).copied().unwrap_or(Fr::ZERO) - at_z) * inv[i])
        .collect();
    Some((at_z, quotient))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::root_of_unity;

    /// Horner over coefficients from an inverse DFT: an evaluation independent of the
    /// barycentric formula.
    fn by_coefficients(values: &[Fr], n: usize, omega: Fr, z: Fr) -> Fr {
        let mut coeffs: Vec<Fr> = values.to_vec();
        coeffs.resize(n, Fr::ZERO);
        crate::fft::ifft(&mut coeffs, omega);
        coeffs.iter().rev().fold(Fr::ZERO, |acc, c| acc * z + c)
    }

    #[test]
    fn evaluations_and_openings_agree_with_the_coefficients() {
        let n = 8;
        let omega = root_of_unity(3);
        let values: Vec<Fr> = (0..6).map(|i| Fr::from(i * i + 5)).collect();
        let z = Fr::from(123_456_789u64);
        let (at_z, quotient) = evaluate_and_open(&values, n, omega, z).unwrap();
        assert_eq!(at_z, by_coefficients(&values, n, omega, z));
        let basis = basis_at(n, omega, z).unwrap();
        assert_eq!(at_z, basis.iter().zip(&values).map(|(l, f)| *l * f).sum());
        // The quotient times (X − z) plus f(z) is f, checked at another point.
        let t = Fr::from(987_654_321u64);
        let q_t = by_coefficients(&quotient, n, omega, t);
        assert_eq!(q_t * (t - z) + at_z, by_coefficients(&values, n, omega, t));
        assert!(evaluate_and_open(&values, n, omega, omega.square()).is_none());
    }
}
