//! Encoded matrices and vectors, and how a matrix is cut into row partitions.

use std::ops::Range;

use crate::error::{Error, Result};
use crate::fixed_point::{FixedPoint, MatrixRounding, Number};
use crate::sparse::{Block, Entry};

/// A dense row-major matrix of encoded integers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntMatrix {
    rows: usize,
    cols: usize,
    data: Vec<i64>,
    /// Whether the values it was encoded from encoded without rounding.
    exact: bool,
}

impl IntMatrix {
    /// Wraps row-major data; the length must be `rows * cols`.
    pub fn new(rows: usize, cols: usize, data: Vec<i64>) -> Result<Self> {
        if rows == 0 || cols == 0 {
            return Err(Error::Input(format!(
                "matrix must have at least one row and one column, got {rows}x{cols}"
            )));
        }
        if data.len() != rows * cols {
            return Err(Error::Input(format!(
                "matrix data has {} values, expected {rows}x{cols}",
                data.len()
            )));
        }
        Ok(Self {
            rows,
            cols,
            data,
            exact: true,
        })
    }

    /// Encodes rows of numbers, naming the row and column of any value that cannot be encoded.
    pub fn encode(rows: &[Vec<Number>], encoding: FixedPoint) -> Result<Self> {
        let cols = rows.first().map_or(0, Vec::len);
        let mut data = Vec::with_capacity(rows.len() * cols);
        for (i, row) in rows.iter().enumerate() {
            if row.len() != cols {
                return Err(Error::Input(format!(
                    "row {i} has {} values but row 0 has {cols}",
                    row.len()
                )));
            }
            data.extend(encode_row(row, i as u64, encoding)?);
        }
        let exact = rows.iter().flatten().all(|v| encoding.is_exact(*v));
        Ok(Self {
            exact,
            ..Self::new(rows.len(), cols, data)?
        })
    }

    /// Whether the values it was encoded from encoded without rounding.
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    /// What bounds the rounding error of products with this matrix.
    pub fn rounding(&self, encoding: FixedPoint) -> MatrixRounding {
        MatrixRounding {
            exact: self.exact,
            max_row_l1: MatrixRounding::max_row_l1(&self.data, self.cols, encoding),
        }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Row `i` as a slice.
    pub fn row(&self, i: usize) -> &[i64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Rows `range` as a row-major slice.
    pub fn block(&self, range: Range<usize>) -> &[i64] {
        &self.data[range.start * self.cols..range.end * self.cols]
    }

    /// `A x` over the integers; the independent reference every proof is checked against.
    pub fn mul_vec(&self, x: &[i64]) -> Vec<i128> {
        assert_eq!(x.len(), self.cols, "vector length");
        (0..self.rows).map(|i| dot(self.row(i), x)).collect()
    }
}

/// Integer dot product, exact in `i128` under the bounds of [`crate::fixed_point`].
pub fn dot(a: &[i64], x: &[i64]) -> i128 {
    a.iter().zip(x).map(|(a, x)| *a as i128 * *x as i128).sum()
}

/// Encodes matrix row `i`, naming the row and column of any value that cannot be encoded.
pub fn encode_row(row: &[Number], i: u64, encoding: FixedPoint) -> Result<Vec<i64>> {
    row.iter()
        .enumerate()
        .map(|(j, v)| encoding.encode(*v, || format!("row {i}, column {j}")))
        .collect()
}

/// Encodes a vector, naming the index of any value that cannot be encoded.
pub fn encode_vector(values: &[Number], encoding: FixedPoint) -> Result<Vec<i64>> {
    if values.is_empty() {
        return Err(Error::Input("vector is empty".into()));
    }
    values
        .iter()
        .enumerate()
        .map(|(j, v)| encoding.encode(*v, || format!("vector index {j}")))
        .collect()
}

/// Rows per partition when none is asked for.
pub const DEFAULT_ROWS_PER_PARTITION: usize = 64;

/// How `rows` matrix rows are cut into consecutive blocks of `rows_per_partition`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partitioning {
    pub rows: usize,
    pub rows_per_partition: usize,
}

impl Partitioning {
    pub fn new(rows: usize, rows_per_partition: usize) -> Result<Self> {
        if rows_per_partition == 0 {
            return Err(Error::Input("rows per partition must be at least 1".into()));
        }
        Ok(Self {
            rows,
            rows_per_partition,
        })
    }

    pub fn count(&self) -> usize {
        self.rows.div_ceil(self.rows_per_partition)
    }

