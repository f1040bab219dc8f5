//! Sparse matrices: a matrix given in coordinate form (`row, col, value`; an edge list is one)
//! and kept as compressed rows, so committing and proving cost what its non-zeros cost, not
//! `rows × cols`.
//!
//! A partition's rows are a [`Block`]: dense (row-major) or sparse. Both commit to the same
//! column commitments and prove the same products, so a store's bundles, its commitment and its
//! verifier do not depend on which form the store keeps.

use std::ops::Range;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::fixed_point::{FixedPoint, MatrixRounding, Number};
use crate::product::Multiplicand;

/// One partition's rows: dense and row-major, or compressed rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Dense(Vec<i64>),
    Sparse(SparseRows),
}

/// Compressed rows: row `i` holds `cols[offsets[i]..offsets[i+1]]` (strictly increasing) with
/// `values` at the same places; no value is zero.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SparseRows {
    pub offsets: Vec<u64>,
    pub cols: Vec<u32>,
    pub values: Vec<i64>,
}

impl SparseRows {
    pub fn rows(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// The `(column, value)` entries of row `i`.
    pub fn row(&self, i: usize) -> impl Iterator<Item = (usize, i64)> + '_ {
        let range = self.offsets[i] as usize..self.offsets[i + 1] as usize;
        self.cols[range.clone()]
            .iter()
            .map(|c| *c as usize)
            .zip(self.values[range].iter().copied())
    }

    /// Checks the structure against `rows × cols`: `what` names the source in the error.
    pub fn check(&self, rows: usize, cols: usize, what: &str) -> Result<()> {
        let bad = |msg: String| Err(Error::Format(format!("{what}: {msg}")));
        if self.offsets.len() != rows + 1 || self.offsets[0] != 0 {
            return bad(format!(
                "{} row offsets for {rows} rows",
                self.offsets.len()
            ));
        }
        if self.offsets.windows(2).any(|w| w[0] > w[1])
            || self.offsets[rows] as usize != self.cols.len()
            || self.cols.len() != self.values.len()
        {
            return bad("row offsets that do not index its entries".into());
        }
        for i in 0..rows {
            let range = self.offsets[i] as usize..self.offsets[i + 1] as usize;
            let row = &self.cols[range.clone()];
            if row.windows(2).any(|w| w[0] >= w[1])
                || row.last().is_some_and(|c| *c as usize >= cols)
            {
                return bad(format!("row {i}: columns out of order or out of range"));
            }
            if self.values[range].contains(&0) {
                return bad(format!("row {i}: a stored zero"));
            }
        }
        Ok(())
    }
}

impl Block {
    /// Bits of the largest magnitude.
    pub fn magnitude_bits(&self) -> u32 {
        crate::product::magnitude_bits(self.values())
    }

    /// The stored values (every entry of a dense block, the non-zeros of a sparse one).
    pub fn values(&self) -> &[i64] {
        match self {
            Block::Dense(v) => v,
            Block::Sparse(s) => &s.values,
        }
    }

    /// The largest decoded row sum of absolute values.
    pub fn max_row_l1(&self, cols: usize, encoding: FixedPoint) -> f64 {
        match self {
            Block::Dense(v) => MatrixRounding::max_row_l1(v, cols, encoding),
            Block::Sparse(s) => {
                let max = (0..s.rows())
                    .map(|i| {
                        s.row(i)
                            .map(|(_, v)| v.unsigned_abs() as u128)
                            .sum::<u128>()
                    })
                    .max()
                    .unwrap_or(0);
                max as f64 / (encoding.scale_bits as f64).exp2()
            }
        }
    }

    /// `Y = A_p·X` exactly, laid out as [`crate::product::product`] lays it out.
    pub fn product(&self, rows: usize, cols: usize, x: &Multiplicand<'_>) -> Vec<i128> {
        match self {
            Block::Dense(a) => crate::product::product_of(a, rows, cols, x),
            Block::Sparse(s) => {
                let (xs, vectors) = (x.values(), x.vectors());
                assert_eq!(xs.len(), vectors * cols, "vectors shape");
                let mut y = vec![0i128; rows * vectors];
                y.par_chunks_mut(rows)
                    .zip(xs.par_chunks(cols))
                    .for_each(|(y, x)| {
                        y.par_iter_mut().enumerate().for_each(|(i, out)| {
                            *out = s.row(i).map(|(j, v)| v as i128 * x[j] as i128).sum();
                        })
                    });
                y
            }
        }
    }

    /// The non-zero `(column, value)` entries of row `i`, in column order.
    fn nonzeros(&self, i: usize, cols: usize) -> Vec<(usize, i64)> {
        match self {
            Block::Dense(v) => v[i * cols..(i + 1) * cols]
                .iter()
                .enumerate()
                .filter(|(_, v)| **v != 0)
                .map(|(j, v)| (j, *v))
                .collect(),
            Block::Sparse(s) => s.row(i).collect(),
        }
    }

    /// The value at row `i`, column `j` of this block (of `cols` columns).
    pub fn value(&self, i: usize, cols: usize, j: usize) -> i64 {
        match self {
            Block::Dense(a) => a[i * cols + j],
            Block::Sparse(s) => {
                let range = s.offsets[i] as usize..s.offsets[i + 1] as usize;
                let row = &s.cols[range.clone()];
                row.binary_search(&(j as u32))
                    .map_or(0, |k| s.values[range.start + k])
            }
        }
    }

    /// How many of row `i`'s values are not zero.
    pub fn row_nonzeros(&self, i: usize, cols: usize) -> usize {
        match self {
            Block::Dense(a) => a[i * cols..(i + 1) * cols]
                .iter()
                .filter(|v| **v != 0)
                .count(),
            Block::Sparse(s) => (s.offsets[i + 1] - s.offsets[i]) as usize,
        }
    }

