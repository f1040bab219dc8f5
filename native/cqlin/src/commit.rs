//! Commit (`docs/cqlin.md` 2.2): the matrix's public commitment — `M_2 = [M(σ)]_2` and the
//! header it is bound with — and the prover's cached data, secret like the matrix.
//!
//! With `W_j = [col_j(σ)·t_j]_1` (the matrix's points of column `j`), the quotients are
//!
//! ```text
//! Q_j = (1/n')·(Σ_{d≠0} W_{j+d}/(ω^d − 1) − Σ_i ρ_ij·[u_i t_j]_1) + Σ_i A_ij·[u_i δ_j]_1,
//!       ρ_ij = Σ_{d≠0} A_{i,j+d}·ω^d/(ω^d − 1)
//! S_j = Σ_i A_ij·[u_i λ_j]_1          P_j = [σ^{m'}·S_j(σ)]_1 = W_j − (1/n')·Σ_i A_ij·U_i
//! ```
//!
//! from `(M − col_j)/(X^{m'} − ω^j)` and `L_{j'}(Y)/(Y − ω^j) = (L_{j'}(Y) − ω^{j'−j}L_j(Y))/
//! (ω^{j'} − ω^j)`: both sums over `d` are cyclic correlations (one FFT over `G1` of `n'`
//! points, one over each row's scalars), so the cost is MSMs with the matrix's entries as
//! scalars plus one full-width MSM of `N` terms, and no `N`-sized MSM per column.

use halo2_proofs::halo2curves::bn256::{Fr, G1Affine, G1, G2};
use halo2_proofs::halo2curves::ff::Field;
use halo2_proofs::halo2curves::group::{Curve, Group};
use halo2_proofs::halo2curves::msm::msm_serial;
use rayon::prelude::*;
use zkmr_math::error::{Error, Result};
use zkmr_math::field::from_i64;
use zkmr_math::fixed_point::FixedPoint;

use crate::commitment::{Commitment, Header};
use crate::fft::{correlate, reversed_kernel_transform};
use crate::key::ProverKey;
use crate::shape::powers;
use crate::srs::{Development, Tables};
use crate::transcript::Transcript;