    /// Matrix rows of partition `p`; the last one may be short.
    pub fn range(&self, p: usize) -> Range<usize> {
        let start = p * self.rows_per_partition;
        start..(start + self.rows_per_partition).min(self.rows)
    }
}

/// Places partitions' output blocks into one `y`: each block holds its partition's rows once
/// per vector and starts at the partition's first row; `y` holds all `rows` once per vector.
/// The blocks' lengths must have been checked.
pub fn gather_outputs<'a>(
    rows: usize,
    vectors: usize,
    blocks: impl IntoIterator<Item = (usize, &'a [i128])>,
) -> Vec<i128> {
    let mut y = vec![0i128; rows * vectors];
    for (start, block) in blocks {
        let len = block.len() / vectors;
        for b in 0..vectors {
            y[b * rows + start..b * rows + start + len]
                .copy_from_slice(&block[b * len..(b + 1) * len]);
        }
    }
    y
}

/// Gathers encoded rows arriving in any order into whole partitions, handing each one out as
/// soon as its last row arrives, so a matrix streamed in row order is held one partition at a
/// time.
pub struct PartitionAssembler {
    partitioning: Partitioning,
    cols: usize,
    pending: std::collections::HashMap<usize, Pending>,
    done: Vec<bool>,
}

struct Pending {
    block: Vec<i64>,
    received: Vec<bool>,
    count: usize,
}

impl PartitionAssembler {
    pub fn new(partitioning: Partitioning, cols: usize) -> Self {
        Self {
            partitioning,
            cols,
            pending: std::collections::HashMap::new(),
            done: vec![false; partitioning.count()],
        }
    }

    /// Adds row `row`; returns its partition's index and block when it is whole.
    pub fn add(&mut self, row: u64, values: Vec<i64>) -> Result<Option<(usize, Vec<i64>)>> {
        let rows = self.partitioning.rows;
        if row >= rows as u64 {
            return Err(Error::Input(format!(
                "row {row} is outside the matrix of {rows} rows"
            )));
        }
        if values.len() != self.cols {
            return Err(Error::Input(format!(
                "row {row} has {} values but row 0 has {}",
                values.len(),
                self.cols
            )));
        }
        let row = row as usize;
        let p = row / self.partitioning.rows_per_partition;
        if self.done[p] {
            return Err(Error::Input(format!("row {row} appears more than once")));
        }
        let range = self.partitioning.range(p);
        let cols = self.cols;
        let pending = self.pending.entry(p).or_insert_with(|| Pending {
            block: vec![0; range.len() * cols],
            received: vec![false; range.len()],
            count: 0,
        });
        let local = row - range.start;
        if std::mem::replace(&mut pending.received[local], true) {
            return Err(Error::Input(format!("row {row} appears more than once")));
        }
        pending.block[local * cols..(local + 1) * cols].copy_from_slice(&values);
        pending.count += 1;
        if pending.count < range.len() {
            return Ok(None);
        }
        self.done[p] = true;
        let whole = self.pending.remove(&p).expect("the partition being filled");
        Ok(Some((p, whole.block)))
    }

    /// Checks that every row came.
    pub fn finish(&self) -> Result<()> {
        match self.done.iter().position(|d| !d) {
            None => Ok(()),
            Some(p) => {
                let range = self.partitioning.range(p);
                let missing = self
                    .pending
                    .get(&p)
                    .and_then(|f| f.received.iter().position(|r| !r))
                    .map_or(range.start, |local| range.start + local);
                Err(Error::Input(format!("row {missing} is missing")))
            }
        }
    }
}

/// How a matrix is cut and encoded: what a task needs to turn the rows it received into one
/// partition's block.
#[derive(Clone, Copy, Debug)]
pub struct PartitionLayout {
    pub rows: u64,
    pub cols: usize,
    pub rows_per_partition: u64,
    pub encoding: FixedPoint,
}

impl PartitionLayout {
    /// Encodes matrix row `row` as a task received it: a row of the matrix, with every column.
    pub fn checked_row(&self, row: u64, values: &[Number]) -> Result<Vec<i64>> {
        let (total, cols) = (self.rows, self.cols);
        if row >= total {
            return Err(Error::Input(format!(
                "row {row} is outside the committed matrix of {total} rows"
            )));
        }
        if values.len() != cols {
            return Err(Error::Input(format!(
                "row {row} has {} values but the committed matrix has {cols} columns",
                values.len()
            )));
        }
        encode_row(values, row, self.encoding)
    }

