//! A job whose partitions are proved by separate tasks: what each task produces and how the
//! reduce side turns the tasks' results into a verified bundle.
//!
//! Every engine that distributes proving (the SQL aggregates, Spark and Hadoop through JNI)
//! goes through these functions, so a partition proved anywhere is the same
//! [`zkmr_proto::PartitionResult`] and a job committed anywhere is the same bundle and root.

use std::path::Path;
use std::time::Instant;

use crate::bundle::encoding_from_proto;
use crate::device::{Device, DeviceChoice};
use crate::error::{Error, Result};
use crate::field::{pack_i128, to_bytes, unpack_i128, F};
use crate::fixed_point::{decode_all, product_scale, FixedPoint, Number};
use crate::keystore::KeyStore;
use crate::matrix::encode_row;
use crate::prove::{assemble, check_vector, prove_partition, PartitionProved};
use crate::srs::ProverParams;
use crate::statement::{job_leaf, vector_digest};
use crate::verify::{verify, Verified};

/// A key store with its SRS read, ready to prove many partitions.
#[derive(Debug)]
pub struct OpenStore {
    pub store: KeyStore,
    pub params: ProverParams,
    /// Where this process proves: engines have no command line, so `ZKMR_DEVICE` decides.
    pub device: Device,
}

impl OpenStore {
    pub fn open(dir: &Path) -> Result<Self> {
        let store = KeyStore::open(dir)?;
        let params = store.params()?;
        Ok(Self::new(store, params))
    }

    /// A store whose SRS the caller has read.
    pub fn new(store: KeyStore, params: ProverParams) -> Self {
        Self {
            store,
            params,
            device: Device::select(DeviceChoice::from_env()),
        }
    }

