//! The geometry of one partition's circuit.
//!
//! A partition of `r` matrix rows and `n` columns proves `[A | -I] · [x; y] = 0`. The
//! extended matrix has `n + r` columns; they are cut into `fold` groups of `height`
//! consecutive columns, and circuit row `t` carries column `g * height + t` of every group
//! `g`, so the circuit has `fold * r` fixed columns and about `(n + r) / fold` rows. Folding
//! trades rows for columns: the prover's cost follows the padded area `fold * r * 2^k`, which
//! [`CircuitShape::choose`] minimises by picking the fold that wastes the least of the
//! power-of-two row count.

use zkmr_math::error::{Error, Result};
use zkmr_math::field::{from_i128, F};

/// The most fixed columns a partition circuit may have: each costs the verifier a
/// commitment and the proof an evaluation.
pub const MAX_FIXED_COLUMNS: usize = 512;
/// The largest circuit a partition may need (2^MAX_K rows).
pub const MAX_K: u32 = 24;
/// Folds considered by [`CircuitShape::choose`].
const MAX_FOLD: usize = 8;

/// Rows, columns and fold of a partition circuit; every partition of a matrix shares it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CircuitShape {
    /// Matrix rows per partition (`r`); a short last partition is padded with zero rows.
    pub rows: usize,
    /// Matrix columns (`n`), the length of `x`.
    pub cols: usize,
    /// Column groups laid side by side.
    pub fold: usize,
}

impl CircuitShape {
    /// A shape with an explicit fold, checked against the limits.
    pub fn new(rows: usize, cols: usize, fold: usize) -> Result<Self> {
        if rows == 0 || cols == 0 || fold == 0 {
            return Err(Error::Input(format!(
                "circuit shape needs rows, columns and fold of at least 1, got {rows}, {cols}, {fold}"
            )));
        }
        if rows * fold > MAX_FIXED_COLUMNS {
            return Err(Error::Input(format!(
                "{rows} rows per partition folded {fold} times needs {} fixed columns, \
                 more than {MAX_FIXED_COLUMNS}; use fewer rows per partition",
                rows * fold
            )));
        }
        let shape = Self { rows, cols, fold };
        if shape.k() > MAX_K {
            return Err(Error::Input(format!(
                "{cols} columns need a circuit of 2^{} rows, more than 2^{MAX_K}",
                shape.k()
            )));
        }
        Ok(shape)
    }

    /// The fold with the smallest padded area (ties go to fewer columns).
    pub fn choose(rows: usize, cols: usize) -> Result<Self> {
        let candidates = (1..=MAX_FOLD)
            .filter(|fold| rows * fold <= MAX_FIXED_COLUMNS)
            .map(|fold| Self { rows, cols, fold });
        candidates
            .min_by_key(|s| (s.fold * s.rows) << s.k())
            .map_or_else(
                || Self::new(rows, cols, 1),
                |s| Self::new(s.rows, s.cols, s.fold),
            )
    }

    /// Columns of the extended matrix `[A | -I]`.
    pub fn width(&self) -> usize {
        self.cols + self.rows
    }

    /// Circuit rows that carry an accumulation step.
    pub fn height(&self) -> usize {
        self.width().div_ceil(self.fold)
    }

    /// Group and circuit row of extended column `c`.
    pub fn position(&self, c: usize) -> (usize, usize) {
        (c / self.height(), c % self.height())
    }

    /// The instance columns for `x` and a `y` block: column `g` holds group `g` of
    /// `[x; y]`, with `y` padded by the zero outputs of padding rows.
    pub fn instance_columns(&self, x: &[F], y: &[i128]) -> Vec<Vec<F>> {
        assert_eq!(x.len(), self.cols, "x length");
        assert!(y.len() <= self.rows, "y block longer than the partition");
        let mut columns = vec![vec![F::zero(); self.height()]; self.fold];
        let y = y.iter().map(|v| from_i128(*v));
        for (c, v) in x.iter().copied().chain(y).enumerate() {
            let (g, t) = self.position(c);
            columns[g][t] = v;
        }
        columns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choose_reduces_padding() {
        let unfolded = CircuitShape::new(64, 4096, 1).unwrap();
        let chosen = CircuitShape::choose(64, 4096).unwrap();
        let area = |s: CircuitShape| (s.fold * s.rows) << s.k();
        assert!(area(chosen) < area(unfolded), "{chosen:?}");
        assert!(chosen.height() + 1 + chosen.reserved_rows() <= 1 << chosen.k());
    }

    #[test]
    fn positions_cover_the_extended_matrix_once() {
        let s = CircuitShape::new(3, 10, 4).unwrap();
        let mut seen = std::collections::HashSet::new();
        for c in 0..s.width() {
            let (g, t) = s.position(c);
            assert!(g < s.fold && t < s.height());
            assert!(seen.insert((g, t)));
        }
    }

    #[test]
    fn limits_are_enforced() {
        assert!(CircuitShape::new(600, 10, 1).is_err());
        assert!(CircuitShape::new(1, 1 << 25, 1).is_err());
        assert!(CircuitShape::new(0, 10, 1).is_err());
    }
}
