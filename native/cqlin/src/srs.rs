//! The derived SRS of `docs/cqlin.md` 9.1 — one trapdoor `σ` per length `N`, public powers
//! `[σ^k]_1` for `k < N` only, so that one pairing bounds a degree — and what each party takes
//! from it:
//! - the verifier: four `G2` constants `[1]_2, [σ]_2, [σ^{m'}]_2, [σ^N]_2` ([`Constants`]),
//!   looked up by the SRS's id on an allowlist, never read from a bundle or a store;
//! - the committer: per-shape tables of `G1` and `G2` points ([`Tables`]), linear combinations
//!   of the public powers (Lagrange bases over the two domains and their products), from
//!   which a matrix's commitment and cached quotients are small-integer MSMs.
//!
//! Only the **development** SRS is built: its `σ` is a hash of its length, so anyone can forge
//! proofs under it, and every verdict under it says UNSAFE. Its tables are computed from `σ`
//! directly. A ceremony-derived SRS (9.1) publishes powers; its tables are the same points
//! reached by group FFTs over them, which is not built yet.

use halo2_proofs::halo2curves::bn256::{Fr, G1Affine, G2Affine};
use halo2_proofs::halo2curves::ff::{Field, FromUniformBytes};
use halo2_proofs::halo2curves::group::Curve;
use sha3::{Digest, Keccak256};
use zkmr_math::error::{Error, Result};

use crate::lagrange::basis_at;
use crate::msm::FixedBase;
use crate::shape::{powers, Shape};

const DEVELOPMENT_LABEL: &[u8] = b"zkmr-cqlin-development-srs";

/// The verifier's constants for one shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Constants {
    /// `[1]_2`.
    pub one: G2Affine,
    /// `[σ]_2`.
    pub sigma: G2Affine,
    /// `[σ^{m'}]_2`: the degree check and the opening of `C_x` in `Y = X^{m'}`.
    pub sigma_rows: G2Affine,
    /// `[σ^N]_2`: the vanishing polynomial `Z = X^N − 1`.
    pub sigma_entries: G2Affine,
}

/// A committer's per-shape tables, all of degree below `N` in `σ`. With `u_i = L_i^V(σ)`,
/// `t_j = L_j^H(σ^{m'})`, `λ_j = (t_j − 1/n')/σ^{m'}` and
/// `δ_j = (ω_H^j/n')·(t_j − 1)/(σ^{m'} − ω_H^j)`, and `(i, j)` stored at `j·m' + i`:
pub struct Tables {
    pub shape: Shape,
    /// `U_i = [u_i]_1`, the basis `π_y` opens `y` over.
    pub rows: Vec<G1Affine>,
    /// `T_j = [t_j]_1`, the basis `C_x` and `π_x` are over.
    pub cols: Vec<G1Affine>,
    /// `[u_i·t_j]_1`: the matrix polynomial's basis.
    pub entries: Vec<G1Affine>,
    /// `[u_i·λ_j]_1`: the basis of `S_j = λ_j(X^{m'})·col_j`.
    pub shifted: Vec<G1Affine>,
    /// `[u_i·δ_j]_1`: the diagonal part of the quotient `Q_j`.
    pub diagonal: Vec<G1Affine>,
    /// `[u_i·t_j]_2`: the basis of the commitment `M_2`.
    pub entries_g2: Vec<G2Affine>,
}

/// The development SRS of one length: a `σ` anyone can compute, so nothing it proves is sound.
#[derive(Clone, Debug)]
pub struct Development {
    log_entries: u32,
    sigma: Fr,
}

impl Development {
    /// The development SRS of `N = 2^log_entries`: each length its own `σ` (9.1: one `σ`, one
    /// length).
    pub fn new(log_entries: u32) -> Self {
        let half = |counter: u8| -> [u8; 32] {
            let mut h = Keccak256::new();
            h.update(DEVELOPMENT_LABEL);
            h.update(u64::from(log_entries).to_be_bytes());
            h.update([counter]);
            h.finalize().into()
        };
        let mut wide = [0u8; 64];
        wide[..32].copy_from_slice(&half(0));
        wide[32..].copy_from_slice(&half(1));
        Self {
            log_entries,
            sigma: Fr::from_uniform_bytes(&wide),
        }
    }

    /// The SRS a shape uses.
    pub fn for_shape(shape: &Shape) -> Self {
        Self::new(shape.log_entries())
    }

    /// `σ` itself: public by design (a hash of the length), which is why nothing proved under
    /// this SRS is sound; tests use it to make the forgeries only a trapdoor allows.
    pub fn trapdoor(&self) -> Fr {
        self.sigma
    }

    /// The id a commitment names it by.
    pub fn id(&self) -> [u8; 32] {
        development_id(self.log_entries)
    }

    /// The verifier's constants for `shape`, which must have this SRS's length.
    pub fn constants(&self, shape: &Shape) -> Constants {
        assert_eq!(shape.log_entries(), self.log_entries);
        let g2 = G2Affine::generator();
        let pow = |e: u64| (g2 * self.sigma.pow_vartime([e])).to_affine();
        Constants {
            one: g2,
            sigma: pow(1),
            sigma_rows: pow(shape.padded_rows() as u64),
            sigma_entries: pow(shape.entries() as u64),
        }
    }

