//! A scheme's prover over an open key store: what the job layer proves through.

use std::fmt;
use std::sync::Arc;

use rayon::prelude::*;
use zkmr_math::error::{Error, Result};
use zkmr_math::product::Multiplicand;
use zkmr_math::sparse::Block;

use crate::digest::PartitionId;
use crate::expected::Verified;
use crate::id::Scheme;
use crate::vectors::Vectors;

/// A partition proved by one task: its `y` blocks and what its scheme sends to the reducer.
#[derive(Clone, Debug)]
pub struct PartitionProved {
    /// One block of the partition's rows per vector, vector after vector.
    pub y: Vec<i128>,
    /// The scheme's partition message; its `y` field is filled in when the bundle is made.
    pub proof: zkmr_proto::PartitionProof,
    /// Where it was proved ("cpu", "cuda") and how long it took: reported, never bundled.
    pub device: String,
    pub seconds: f64,
}

/// A bundle as a prover assembled it, and the prover's own check of it: an error there is the
/// rejection the scheme's verifier would give (naming the partition where it can), so a job
/// can trace it and never hands out a `y` that does not verify.
#[derive(Debug)]
pub struct Assembled {
    pub bundle: zkmr_proto::Bundle,
    pub checked: Result<Verified>,
}

/// A scheme's prover over an open key store: proves partitions where the rows are and
/// combines them where they meet. Implementations check nothing the job layer checks (that
/// a task's rows are the committed block, that each partition comes once).
pub trait Prover: Send + Sync + fmt::Debug {
    fn scheme(&self) -> Scheme;

    /// Whether outputs made with this store are insecure (the development SRS).
    fn is_unsafe(&self) -> bool;

    /// The committed block of partition `index`, in the form the store keeps it.
    fn block(&self, index: u32) -> Result<Arc<Block>>;

    /// Proves partition `index` for `x`.
    fn prove_partition(&self, index: u32, x: &Vectors) -> Result<PartitionProved>;

    /// Proves partitions `0..count` for `x` in parallel, in partition order, calling `done`
    /// with each index as it is proved. A scheme whose partitions would each redo the same work
    /// over `x` does it once here.
    fn prove_partitions(
        &self,
        count: u32,
        x: &Vectors,
        done: &(dyn Fn(u32) + Sync),
    ) -> Result<Vec<PartitionProved>> {
        each_partition(count, done, |index| self.prove_partition(index, x))
    }

    /// Puts every partition, proved for `x`, into a bundle with its job root, and checks it as
    /// the scheme's verifier would, against the store's own commitment; `partitions` come in
    /// partition order, each once, from this process or from tasks nobody vouches for.
    fn assemble(&self, x: &Vectors, partitions: Vec<PartitionProved>) -> Result<Assembled>;

    /// The key digest of partition `index` (its matrix-commitment leaf's key), as bytes;
    /// `None` under a scheme with one key for the whole matrix.
    fn key_digest(&self, index: u32) -> Result<Option<[u8; 32]>>;

    /// The job leaf of partition `index` proved for `x` with outputs `y`.
    fn job_leaf(&self, index: u32, x: &Vectors, y: &[i128]) -> Result<[u8; 32]>;

    /// Shows partition `index` of `bundle`, which has verified against this store, on its own
    /// (the Pedersen scheme's partition opening); a scheme without openings says so.
    fn open_partition(
        &self,
        bundle: &zkmr_proto::Bundle,
        index: u32,
    ) -> Result<zkmr_proto::PartitionOpening>;

    /// Whether each of partitions `indices` in `bundle` passes that partition's own check,
    /// with what the store holds; `None` where the scheme's verifier names a failing
    /// partition itself.
    fn partitions_hold(
        &self,
        bundle: &zkmr_proto::Bundle,
        indices: &[u32],
    ) -> Result<Option<Vec<bool>>>;
}

/// [`Prover::partitions_hold`] for a scheme whose partitions carry `y` only and whose store
/// holds `A`: partition `index` holds when its `y` block is the exact product of its rows
/// (`product(index, x)`). `commitment` and `ids` are the store's; a bundle of another store, an
/// index outside it or an `x` of the wrong length is an error.
pub fn products_hold(
    bundle: &zkmr_proto::Bundle,
    (scheme, commitment, ids, cols): (Scheme, &[u8; 32], &[PartitionId], usize),
    indices: &[u32],
    product: impl Fn(u32, &Multiplicand<'_>) -> Result<Vec<i128>>,
) -> Result<Option<Vec<bool>>> {
    if bundle.scheme != scheme.to_proto() || bundle.matrix_commitment != commitment {
        return Err(Error::Usage(
            "the bundle was not proved from this key store".into(),
        ));
    }
    if let Some(index) = indices.iter().find(|i| **i as usize >= ids.len()) {
        return Err(Error::Usage(format!(
            "partition {index} is not in the key store, which has {} partitions",
            ids.len()
        )));
    }
    let vectors = bundle.vectors.max(1) as usize;
    if bundle.x.len() != vectors * cols || bundle.partitions.len() != ids.len() {
        return Err(Error::rejected_bundle(
            "x or the partition list does not fit the matrix",
        ));
    }
    let xs = Multiplicand::new(&bundle.x, vectors);
    indices
        .iter()
        .map(|index| {
            let id = ids[*index as usize];
            let p = &bundle.partitions[*index as usize];
            if (p.index, p.row_start, p.row_end) != (id.index, id.row_start, id.row_end) {
                return Ok(false);
            }
            let y = crate::bundle::partition_y(bundle.version, &p.y, "y")?;
            Ok(y == product(*index, &xs)?)
        })
        .collect::<Result<_>>()
        .map(Some)
}

/// `prove(index)` for partitions `0..count` in parallel, in partition order, calling `done` with
/// each index as it is proved: what [`Prover::prove_partitions`] does, whatever it shares.
pub fn each_partition(
    count: u32,
    done: &(dyn Fn(u32) + Sync),
    prove: impl Fn(u32) -> Result<PartitionProved> + Sync,
) -> Result<Vec<PartitionProved>> {
    (0..count)
        .into_par_iter()
        .map(|index| {
            let proved = prove(index)?;
            done(index);
            Ok(proved)
        })
        .collect()
}
