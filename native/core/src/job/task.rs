//! A task's side of a job: the rows it holds taken as a committed block, proved, and
//! summarised for the engine that reports it.

use std::time::Instant;

use crate::bundle::encoding_from_proto;
use crate::error::{Error, Result};
use crate::field::{pack_i128, unpack_i128};
use crate::fixed_point::{decode_all, product_scale, Number};
use crate::matrix::PartitionLayout;
use crate::sparse::{Block, Entry};
use crate::{PartitionProved, Vectors};

use super::JobRunner;

impl JobRunner {
    /// Encodes the rows one task received as one partition's block: every row of a single
    /// partition, each once, in any order. Says which row is out of place or missing.
    pub fn block_of(&self, rows: Vec<(u64, Vec<Number>)>) -> Result<(u32, Vec<i64>)> {
        self.layout().block_of(rows)
    }

    /// Encodes the coordinate entries one task received as one partition's sparse block (see
    /// [`PartitionLayout::entries_of`]).
    pub fn entries_of(&self, entries: Vec<Entry>) -> Result<(u32, Block)> {
        self.layout().entries_of(entries)
    }

    /// How the store's matrix is cut and encoded, as a task reads the rows it received.
    pub(super) fn layout(&self) -> PartitionLayout {
        let m = &self.store.manifest;
        PartitionLayout {
            rows: m.rows,
            cols: m.cols as usize,
            rows_per_partition: m.rows_per_partition as u64,
            encoding: m.encoding,
        }
    }

    /// Proves partition `index` for `x`, given the partition's rows as the task received them
    /// (encoded; dense rows or coordinate entries, whichever form the store keeps). Values that
    /// differ from the committed block are reported by row and column: a proof over other
    /// values than the committed ones cannot verify.
    pub fn prove_block(
        &self,
        index: u32,
        block: &Block,
        x: &Vectors,
    ) -> Result<zkmr_proto::PartitionResult> {
        self.check_vectors(x)?;
        let committed = self.prover.block(index)?;
        let rows = self.store.manifest.partitioning()?.range(index as usize);
        let cols = self.store.manifest.cols as usize;
        if let Some((i, j)) = committed.first_difference(block, rows.len(), cols) {
            return Err(Error::Input(format!(
                "row {}, column {j}: the value differs from the matrix committed in {}",
                rows.start + i,
                self.store.dir().display()
            )));
        }
        let started = Instant::now();
        let proved = self.prover.prove_partition(index, x)?;
        tracing::info!(
            partition = index,
            seconds = started.elapsed().as_secs_f64(),
            "proved"
        );
        self.result(proved, x)
    }

    pub(super) fn result(
        &self,
        proved: PartitionProved,
        x: &Vectors,
    ) -> Result<zkmr_proto::PartitionResult> {
        Ok(zkmr_proto::PartitionResult {
            proof: Some(zkmr_proto::PartitionProof {
                y: pack_i128(&proved.y),
                ..proved.proof
            }),
            matrix_commitment: self.commitment()?.to_vec(),
            x: x.values.clone(),
            x_encoding: Some(crate::bundle::encoding_to_proto(x.encoding)),
            scheme: self.scheme().to_proto(),
            vectors: x.count as u32,
            device: proved.device,
            prove_seconds: proved.seconds,
        })
    }

    /// What a proved partition says, in the terms a user reads: rows, decoded `y`, digests.
    pub fn summarize(&self, result: &zkmr_proto::PartitionResult) -> Result<PartitionSummary> {
        let proof = result
            .proof
            .as_ref()
            .ok_or_else(|| Error::Format("partition result without a proof".into()))?;
        let x = self.vectors_of(result)?;
        let y = unpack_i128(&proof.y, "y")?;
        Ok(PartitionSummary {
            index: proof.index,
            row_start: proof.row_start,
            row_end: proof.row_end,
            y: decode_all(&y, product_scale(self.store.manifest.encoding, x.encoding)),
            key_digest: self.prover.key_digest(proof.index)?,
            leaf: self.prover.job_leaf(proof.index, &x, &y)?,
            prove_seconds: result.prove_seconds,
        })
    }

    pub(super) fn vectors_of(&self, result: &zkmr_proto::PartitionResult) -> Result<Vectors> {
        Ok(Vectors {
            values: result.x.clone(),
            count: result.vectors.max(1) as usize,
            encoding: encoding_from_proto(result.x_encoding.as_ref(), "x_encoding")?,
        })
    }
}

/// A proved partition as a user reads it.
#[derive(Clone, Debug)]
pub struct PartitionSummary {
    pub index: u32,
    pub row_start: u64,
    pub row_end: u64,
    /// The partition's blocks of `y`, decoded, one per vector.
    pub y: Vec<f64>,
    /// The partition's key digest (halo2: its verifying key's); `None` under pedersen, whose
    /// one key is the matrix's.
    pub key_digest: Option<[u8; 32]>,
    /// The partition's job leaf: index, rows, key, `x` and `y` block.
    pub leaf: [u8; 32],
    pub prove_seconds: f64,
}
