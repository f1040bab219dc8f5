//! Jobs without a shuffle, under a scheme whose job proof is made at the reduce step from `y`
//! alone ([`zkmr_scheme::Capabilities::row_products`]): a task multiplies whichever rows it
//! holds, wherever the engine read them, and sends only their products; the reducer gathers `y`
//! from every task and proves the job. Rows never move to meet their partition.
//!
//! The task is not trusted: its rows are checked against the committed matrix (a wrong value is
//! named by row and column), the reducer takes `x` from the driver and compares each task's
//! digest of it, and the job's proof cannot be made for a `y` that is not `A·x` (a wrong product
//! is traced to its partition).

use std::collections::BTreeMap;
use std::time::Instant;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::field::{pack_i128, unpack_i128};
use crate::fixed_point::Number;
use crate::sparse::{Block, Entry};
use crate::verify::x_digest;
use crate::{PartitionProved, Vectors};

use super::{JobRunner, Reduced};

impl JobRunner {
    /// Whether tasks may multiply any rows they hold ([`Self::multiply_rows`]) rather than
    /// prove whole partitions.
    pub fn row_products(&self) -> bool {
        self.scheme.capabilities().row_products
    }

    fn require_row_products(&self) -> Result<()> {
        if self.row_products() {
            return Ok(());
        }
        Err(Error::Usage(format!(
            "the {} scheme proves whole partitions in the tasks: group the rows by their \
             partition (zkPartition) and prove each with provePartition",
            self.scheme()
        )))
    }

    /// A task's step: checks each of `rows` (any rows of the matrix, each with every column, in
    /// any order) against the committed matrix and multiplies it by `x`. A value that differs
    /// from the committed one is named by row and column.
    pub fn multiply_rows(
        &self,
        rows: Vec<(u64, Vec<Number>)>,
        x: &Vectors,
    ) -> Result<zkmr_proto::RowProducts> {
        self.require_row_products()?;
        self.check_vectors(x)?;
        let started = Instant::now();
        let layout = self.layout();
        let cols = layout.cols;
        let encoded = rows
            .par_iter()
            .map(|(row, values)| layout.checked_row(*row, values))
            .collect::<Result<Vec<_>>>()?;
        let held: Vec<u64> = rows.iter().map(|(row, _)| *row).collect();
        self.check_held(&held, |committed, k, local| {
            committed
                .row_difference(local, cols, &encoded[k])
                .map(|j| j as u64)
        })?;
        let flat = encoded.concat();
        let y = crate::product::product(&flat, rows.len(), cols, &x.values, x.count);
        Ok(zkmr_proto::RowProducts {
            matrix_commitment: self.commitment()?.to_vec(),
            scheme: self.scheme().to_proto(),
            x_digest: x_digest(&x.values, x.count, x.encoding).to_vec(),
            vectors: x.count as u32,
            rows: rows.iter().map(|(row, _)| *row).collect(),
            y: pack_i128(&y),
            macs: (flat.len() * x.count) as u64,
            seconds: started.elapsed().as_secs_f64(),
            entries: Vec::new(),
        })
    }

