//! The domains of one matrix: `m' = 2^⌈log2 m⌉` rows and `n' = 2^⌈log2 n⌉` columns, both at
//! least 2, and `N = m'·n'` entries, derived from `m` and `n` by every party (section 9.2: a
//! layout read from a header would free rows or reopen the degree attack).

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::{Field, PrimeField};
use zkmr_math::error::{Error, Result};

/// The largest block: `N ≤ 2^24` entries, the derived SRS this machine can hold at 4096².
pub const MAX_LOG_ENTRIES: u32 = 24;

/// One block's padded shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// The matrix's rows `m`.
    pub rows: usize,
    /// The matrix's columns `n`.
    pub cols: usize,
    /// `log2 m'`.
    pub log_rows: u32,
    /// `log2 n'`.
    pub log_cols: u32,
}

impl Shape {
    /// The shape of an `m × n` matrix; more than `2^24` padded entries needs row blocks (9.4),
    /// which are not built, and is refused.
    pub fn new(rows: usize, cols: usize) -> Result<Self> {
        if rows == 0 || cols == 0 {
            return Err(Error::Input(format!(
                "a {rows}x{cols} matrix has no entries to commit"
            )));
        }
        let limit = 1usize << MAX_LOG_ENTRIES;
        if rows > limit || cols > limit {
            return Err(Error::Input(format!(
                "a {rows}x{cols} matrix has more than 2^{MAX_LOG_ENTRIES} rows or columns; the \
                 cqlin scheme takes at most 2^{MAX_LOG_ENTRIES} padded entries in one block"
            )));
        }
        let log = |v: usize| v.next_power_of_two().trailing_zeros().max(1);
        let shape = Self {
            rows,
            cols,
            log_rows: log(rows),
            log_cols: log(cols),
        };
        if shape.log_entries() > MAX_LOG_ENTRIES {
            return Err(Error::Input(format!(
                "a {rows}x{cols} matrix pads to 2^{} entries; the cqlin scheme takes at most \
                 2^{MAX_LOG_ENTRIES} in one block (row blocks, docs/cqlin.md 9.4, are not built)",
                shape.log_entries()
            )));
        }
        Ok(shape)
    }

    /// `m'`.
    pub fn padded_rows(&self) -> usize {
        1 << self.log_rows
    }

    /// `n'`.
    pub fn padded_cols(&self) -> usize {
        1 << self.log_cols
    }

    /// `log2 N`.
    pub fn log_entries(&self) -> u32 {
        self.log_rows + self.log_cols
    }

    /// `N = m'·n'`.
    pub fn entries(&self) -> usize {
        1 << self.log_entries()
    }

    /// `ω_V`, of order `m'`.
    pub fn row_root(&self) -> Fr {
        root_of_unity(self.log_rows)
    }

    /// `ω_H`, of order `n'`.
    pub fn col_root(&self) -> Fr {
        root_of_unity(self.log_cols)
    }
}

/// A primitive `2^log`-th root of unity of `F_r` (BN254's scalar field has them up to `2^28`).
pub fn root_of_unity(log: u32) -> Fr {
    debug_assert!(log <= Fr::S);
    let mut root = Fr::ROOT_OF_UNITY;
    for _ in log..Fr::S {
        root = root.square();
    }
    root
}

/// `ω^0 … ω^(n−1)`.
pub fn powers(omega: Fr, n: usize) -> Vec<Fr> {
    std::iter::successors(Some(Fr::ONE), |p| Some(*p * omega))
        .take(n)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_pad_to_powers_of_two_of_at_least_two() {
        let s = Shape::new(1, 1).unwrap();
        assert_eq!((s.padded_rows(), s.padded_cols()), (2, 2));
        let s = Shape::new(5, 3).unwrap();
        assert_eq!((s.padded_rows(), s.padded_cols(), s.entries()), (8, 4, 32));
        assert!(Shape::new(4096, 4096).is_ok());
        assert!(Shape::new(4097, 4096).is_err());
        assert!(Shape::new(0, 3).is_err());
        assert!(Shape::new(usize::MAX, 1).is_err());
        assert!(Shape::new(1, 1 << 40).is_err());
    }

    #[test]
    fn roots_have_the_order_they_name() {
        for log in [1, 2, 5, 12] {
            let w = root_of_unity(log);
            assert_eq!(w.pow_vartime([1u64 << log]), Fr::ONE);
            assert_ne!(w.pow_vartime([1u64 << (log - 1)]), Fr::ONE);
        }
    }
}
