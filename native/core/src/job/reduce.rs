//! The reduce side of a job: every partition's result checked and ordered, the bundle
//! assembled and verified; and, for a verified bundle, the partition at fault named, one
//! partition opened or checked on its own.

use crate::bundle::encoding_from_proto;
use crate::error::{Error, Result};
use crate::field::unpack_i128;
use crate::fixed_point::decode_all;
use crate::store::KeyStore;
use crate::verify::{verify, x_digest, Verified};
use crate::{PartitionProved, Vectors};

use super::JobRunner;

impl JobRunner {
    /// The reduce step for the job's `x`, as the driver or the query gave it: checks that
    /// `results` are this store's partitions, each once, proved for that `x` and this matrix
    /// under its scheme, assembles the bundle and verifies it against the store's commitment.
    /// The reducer does not trust the tasks that proved: a task that proved another `x`, or a
    /// bundle that fails, is rejected naming the partition at fault.
    pub fn reduce(
        &self,
        x: &Vectors,
        results: Vec<zkmr_proto::PartitionResult>,
    ) -> Result<Reduced> {
        let commitment = self.commitment()?;
        if results.is_empty() {
            return Err(Error::Input("the job has no partition results".into()));
        }
        self.check_vectors(x)?;
        let x = x.clone();
        // In partition order, so that a job whose tasks all proved another x names the first.
        let mut results = results;
        results.sort_by_key(|r| r.proof.as_ref().map_or(u32::MAX, |p| p.index));
        let mut partitions = Vec::with_capacity(results.len());
        for result in results {
            let proof = result
                .proof
                .ok_or_else(|| Error::Format("a partition result has no proof".into()))?;
            if result.scheme != self.scheme().to_proto() {
                return Err(Error::Input(format!(
                    "partition {} was proved under another scheme than the store's {}",
                    proof.index,
                    self.scheme()
                )));
            }
            if result.x != x.values
                || result.vectors.max(1) as usize != x.count
                || encoding_from_proto(result.x_encoding.as_ref(), "x_encoding")? != x.encoding
            {
                return Err(Error::rejected(
                    proof.index,
                    format!(
                        "its task proved another x than the job's (digest {} against the \
                         job's {}): the task is faulty",
                        hex::encode(x_digest(
                            &result.x,
                            result.vectors.max(1) as usize,
                            encoding_from_proto(result.x_encoding.as_ref(), "x_encoding")
                                .unwrap_or(x.encoding)
                        )),
                        hex::encode(x_digest(&x.values, x.count, x.encoding))
                    ),
                ));
            }
            if result.matrix_commitment != commitment {
                return Err(Error::Input(format!(
                    "partition {} was proved for another matrix than the one in {}",
                    proof.index,
                    self.store.dir().display()
                )));
            }
            let y = unpack_i128(&proof.y, "y")?;
            partitions.push(PartitionProved {
                y,
                proof,
                device: result.device,
                seconds: result.prove_seconds,
            });
        }
        self.finish_job(x, partitions)
    }

    /// The end of every reduce step: each partition once, the bundle assembled for `x` and
    /// verified against the store's commitment, a failure traced to its partition.
    pub(super) fn finish_job(
        &self,
        x: Vectors,
        mut partitions: Vec<PartitionProved>,
    ) -> Result<Reduced> {
        let commitment = self.commitment()?;
        order_partitions(&self.store, &mut partitions, x.count)?;
        let assembled = self.prover.assemble(&x, partitions)?;
        let bundle = assembled.bundle;
        let verified = assembled.checked.map_err(|e| self.locate(&bundle, e))?;
        Ok(self.reduced(&x, bundle, verified, commitment))
    }

    /// A verified job as a reduce step reports it, with the bound on `y`'s rounding error.
    pub(super) fn reduced(
        &self,
        x: &Vectors,
        bundle: zkmr_proto::Bundle,
        verified: Verified,
        commitment: [u8; 32],
    ) -> Reduced {
        // Engines pass vectors as numbers already chosen a scale for: a scale of 0 is chosen
        // only for integers, which encode exactly; at any other scale rounding is counted.
        let y_error_bound = self.y_error_bound(x, x.encoding.scale_bits == 0);
        Reduced {
            bundle,
            verified,
            commitment,
            y_error_bound,
        }
    }