    /// Encodes the rows one task received as one partition's block: every row of a single
    /// partition, each once, in any order. Says which row is out of place or missing.
    pub fn block_of(&self, rows: Vec<(u64, Vec<Number>)>) -> Result<(u32, Vec<i64>)> {
        let manifest = &self.store.manifest;
        let (total, cols) = (manifest.rows, manifest.cols as usize);
        let per = manifest.rows_per_partition as u64;
        let Some(&(first, _)) = rows.first() else {
            return Err(Error::Input("a partition with no rows".into()));
        };
        let index = first / per;
        let row_start = index * per;
        let count = (total.min(row_start + per).saturating_sub(row_start)) as usize;
        let mut block = vec![0i64; count * cols];
        let mut seen = vec![false; count];
        for (row, values) in rows {
            if row >= total {
                return Err(Error::Input(format!(
                    "row {row} is outside the committed matrix of {total} rows"
                )));
            }
            if row / per != index {
                return Err(Error::Input(format!(
                    "rows {first} and {row} belong to partitions {index} and {}: one task \
                     proves one partition of {per} rows",
                    row / per
                )));
            }
            if values.len() != cols {
                return Err(Error::Input(format!(
                    "row {row} has {} values but the committed matrix has {cols} columns",
                    values.len()
                )));
            }
            let local = (row - row_start) as usize;
            if std::mem::replace(&mut seen[local], true) {
                return Err(Error::Input(format!("row {row} appears twice")));
            }
            block[local * cols..(local + 1) * cols].copy_from_slice(&encode_row(
                &values,
                row,
                manifest.encoding,
            )?);
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

    /// Proves partition `index` for `x`, given the partition's rows as the task received them
    /// (encoded, row-major). Rows that differ from the committed block are reported by row and
    /// column: the proving key commits to the block, so a proof over other values cannot exist.
    pub fn prove_block(
        &self,
        index: u32,
        block: &[i64],
        x: &[i64],
        x_encoding: FixedPoint,
    ) -> Result<zkmr_proto::PartitionResult> {
        let manifest = &self.store.manifest;
        check_vector(&self.store, x, x_encoding)?;
        let key = self.store.partition(index)?;
        if key.block != block {
            let cols = manifest.cols as usize;
            let at = key
                .block
                .iter()
                .zip(block)
                .position(|(a, b)| a != b)
                .unwrap_or(key.block.len().min(block.len()));
            return Err(Error::Input(format!(
                "row {}, column {}: the value differs from the matrix committed in {}",
                key.row_start as usize + at / cols,
                at % cols,
                self.store.dir().display()
            )));
        }
        let started = Instant::now();
        let proved = prove_partition(self.device, &self.params, manifest.shape()?, key, x)?;
        tracing::info!(
            partition = index,
            seconds = started.elapsed().as_secs_f64(),
            "proved"
        );
        Ok(zkmr_proto::PartitionResult {
            proof: Some(zkmr_proto::PartitionProof {
                y: pack_i128(&proved.y),
                ..proved.proof
            }),
            matrix_commitment: to_bytes(&manifest.commitment()?).to_vec(),
            x: x.to_vec(),
            x_encoding: Some(crate::bundle::encoding_to_proto(x_encoding)),
        })
    }

    /// What a proved partition says, in the terms a user reads: rows, decoded `y`, digests.
    pub fn summarize(&self, result: &zkmr_proto::PartitionResult) -> Result<PartitionSummary> {
        let proof = result
            .proof
            .as_ref()
            .ok_or_else(|| Error::Format("partition result without a proof".into()))?;
        let ids = self.store.manifest.partition_ids()?;
        let id = ids.get(proof.index as usize).ok_or_else(|| {
            Error::Input(format!(
                "partition {} is not in the key store, which has {} partitions",
                proof.index,
                ids.len()
            ))
        })?;
        let x_encoding = encoding_from_proto(result.x_encoding.as_ref(), "x_encoding")?;
        let y = unpack_i128(&proof.y, "y")?;
        Ok(PartitionSummary {
            index: proof.index,
            row_start: proof.row_start,
            row_end: proof.row_end,
            y: decode_all(&y, product_scale(self.store.manifest.encoding, x_encoding)),
            key_digest: id.key_digest,
            leaf: job_leaf(id, vector_digest(&result.x), &y),
            prove_seconds: proof.prove_seconds,
        })
    }

    /// The reduce step: checks that `results` are this store's partitions, each once, proved
    /// for one `x` and this matrix, assembles the bundle and verifies it against the store's
    /// commitment. The reducer does not trust the tasks that proved.
    pub fn commit_results(&self, results: Vec<zkmr_proto::PartitionResult>) -> Result<Committed> {
        let manifest = &self.store.manifest;
        let commitment = manifest.commitment()?;
        let commitment_bytes = to_bytes(&commitment);
        let Some(first) = results.first() else {
            return Err(Error::Input("the job has no partition results".into()));
        };
        let (x, x_encoding) = (first.x.clone(), first.x_encoding);
        let first_index = first.proof.as_ref().map_or(0, |p| p.index);
        let mut partitions = Vec::with_capacity(results.len());
        for result in results {
            let proof = result
                .proof
                .ok_or_else(|| Error::Format("a partition result has no proof".into()))?;
            if result.x != x || result.x_encoding != x_encoding {
                return Err(Error::Input(format!(
                    "partition {} was proved for another x than partition {first_index}",
                    proof.index
                )));
            }
            if result.matrix_commitment != commitment_bytes {
                return Err(Error::Input(format!(
                    "partition {} was proved for another matrix than the one in {}",
                    proof.index,
                    self.store.dir().display()
                )));
            }
            let y = unpack_i128(&proof.y, "y")?;
            partitions.push(PartitionProved { y, proof });
        }
        let x_encoding = encoding_from_proto(x_encoding.as_ref(), "x_encoding")?;
        let proved = assemble(&self.store, &self.params, &x, x_encoding, partitions)?;
        let verified = verify(&proved.bundle, commitment)?;
        Ok(Committed {
            bundle: proved.bundle,
            verified,
            commitment,
        })
    }
}

/// A proved partition as a user reads it.
#[derive(Clone, Debug)]
pub struct PartitionSummary {
    pub index: u32,
    pub row_start: u64,
    pub row_end: u64,
    /// The partition's block of `y`, decoded.
    pub y: Vec<f64>,
    /// The partition's matrix-commitment leaf.
    pub key_digest: F,
    /// The partition's job leaf: index, rows, key, `x` and `y` block.
    pub leaf: F,
    pub prove_seconds: f64,
}

/// A job assembled and verified on the reduce side.
#[derive(Debug)]
pub struct Committed {
    pub bundle: zkmr_proto::Bundle,
    pub verified: Verified,
    pub commitment: F,
}

impl Committed {
    /// `y = A x`, decoded.
    pub fn y(&self) -> Vec<f64> {
        decode_all(&self.verified.y, self.verified.y_scale_bits)
    }
}