/// Commits the `rows × cols` matrix `entries` (row-major, encoded as the header says) under
/// the development SRS's `tables`, and runs the self-test of 2.2 step 4 on what it made.
pub fn commit(
    entries: &[i64],
    header: Header,
    srs: &Development,
    tables: &Tables,
) -> Result<(Commitment, ProverKey)> {
    let shape = header.shape()?;
    if tables.shape != shape || header.srs != srs.id() {
        return Err(Error::Usage(
            "the SRS tables are for another shape or SRS than the header's".into(),
        ));
    }
    let (m, n) = (shape.rows, shape.cols);
    if entries.len() != m * n {
        return Err(Error::Input(format!(
            "a {m}x{n} matrix has {} entries, not {}",
            m * n,
            entries.len()
        )));
    }
    let encoding = FixedPoint::new(header.encoding.scale_bits, header.encoding.value_bits)?;
    let limit = 1u64 << encoding.value_bits;
    if let Some(k) = entries.iter().position(|v| v.unsigned_abs() >= limit) {
        return Err(Error::Input(format!(
            "matrix row {}, column {}: {} does not fit the declared {} bits",
            k / n,
            k % n,
            entries[k],
            encoding.value_bits
        )));
    }
    let (mp, np) = (shape.padded_rows(), shape.padded_cols());
    let mut columns = vec![0i64; mp * np];
    for (k, v) in entries.iter().enumerate() {
        columns[(k % n) * mp + k / n] = *v;
    }
    /// Column `j` of a column-major `m' × n'` array: the matrix's entries or a table's points.
    fn block<T>(values: &[T], j: usize, mp: usize) -> &[T] {
        &values[j * mp..(j + 1) * mp]
    }
    let small = crate::msm::small_msm::<G1Affine>;

    let per_column: Vec<[G1; 4]> = (0..np)
        .into_par_iter()
        .map(|j| {
            let a = block(&columns, j, mp);
            [
                small(a, block(&tables.entries, j, mp)),
                small(a, &tables.rows),
                small(a, block(&tables.shifted, j, mp)),
                small(a, block(&tables.diagonal, j, mp)),
            ]
        })
        .collect();

    let omega = shape.col_root();
    let np_inv = Fr::from(np as u64).invert().unwrap();
    let w = powers(omega, np);
    let mut kernel_rho = vec![Fr::ZERO; np];
    let mut kernel_w = vec![Fr::ZERO; np];
    for d in 1..np {
        let inv = (w[d] - Fr::ONE).invert().unwrap();
        kernel_rho[d] = w[d] * inv;
        kernel_w[d] = inv;
    }
    let rho_transform = reversed_kernel_transform(&kernel_rho, omega);
    let w_transform = reversed_kernel_transform(&kernel_w, omega);

    // ρ row by row, stored column-major for the per-column MSMs.
    let rho_rows: Vec<Vec<Fr>> = (0..mp)
        .into_par_iter()
        .map(|i| {
            let mut row: Vec<Fr> = (0..np).map(|j| from_i64(columns[j * mp + i])).collect();
            correlate(&mut row, &rho_transform, omega);
            row
        })
        .collect();
    let rho_part: Vec<G1> = (0..np)
        .into_par_iter()
        .map(|j| {
            let scalars: Vec<Fr> = rho_rows.iter().map(|row| row[j]).collect();
            let mut acc = G1::identity();
            msm_serial(&scalars, block(&tables.entries, j, mp), &mut acc);
            acc
        })
        .collect();
    drop(rho_rows);

    let mut w_part: Vec<G1> = per_column.iter().map(|c| c[0]).collect();
    correlate(&mut w_part, &w_transform, omega);

    let quotients: Vec<G1> = (0..np)
        .map(|j| (w_part[j] - rho_part[j]) * np_inv + per_column[j][3])
        .collect();
    let raised: Vec<G1> = per_column.iter().map(|c| c[0] - c[1] * np_inv).collect();
    let shifted: Vec<G1> = per_column.iter().map(|c| c[2]).collect();

    let m2 = columns
        .par_chunks(mp * 64)
        .zip(tables.entries_g2.par_chunks(mp * 64))
        .map(|(a, bases)| crate::msm::small_msm(a, bases))
        .reduce(G2::identity, |a, b| a + b)
        .to_affine();

    let affine = |points: &[G1]| {
        let mut out = vec![G1Affine::default(); points.len()];
        G1::batch_normalize(points, &mut out);
        out
    };
    let commitment = Commitment { header, m2 };
    let key = ProverKey {
        shape,
        quotients: affine(&quotients),
        shifted: affine(&shifted),
        raised: affine(&raised),
        cols: tables.cols.clone(),
        rows: tables.rows.clone(),
        constants: srs.constants(&shape),
    };
    self_test(entries, &commitment, &key)?;
    Ok((commitment, key))
}

/// Proves and checks, through the verifier's equation, the batch of the `n` unit vectors,
/// whose products are `A`'s columns, in its folded form: `x' = (1, γ, …, γ^{n−1})` and
/// `y' = A·x'` with `γ` drawn over the commitment, so the test costs `O(mn)` field work and
/// memory `O(m + n)` whatever the shape. Cached data inconsistent with `M_2` (or a committed
/// nonzero padding row) fail it except with probability about `n/r` (2.2, step 4), and a store
/// that passes proves every `x`.
pub fn self_test(entries: &[i64], commitment: &Commitment, key: &ProverKey) -> Result<()> {
    let shape = crate::prove::shape_of(key, commitment)?;
    let (m, n) = (shape.rows, shape.cols);
    if entries.len() != m * n {
        return Err(Error::Input(format!(
            "the self-test of a {m}x{n} matrix needs its {} entries, not {}",
            m * n,
            entries.len()
        )));
    }
    let mut t = Transcript::new();
    t.absorb(b"context", b"zkmr-cqlin-self-test");
    t.absorb(b"commitment", &commitment.digest());
    let gamma = t.challenge(b"gamma");
    let x = powers(gamma, n);
    let y: Vec<Fr> = entries
        .par_chunks(n)
        .map(|row| row.iter().zip(&x).map(|(a, g)| from_i64(*a) * g).sum())
        .collect();
    crate::prove::prove_folded(key, commitment, &shape, t, &x, &y, None).map_err(|e| {
        Error::Usage(format!(
            "the cached data disagree with the commitment (the self-test failed: {e})"
        ))
    })?;
    Ok(())
}