    /// A failed job check names the partition at fault where the store can tell: the holder
    /// recomputes each partition's block of `y` from the block it committed.
    pub fn locate(&self, bundle: &zkmr_proto::Bundle, err: Error) -> Error {
        if !matches!(
            err,
            Error::Rejected {
                partition: None,
                ..
            }
        ) {
            return err;
        }
        let all: Vec<u32> = (0..self.store.manifest.partitions.len() as u32).collect();
        match self.prover.partitions_hold(bundle, &all) {
            Ok(Some(holds)) => match holds.iter().position(|h| !h) {
                Some(index) => Error::rejected(
                    index as u32,
                    "its y block is not the product of the committed block (the job check \
                     failed)",
                ),
                None => err,
            },
            Ok(None) | Err(_) => err,
        }
    }

    /// Shows partition `index` of `bundle` on its own, for a third party to check against
    /// the matrix commitment and the job root (see `zkmr_pedersen::opening`). The bundle
    /// must verify against this store first: openings are made for verified jobs only.
    pub fn open_partition(
        &self,
        bundle: &zkmr_proto::Bundle,
        index: u32,
    ) -> Result<zkmr_proto::PartitionOpening> {
        verify(bundle, &self.commitment()?).map_err(|e| self.locate(bundle, e))?;
        self.prover.open_partition(bundle, index)
    }

    /// Checks partition `index` of `bundle` alone, against the block this store committed.
    pub fn check_partition(&self, bundle: &zkmr_proto::Bundle, index: u32) -> Result<()> {
        match self.prover.partitions_hold(bundle, &[index])?.as_deref() {
            Some([true]) => Ok(()),
            Some(_) => Err(Error::rejected(
                index,
                "its y block is not the product of the committed block",
            )),
            None => Err(Error::Usage(format!(
                "the {} scheme checks partitions with the whole bundle: drop --partition",
                self.scheme()
            ))),
        }
    }
}

/// Sorts `partitions` and checks that each partition of the store is there exactly once, over
/// its rows, with one `y` block per vector.
pub fn order_partitions(
    store: &KeyStore,
    partitions: &mut [PartitionProved],
    vectors: usize,
) -> Result<()> {
    let listed = &store.manifest.partitions;
    partitions.sort_by_key(|p| p.proof.index);
    for (position, p) in partitions.iter().enumerate() {
        let index = p.proof.index;
        if position > 0 && partitions[position - 1].proof.index == index {
            return Err(Error::Input(format!("partition {index} appears twice")));
        }
        let Some(id) = listed.get(index as usize) else {
            return Err(Error::Input(format!(
                "partition {index} is not in the key store, which has {} partitions",
                listed.len()
            )));
        };
        let rows = id.row_end - id.row_start;
        if (p.proof.row_start, p.proof.row_end) != (id.row_start, id.row_end)
            || p.y.len() as u64 != rows * vectors as u64
        {
            return Err(Error::Input(format!(
                "partition {index}: rows {}..{} with {} outputs, the key store has rows {}..{} \
                 and {vectors} vectors",
                p.proof.row_start,
                p.proof.row_end,
                p.y.len(),
                id.row_start,
                id.row_end
            )));
        }
    }
    if partitions.len() != listed.len() {
        let have: std::collections::HashSet<u32> =
            partitions.iter().map(|p| p.proof.index).collect();
        let missing: Vec<String> = (0..listed.len() as u32)
            .filter(|i| !have.contains(i))
            .map(|i| i.to_string())
            .collect();
        return Err(Error::Input(format!(
            "partitions missing from the job: {}",
            missing.join(", ")
        )));
    }
    Ok(())
}

/// A job assembled and verified on the reduce side.
#[derive(Debug)]
pub struct Reduced {
    pub bundle: zkmr_proto::Bundle,
    pub verified: Verified,
    pub commitment: [u8; 32],
    /// A bound on `y`'s rounding error against the unrounded inputs.
    pub y_error_bound: f64,
}

impl Reduced {
    /// `Y = A X`, decoded, vector after vector.
    pub fn y(&self) -> Vec<f64> {
        decode_all(&self.verified.y, self.verified.y_scale_bits)
    }
}
