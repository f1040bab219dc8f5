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
use crate::verify::x_digest;
use crate::{PartitionProved, Vectors};

use super::{JobRunner, Reduced};

impl JobRunner {
    /// Whether tasks may multiply any rows they hold ([`Self::multiply_rows`]) rather than
    /// prove whole partitions.
    pub fn row_products(&self) -> bool {
        crate::registry::scheme(self.scheme())
            .capabilities()
            .row_products
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
        let (cols, per) = (layout.cols, layout.rows_per_partition);
        let encoded = rows
            .par_iter()
            .map(|(row, values)| layout.checked_row(*row, values))
            .collect::<Result<Vec<_>>>()?;
        // Each partition's committed block is fetched once for the rows of it this task holds.
        let mut by_partition: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
        for (k, (row, _)) in rows.iter().enumerate() {
            by_partition.entry(row / per).or_default().push(k);
        }
        by_partition
            .into_par_iter()
            .try_for_each(|(index, members)| {
                let committed = self.prover.block(index as u32)?;
                for k in members {
                    let row = rows[k].0;
                    let local = (row - index * per) as usize;
                    if let Some(j) = committed.row_difference(local, cols, &encoded[k]) {
                        return Err(Error::Input(format!(
                            "row {row}, column {j}: the value differs from the matrix committed \
                             in {}",
                            self.store.dir().display()
                        )));
                    }
                }
                Ok(())
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
        let mut seen = vec![false; total];
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
            for (k, &row) in piece.rows.iter().enumerate() {
                let Some(slot) = seen.get_mut(row as usize) else {
                    return Err(Error::Input(format!(
                        "row {row} is outside the committed matrix of {total} rows"
                    )));
                };
                if std::mem::replace(slot, true) {
                    return Err(Error::Input(format!(
                        "row {row} appears twice in the job's input"
                    )));
                }
                for v in 0..x.count {
                    y[v * total + row as usize] = products[v * n + k];
                }
            }
        }
        if let Some(missing) = seen.iter().position(|s| !s) {
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
}