    /// A task's step over coordinate entries (`row, col, value`: an edge list is one) rather
    /// than whole rows: checks each against the committed matrix (a value that differs is named
    /// by row and column, a position given twice is refused) and sums, for each row it touches,
    /// its entries' products with `x`. A row's entries may be spread over any number of tasks:
    /// the reducer adds the partial sums and checks that every non-zero of every row was
    /// multiplied exactly once.
    pub fn multiply_entries(
        &self,
        mut entries: Vec<Entry>,
        x: &Vectors,
    ) -> Result<zkmr_proto::RowProducts> {
        self.require_row_products()?;
        self.check_vectors(x)?;
        let started = Instant::now();
        let layout = self.layout();
        let (total, cols) = (layout.rows, layout.cols);
        entries.sort_unstable_by_key(|(row, col, _)| (*row, *col));
        let mut encoded = Vec::with_capacity(entries.len());
        for (k, &(row, col, value)) in entries.iter().enumerate() {
            if row >= total || col >= cols as u64 {
                return Err(Error::Input(format!(
                    "row {row}, column {col}: outside the committed matrix of {total}x{cols}"
                )));
            }
            if k > 0 && (entries[k - 1].0, entries[k - 1].1) == (row, col) {
                return Err(Error::Input(format!(
                    "row {row}, column {col}: the entry is given twice"
                )));
            }
            encoded.push(
                layout
                    .encoding
                    .encode(value, || format!("row {row}, column {col}"))?,
            );
        }
        let held: Vec<u64> = entries.iter().map(|(row, _, _)| *row).collect();
        self.check_held(&held, |committed, k, local| {
            let col = entries[k].1;
            (committed.value(local, cols, col as usize) != encoded[k]).then_some(col)
        })?;
        // Entries are in row order: each row's run of them gives its partial sums.
        let mut rows = Vec::new();
        let mut counts = Vec::new();
        let mut sums: Vec<Vec<i128>> = vec![Vec::new(); x.count];
        let mut k = 0;
        while k < entries.len() {
            let row = entries[k].0;
            let end = k + entries[k..].partition_point(|e| e.0 == row);
            rows.push(row);
            counts.push(encoded[k..end].iter().filter(|v| **v != 0).count() as u32);
            for (v, sums) in sums.iter_mut().enumerate() {
                let x = &x.values[v * cols..(v + 1) * cols];
                sums.push(
                    (k..end)
                        .map(|e| encoded[e] as i128 * x[entries[e].1 as usize] as i128)
                        .sum(),
                );
            }
            k = end;
        }
        Ok(zkmr_proto::RowProducts {
            matrix_commitment: self.commitment()?.to_vec(),
            scheme: self.scheme().to_proto(),
            x_digest: x_digest(&x.values, x.count, x.encoding).to_vec(),
            vectors: x.count as u32,
            rows,
            y: pack_i128(&sums.concat()),
            macs: (entries.len() * x.count) as u64,
            seconds: started.elapsed().as_secs_f64(),
            entries: counts,
        })
    }

    /// The reduce step over every task's products, for the job's `x` as the driver holds it:
    /// checks that each task multiplied this matrix by that `x`, that every row of the matrix
    /// was multiplied exactly once, gathers `y`, proves the job and verifies the bundle against
    /// the store's commitment. The bundle and job root are those of proving the same job in one
    /// process.
    pub fn reduce_products(
        &self,
        x: &Vectors,
        pieces: Vec<zkmr_proto::RowProducts>,
    ) -> Result<Reduced> {
        self.require_row_products()?;
        self.check_vectors(x)?;
        let commitment = self.commitment()?;
        let digest = x_digest(&x.values, x.count, x.encoding);
        let total = self.store.manifest.rows as usize;
        let mut y = vec![0i128; total * x.count];
        // Rows given whole: each must come once. Entries: the non-zeros summed for each row.
        let mut seen = vec![false; total];
        let mut summed = vec![0u64; total];
        // The form of the job's input, set by its first piece: coordinate entries or rows.
        let mut entries_form = None;
        for piece in pieces {
            let Some(&first) = piece.rows.first() else {
                continue;
            };
            let from = format!("the products of rows {first}.. (one task's)");
            if piece.scheme != self.scheme().to_proto() {
                return Err(Error::Input(format!(
                    "{from} were made under another scheme than the store's {}",
                    self.scheme()
                )));
            }
            if piece.matrix_commitment != commitment {
                return Err(Error::Input(format!(
                    "{from} were made for another matrix than the one in {}",
                    self.store.dir().display()
                )));
            }
            if piece.x_digest != digest || piece.vectors.max(1) as usize != x.count {
                let partition = first / self.store.manifest.rows_per_partition as u64;
                return Err(Error::rejected(
                    partition as u32,
                    format!(
                        "the task that multiplied rows {first}.. used another x (digest {}) than \
                         the job's {}: the task is faulty",
                        hex::encode(&piece.x_digest),
                        hex::encode(digest)
                    ),
                ));
            }
            let products = unpack_i128(&piece.y, "y")?;
            let n = piece.rows.len();
            if products.len() != n * x.count {
                return Err(Error::Format(format!(
                    "{from}: {} products for {n} rows and {} vectors",
                    products.len(),
                    x.count
                )));
            }
            let partial = !piece.entries.is_empty();
            if partial && piece.entries.len() != n {
                return Err(Error::Format(format!(
                    "{from}: {} entry counts for {n} rows",
                    piece.entries.len()
                )));
            }
            if *entries_form.get_or_insert(partial) != partial {
                return Err(Error::Input(
                    "the job's input holds whole rows and coordinate entries: give one form".into(),
                ));
            }
            for (k, &row) in piece.rows.iter().enumerate() {
                if row as usize >= total {
                    return Err(Error::Input(format!(
                        "row {row} is outside the committed matrix of {total} rows"
                    )));
                }
                let row = row as usize;
                if partial {
                    summed[row] += piece.entries[k] as u64;
                    for v in 0..x.count {
                        y[v * total + row] += products[v * n + k];
                    }
                    continue;
                }
                if std::mem::replace(&mut seen[row], true) {
                    return Err(Error::Input(format!(
                        "row {row} appears twice in the job's input"
                    )));
                }
                for v in 0..x.count {
                    y[v * total + row] = products[v * n + k];
                }
            }
        }
        if entries_form == Some(true) {
            self.check_entry_counts(&summed)?;
        } else if let Some(missing) = seen.iter().position(|s| !s) {
            return Err(Error::Input(format!(
                "row {missing} is missing from the job's input: every row of the committed \
                 matrix must be multiplied"
            )));
        }
        let partitioning = self.store.manifest.partitioning()?;
        let partitions = (0..self.store.manifest.partitions.len())
            .map(|index| {
                let rows = partitioning.range(index);
                PartitionProved {
                    y: (0..x.count)
                        .flat_map(|v| &y[v * total + rows.start..v * total + rows.end])
                        .copied()
                        .collect(),
                    proof: zkmr_proto::PartitionProof {
                        index: index as u32,
                        row_start: rows.start as u64,
                        row_end: rows.end as u64,
                        ..Default::default()
                    },
                    device: "cpu".into(),
                    seconds: 0.0,
                }
            })
            .collect();
        self.finish_job(x.clone(), partitions)
    }

