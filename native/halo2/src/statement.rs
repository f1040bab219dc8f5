//! The public values of the statement and how they are hashed.
//!
//! - The **matrix commitment** binds the matrix: a Merkle root over one leaf per partition,
//!   `H(MATRIX_LEAF, index, row_start, row_end, key_digest)`, hashed with the SRS digest and
//!   every dimension and encoding parameter. The key digest ([`crate::keys::key_digest`])
//!   hashes the verifying key, whose fixed commitments commit to the partition's block of `A`.
//! - The **job root** binds one computation: a Merkle root over
//!   `H(JOB_LEAF, index, row_start, row_end, key_digest, digest(x), digest(y_block))`, hashed
//!   with the leaf count, the matrix commitment and `x`'s encoding.
//! - The **outputs digest** binds the whole `y` for an aggregated proof: a Merkle root over
//!   the blocks' digests, hashed with the length of `y`. A tree rather than one sponge, so
//!   that an aggregation tree can build it from its subtrees.
//!
//! Each hash starts with a distinct tag, so no value of one kind can stand for another.

use rayon::prelude::*;

use crate::merkle::MerkleTree;
use crate::poseidon::hash;
use zkmr_math::field::{from_i128, from_i64, F};
use zkmr_math::fixed_point::FixedPoint;

pub const MATRIX_LEAF: u64 = 1;
pub const MATRIX_COMMITMENT: u64 = 2;
pub const JOB_LEAF: u64 = 3;
pub const JOB_ROOT: u64 = 4;
pub const VECTOR: u64 = 5;
pub const OUTPUT: u64 = 6;
/// Tag of a partition's key digest ([`crate::keys::key_digest`]).
pub const KEY_TAG: u64 = 7;
pub const OUTPUTS: u64 = 8;

/// Everything besides the keys that the matrix commitment binds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatrixHeader {
    pub rows: u64,
    pub cols: u64,
    pub encoding: FixedPoint,
    pub rows_per_partition: u32,
    pub fold: u32,
    pub k: u32,
    pub srs_digest: F,
}

/// Where a partition sits and which key proves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartitionId {
    pub index: u32,
    pub row_start: u64,
    pub row_end: u64,
    pub key_digest: F,
}

pub fn matrix_leaf(p: &PartitionId) -> F {
    hash(&[
        F::from(MATRIX_LEAF),
        F::from(p.index as u64),
        F::from(p.row_start),
        F::from(p.row_end),
        p.key_digest,
    ])
}

pub fn matrix_commitment(header: &MatrixHeader, partitions: &[PartitionId]) -> F {
    let leaves: Vec<F> = partitions.iter().map(matrix_leaf).collect();
    hash(&[
        F::from(MATRIX_COMMITMENT),
        MerkleTree::new(&leaves).root(),
        F::from(partitions.len() as u64),
        header.srs_digest,
        F::from(header.rows),
        F::from(header.cols),
        F::from(header.encoding.scale_bits as u64),
        F::from(header.encoding.value_bits as u64),
        F::from(header.rows_per_partition as u64),
        F::from(header.fold as u64),
        F::from(header.k as u64),
    ])
}

/// Digest of `x` (its length included).
pub fn vector_digest(x: &[i64]) -> F {
    let mut input = vec![F::from(VECTOR), F::from(x.len() as u64)];
    input.extend(x.iter().map(|v| from_i64(*v)));
    hash(&input)
}

/// Digest of a `y` block (its length included).
pub fn output_digest(y: &[i128]) -> F {
    let mut input = vec![F::from(OUTPUT), F::from(y.len() as u64)];
    input.extend(y.iter().map(|v| from_i128(*v)));
    hash(&input)
}

/// Digest of the whole `y`, from its blocks in partition order. The block digests are
/// independent and are most of the work (every verifier of `y` pays it), so they are hashed
/// in parallel.
pub fn outputs_digest<'a>(y_blocks: impl IntoIterator<Item = &'a [i128]>) -> F {
    let blocks: Vec<&[i128]> = y_blocks.into_iter().collect();
    let len: u64 = blocks.iter().map(|block| block.len() as u64).sum();
    let leaves: Vec<F> = blocks
        .par_iter()
        .map(|block| output_digest(block))
        .collect();
    hash(&[
        F::from(OUTPUTS),
        F::from(len),
        MerkleTree::new(&leaves).root(),
    ])
}

pub fn job_leaf(p: &PartitionId, x_digest: F, y_block: &[i128]) -> F {
    hash(&[
        F::from(JOB_LEAF),
        F::from(p.index as u64),
        F::from(p.row_start),
        F::from(p.row_end),
        p.key_digest,
        x_digest,
        output_digest(y_block),
    ])
}

/// The job root of partitions `ids` with their `y` blocks, in partition order.
pub fn job_root_of<'a>(
    matrix_commitment: F,
    x: &[i64],
    x_encoding: FixedPoint,
    ids: &[PartitionId],
    y_blocks: impl IntoIterator<Item = &'a [i128]>,
) -> F {
    let x_digest = vector_digest(x);
    let leaves: Vec<F> = ids
        .iter()
        .zip(y_blocks)
        .map(|(id, y)| job_leaf(id, x_digest, y))
        .collect();
    job_root(matrix_commitment, x_encoding, &leaves).root
}

/// The job root over already computed leaves, in partition order.
pub fn job_root(matrix_commitment: F, x_encoding: FixedPoint, leaves: &[F]) -> JobTree {
    let tree = MerkleTree::new(leaves);
    let root = hash(&[
        F::from(JOB_ROOT),
        tree.root(),
        F::from(leaves.len() as u64),
        matrix_commitment,
        F::from(x_encoding.scale_bits as u64),
        F::from(x_encoding.value_bits as u64),
    ]);
    JobTree { tree, root }
}

/// The job's Merkle tree and the root that publishes it.
#[derive(Clone, Debug)]
pub struct JobTree {
    pub tree: MerkleTree,
    pub root: F,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(index: u32) -> PartitionId {
        PartitionId {
            index,
            row_start: index as u64 * 4,
            row_end: index as u64 * 4 + 4,
            key_digest: F::from(1000 + index as u64),
        }
    }

    #[test]
    fn leaves_bind_every_field() {
        let base = job_leaf(&id(0), F::from(1), &[5, 6]);
        let mut moved = id(0);
        moved.row_start += 1;
        assert_ne!(base, job_leaf(&moved, F::from(1), &[5, 6]));
        assert_ne!(base, job_leaf(&id(1), F::from(1), &[5, 6]));
        assert_ne!(base, job_leaf(&id(0), F::from(2), &[5, 6]));
        assert_ne!(base, job_leaf(&id(0), F::from(1), &[5, 7]));
        assert_ne!(base, job_leaf(&id(0), F::from(1), &[5, 6, 0]));
    }

    #[test]
    fn commitment_binds_header() {
        let header = MatrixHeader {
            rows: 8,
            cols: 3,
            encoding: FixedPoint::new(0, 32).unwrap(),
            rows_per_partition: 4,
            fold: 1,
            k: 5,
            srs_digest: F::from(9),
        };
        let parts = [id(0), id(1)];
        let c = matrix_commitment(&header, &parts);
        let other_srs = MatrixHeader {
            srs_digest: F::from(10),
            ..header
        };
        assert_ne!(c, matrix_commitment(&other_srs, &parts));
        assert_ne!(c, matrix_commitment(&header, &parts[..1]));
        assert_ne!(c, matrix_commitment(&header, &[id(1), id(0)]));
    }
}