    /// The committer's tables for `shape` (about `3N` `G1` and `N` `G2` points: minutes at
    /// 4096², milliseconds at test sizes).
    pub fn tables(&self, shape: &Shape) -> Tables {
        assert_eq!(shape.log_entries(), self.log_entries);
        let (mp, np) = (shape.padded_rows(), shape.padded_cols());
        let sigma_rows = self.sigma.pow_vartime([mp as u64]);
        let u = basis_at(mp, shape.row_root(), self.sigma)
            .expect("the development σ is off the row domain");
        let t = basis_at(np, shape.col_root(), sigma_rows)
            .expect("the development σ^{m'} is off the column domain");
        let np_inv = Fr::from(np as u64).invert().unwrap();
        let sigma_rows_inv = sigma_rows.invert().unwrap();
        let lambda: Vec<Fr> = t.iter().map(|t| (*t - np_inv) * sigma_rows_inv).collect();
        let delta: Vec<Fr> = powers(shape.col_root(), np)
            .iter()
            .zip(&t)
            .map(|(w, t)| *w * np_inv * (*t - Fr::ONE) * (sigma_rows - w).invert().unwrap())
            .collect();
        let outer = |col: &[Fr]| -> Vec<Fr> {
            col.iter()
                .flat_map(|c| u.iter().map(move |u| *u * c))
                .collect()
        };
        let g1 = FixedBase::new(G1Affine::generator(), 3 * shape.entries());
        let g2 = FixedBase::new(G2Affine::generator(), shape.entries());
        tracing::info!(
            rows = mp,
            cols = np,
            "computing the development SRS's tables for this shape"
        );
        Tables {
            shape: *shape,
            rows: g1.mul_all(&u),
            cols: g1.mul_all(&t),
            entries: g1.mul_all(&outer(&t)),
            shifted: g1.mul_all(&outer(&lambda)),
            diagonal: g1.mul_all(&outer(&delta)),
            entries_g2: g2.mul_all(&outer(&t)),
        }
    }
}

/// The id of the development SRS of `N = 2^log_entries`.
pub fn development_id(log_entries: u32) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(DEVELOPMENT_LABEL);
    h.update(&u64::from(log_entries).to_be_bytes());
    *h.finalize().as_bytes()
}

/// Which SRSs a verifier accepts: the allowlist of 2.5 and 9.1.
#[derive(Clone, Copy, Debug, Default)]
pub struct Allowed {
    /// The development SRS, whose verdicts say UNSAFE; off unless asked for.
    pub development: bool,
}

impl Allowed {
    /// The constants of the SRS `id` names for `shape`, when it is on the list and has the
    /// shape's length; a rejection otherwise.
    pub fn constants(&self, id: &[u8; 32], shape: &Shape) -> Result<Constants> {
        if *id == development_id(shape.log_entries()) {
            if !self.development {
                return Err(Error::rejected_bundle(
                    "the matrix was committed under the development SRS, whose trapdoor is \
                     public; verify with the development SRS allowed to see an UNSAFE verdict",
                ));
            }
            return Ok(Development::new(shape.log_entries()).constants(shape));
        }
        let other_length = (1..=crate::shape::MAX_LOG_ENTRIES)
            .find(|log| *id == development_id(*log))
            .map(|log| {
                format!(
                    " (it is the development SRS of 2^{log} entries, and this shape has 2^{})",
                    shape.log_entries()
                )
            })
            .unwrap_or_default();
        Err(Error::rejected_bundle(format!(
            "the matrix was committed under an SRS that is not on this verifier's allowlist{}",
            other_length
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_proofs::halo2curves::bn256::{Bn256, G1};
    use halo2_proofs::halo2curves::group::Group;
    use halo2_proofs::halo2curves::pairing::Engine;

    /// The bases interpolate what they should: the Lagrange bases sum to `[1]_1`, and the
    /// products weighted by `ω_V^i` give `[σ]_1`, checked by a pairing against `[σ]_2`.
    #[test]
    fn tables_hold_the_lagrange_products_the_scheme_needs() {
        let shape = Shape::new(3, 5).unwrap();
        let srs = Development::for_shape(&shape);
        let tables = srs.tables(&shape);
        let (mp, np) = (shape.padded_rows(), shape.padded_cols());
        assert_eq!(tables.entries.len(), mp * np);
        // Σ_i U_i = [Σ_i L_i(σ)]_1 = [1]_1, and likewise Σ_j T_j.
        let sum = |ps: &[G1Affine]| ps.iter().fold(G1::identity(), |a, p| a + p);
        assert_eq!(sum(&tables.rows), G1::generator());
        assert_eq!(sum(&tables.cols), G1::generator());
        // Σ_{i,j} [u_i t_j] = [1]_1.
        assert_eq!(sum(&tables.entries), G1::generator());
        // Σ_i Σ_j ω_V^{i} [u_i t_j] = [σ]_1: the row basis interpolates X.
        let w = powers(shape.row_root(), mp);
        let weighted = (0..np)
            .flat_map(|j| (0..mp).map(move |i| (i, j)))
            .fold(G1::identity(), |a, (i, j)| {
                a + tables.entries[j * mp + i] * w[i]
            });
        let lhs = Bn256::pairing(&weighted.to_affine(), &G2Affine::generator());
        let rhs = Bn256::pairing(&G1Affine::generator(), &srs.constants(&shape).sigma);
        assert_eq!(lhs, rhs);
    }

    #[test]
    fn the_allowlist_names_what_it_refuses() {
        let shape = Shape::new(4, 4).unwrap();
        let id = development_id(shape.log_entries());
        let refused = Allowed::default().constants(&id, &shape).unwrap_err();
        assert!(refused.to_string().contains("development SRS"), "{refused}");
        let allowed = Allowed { development: true };
        assert!(allowed.constants(&id, &shape).is_ok());
        let other = allowed
            .constants(&development_id(shape.log_entries() + 1), &shape)
            .unwrap_err();
        assert!(other.to_string().contains("2^5 entries"), "{other}");
        assert!(allowed.constants(&[7; 32], &shape).is_err());
    }
}