    /// Checks what a task holds against the committed matrix, fetching each partition's block
    /// once: item `k` lies in matrix row `rows[k]`, and `differs(block, k, local)` gives the
    /// column where it differs from row `local` of its partition's block, if any.
    fn check_held(
        &self,
        rows: &[u64],
        differs: impl Fn(&Block, usize, usize) -> Option<u64> + Sync,
    ) -> Result<()> {
        let per = self.store.manifest.rows_per_partition as u64;
        let mut by_partition: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
        for (k, row) in rows.iter().enumerate() {
            by_partition.entry(row / per).or_default().push(k);
        }
        by_partition
            .into_par_iter()
            .try_for_each(|(index, members)| {
                let committed = self.prover.block(index as u32)?;
                for k in members {
                    let row = rows[k];
                    if let Some(col) = differs(&committed, k, (row - index * per) as usize) {
                        return Err(Error::Input(format!(
                            "row {row}, column {col}: the value differs from the matrix \
                             committed in {}",
                            self.store.dir().display()
                        )));
                    }
                }
                Ok(())
            })
    }

    /// For a job over coordinate entries: that the tasks summed, for every row, exactly as many
    /// non-zero entries as the committed row holds (an entry left out or multiplied by two
    /// tasks is named by its row).
    fn check_entry_counts(&self, summed: &[u64]) -> Result<()> {
        let partitioning = self.store.manifest.partitioning()?;
        let cols = self.store.manifest.cols as usize;
        (0..self.store.manifest.partitions.len())
            .into_par_iter()
            .try_for_each(|index| {
                let block = self.prover.block(index as u32)?;
                let rows = partitioning.range(index);
                for row in rows.clone() {
                    let committed = block.row_nonzeros(row - rows.start, cols);
                    if summed[row] != committed as u64 {
                        return Err(Error::Input(format!(
                            "row {row}: the tasks multiplied {} of its {committed} non-zero \
                             entries: an entry is missing from the job's input or in it twice",
                            summed[row]
                        )));
                    }
                }
                Ok(())
            })
    }
}