    /// The first column where row `i` of this block (of `cols` columns) differs from `row`,
    /// which holds every column of one row, zeros included.
    pub fn row_difference(&self, i: usize, cols: usize, row: &[i64]) -> Option<usize> {
        match self {
            Block::Dense(a) => a[i * cols..(i + 1) * cols]
                .iter()
                .zip(row)
                .position(|(a, b)| a != b),
            Block::Sparse(s) => {
                let mut nonzeros = s.row(i).peekable();
                row.iter().enumerate().position(|(j, v)| {
                    let committed = match nonzeros.peek() {
                        Some(&(c, w)) if c == j => {
                            nonzeros.next();
                            w
                        }
                        _ => 0,
                    };
                    committed != *v
                })
            }
        }
    }

    /// The first `(row, column)` (within the block) where two blocks of `rows × cols` differ,
    /// whichever form each is in.
    pub fn first_difference(
        &self,
        other: &Block,
        rows: usize,
        cols: usize,
    ) -> Option<(usize, usize)> {
        if self == other {
            return None;
        }
        if let (Block::Dense(a), Block::Dense(b)) = (self, other) {
            let at = a.iter().zip(b).position(|(a, b)| a != b)?;
            return Some((at / cols, at % cols));
        }
        (0..rows).find_map(|i| {
            let (a, b) = (self.nonzeros(i, cols), other.nonzeros(i, cols));
            if a == b {
                return None;
            }
            let j = a
                .iter()
                .zip(&b)
                .find(|(x, y)| x != y)
                .map(|(x, y)| x.0.min(y.0))
                .unwrap_or_else(|| a.get(b.len()).or(b.get(a.len())).map_or(0, |e| e.0));
            Some((i, j))
        })
    }
}

/// A matrix in coordinate form, encoded and kept as compressed rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SparseMatrix {
    rows: usize,
    cols: usize,
    entries: SparseRows,
    exact: bool,
}

/// One coordinate entry as read: row, column and value.
pub type Entry = (u64, u64, Number);

impl SparseMatrix {
    /// Encodes `entries` of a `rows × cols` matrix given in any order. An entry outside the
    /// shape or a position given twice is an error naming the entry (its place in the input)
    /// and the position; zeros are dropped.
    pub fn encode(rows: u64, cols: u64, entries: &[Entry], encoding: FixedPoint) -> Result<Self> {
        if rows == 0 || cols == 0 {
            return Err(Error::Input(format!(
                "matrix must have at least one row and one column, got {rows}x{cols}"
            )));
        }
        // A declared or inferred shape is backed by no bytes: refused before the row offsets
        // (8 bytes a row) are allocated for it.
        crate::limits::check_store_shape(rows, cols)?;
        if let Some((k, (i, j, _))) = entries
            .iter()
            .enumerate()
            .find(|(_, (i, j, _))| *i >= rows || *j >= cols)
        {
            return Err(Error::Input(format!(
                "entry {k}: row {i}, column {j} is outside the {rows}x{cols} matrix"
            )));
        }
        Ok(Self {
            rows: rows as usize,
            cols: cols as usize,
            entries: encode_rows(0..rows, entries, encoding)?,
            exact: entries.iter().all(|(_, _, v)| encoding.is_exact(*v)),
        })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Stored (non-zero) entries.
    pub fn nonzeros(&self) -> usize {
        self.entries.values.len()
    }

    /// Whether every value encoded without rounding.
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    /// Rows `range` as a sparse block.
    pub fn block(&self, range: Range<usize>) -> Block {
        let (from, to) = (
            self.entries.offsets[range.start] as usize,
            self.entries.offsets[range.end] as usize,
        );
        Block::Sparse(SparseRows {
            offsets: self.entries.offsets[range.start..=range.end]
                .iter()
                .map(|o| o - from as u64)
                .collect(),
            cols: self.entries.cols[from..to].to_vec(),
            values: self.entries.values[from..to].to_vec(),
        })
    }
}

/// Encodes `entries`, all within rows `rows` (global indices) and known to be in range, as the
/// compressed rows of that range. A position given twice is named by the two entries; zeros
/// are dropped.
pub(crate) fn encode_rows(
    rows: Range<u64>,
    entries: &[Entry],
    encoding: FixedPoint,
) -> Result<SparseRows> {
    let mut encoded = Vec::with_capacity(entries.len());
    for (k, (i, j, v)) in entries.iter().enumerate() {
        let e = encoding.encode(*v, || format!("entry {k} (row {i}, column {j})"))?;
        encoded.push((*i, *j as u32, e, k));
    }
    encoded.par_sort_unstable_by_key(|(i, j, _, _)| (*i, *j));
    if let Some(w) = encoded
        .windows(2)
        .find(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1))
    {
        let (first, second) = (w[0].3.min(w[1].3), w[0].3.max(w[1].3));
        return Err(Error::Input(format!(
            "entries {first} and {second} both give row {}, column {}",
            w[0].0, w[0].1
        )));
    }
    let count = (rows.end - rows.start) as usize;
    let mut offsets = vec![0u64; count + 1];
    let (mut cols, mut values) = (Vec::new(), Vec::new());
    for (i, j, e, _) in encoded.into_iter().filter(|e| e.2 != 0) {
        offsets[(i - rows.start) as usize + 1] += 1;
        cols.push(j);
        values.push(e);
    }
    for i in 0..count {
        offsets[i + 1] += offsets[i];
    }
    Ok(SparseRows {
        offsets,
        cols,
        values,
    })
}