    /// Encodes the rows one task received as one partition's block: every row of a single
    /// partition, each once, in any order. Says which row is out of place or missing.
    pub fn block_of(&self, rows: Vec<(u64, Vec<Number>)>) -> Result<(u32, Vec<i64>)> {
        let (total, cols, per) = (self.rows, self.cols, self.rows_per_partition);
        let Some(&(first, _)) = rows.first() else {
            return Err(Error::Input("a partition with no rows".into()));
        };
        let index = first / per;
        let row_start = index * per;
        let count = (total.min(row_start + per).saturating_sub(row_start)) as usize;
        let mut block = vec![0i64; count * cols];
        let mut seen = vec![false; count];
        for (row, values) in rows {
            let encoded = self.checked_row(row, &values)?;
            if row / per != index {
                return Err(Error::Input(format!(
                    "rows {first} and {row} belong to partitions {index} and {}: one task \
                     proves one partition of {per} rows",
                    row / per
                )));
            }
            let local = (row - row_start) as usize;
            if std::mem::replace(&mut seen[local], true) {
                return Err(Error::Input(format!("row {row} appears twice")));
            }
            block[local * cols..(local + 1) * cols].copy_from_slice(&encoded);
        }
        if let Some(missing) = seen.iter().position(|s| !s) {
            return Err(Error::Input(format!(
                "partition {index} (rows {row_start}..{}) is missing row {}",
                row_start + count as u64,
                row_start + missing as u64
            )));
        }
        Ok((index as u32, block))
    }

    /// Encodes the coordinate entries one task received as one partition's sparse block: every
    /// non-zero of a single partition, each position once, in any order. Says which entry is
    /// out of place.
    pub fn entries_of(&self, entries: Vec<Entry>) -> Result<(u32, Block)> {
        let (total, cols, per) = (self.rows, self.cols as u64, self.rows_per_partition);
        let Some(&(first, _, _)) = entries.first() else {
            return Err(Error::Input("a partition with no entries".into()));
        };
        let index = first / per;
        let row_start = index * per;
        let row_end = total.min(row_start + per);
        for (k, (row, col, _)) in entries.iter().enumerate() {
            if *row >= total || *col >= cols {
                return Err(Error::Input(format!(
                    "entry {k}: row {row}, column {col} is outside the committed {total}x{cols} \
                     matrix"
                )));
            }
            if row / per != index {
                return Err(Error::Input(format!(
                    "rows {first} and {row} belong to partitions {index} and {}: one task \
                     proves one partition of {per} rows",
                    row / per
                )));
            }
        }
        let rows = crate::sparse::encode_rows(row_start..row_end, &entries, self.encoding)?;
        Ok((index as u32, Block::Sparse(rows)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ragged_rows_are_named() {
        let rows = vec![vec![Number::Int(1), Number::Int(2)], vec![Number::Int(3)]];
        let err = IntMatrix::encode(&rows, FixedPoint::new(0, 32).unwrap()).unwrap_err();
        assert!(err.to_string().contains("row 1 has 1 values"), "{err}");
    }

    #[test]
    fn partitions_cover_rows_exactly_once() {
        let p = Partitioning::new(10, 4).unwrap();
        assert_eq!(p.count(), 3);
        let ranges: Vec<_> = (0..p.count()).map(|i| p.range(i)).collect();
        assert_eq!(ranges, vec![0..4, 4..8, 8..10]);
    }

    #[test]
    fn assembler_hands_out_whole_partitions_and_names_bad_rows() {
        let mut a = PartitionAssembler::new(Partitioning::new(5, 2).unwrap(), 2);
        assert_eq!(a.add(1, vec![3, 4]).unwrap(), None);
        assert_eq!(a.add(4, vec![9, 9]).unwrap(), Some((2, vec![9, 9])));
        assert_eq!(a.add(0, vec![1, 2]).unwrap(), Some((0, vec![1, 2, 3, 4])));
        assert!(a
            .add(0, vec![1, 2])
            .unwrap_err()
            .to_string()
            .contains("row 0 appears"));
        assert!(a
            .add(7, vec![1, 2])
            .unwrap_err()
            .to_string()
            .contains("outside"));
        assert!(a
            .add(2, vec![1])
            .unwrap_err()
            .to_string()
            .contains("row 2 has 1 values"));
        assert_eq!(a.add(2, vec![5, 6]).unwrap(), None);
        assert!(a
            .finish()
            .unwrap_err()
            .to_string()
            .contains("row 3 is missing"));
    }

    #[test]
    fn mul_vec_is_integer_matmul() {
        let a = IntMatrix::new(2, 3, vec![1, -2, 3, 4, 5, -6]).unwrap();
        assert_eq!(a.mul_vec(&[7, 8, -9]), vec![7 - 16 - 27, 28 + 40 + 54]);
    }
}
