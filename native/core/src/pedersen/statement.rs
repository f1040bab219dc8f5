//! What the Pedersen scheme publishes, and how it is hashed.
//!
//! - A partition's **key digest** hashes its index, row range and column commitments
//!   `C_{p,0} .. C_{p,n-1}`.
//! - The **matrix commitment** hashes the shape, the encoding, the partition size, the
//!   generators' tag (through the transcript domain), the digest of the matrix key
//!   `C_0 .. C_{n-1}` and a Merkle root over the partitions' `(index, rows, key digest)`. A
//!   verifier holding it is bound to one matrix key, and through the partition leaves to the
//!   commitments a single partition is checked against.
//! - The **job root** is a Merkle root over one leaf per partition binding its index, rows,
//!   key digest, the digest of `x` and the digest of its `y` block, hashed with the leaf
//!   count, the matrix commitment, the number of vectors and `x`'s encoding: the same shape as
//!   the halo2 scheme's, so a partition's result can be shown alone with an inclusion path.

use crate::fixed_point::FixedPoint;

use super::transcript::{digest, digest_i128s, digest_i64s, merkle_root};

/// Everything besides the keys that the matrix commitment binds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub rows: u64,
    pub cols: u64,
    pub encoding: FixedPoint,
    pub rows_per_partition: u32,
}

/// Where a partition sits and the digest of its column commitments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartitionKeyId {
    pub index: u32,
    pub row_start: u64,
    pub row_end: u64,
    pub key_digest: [u8; 32],
}

fn u64s(values: &[u64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Digest of a partition's column commitments (encoded points, concatenated).
pub fn partition_key_digest(index: u32, row_start: u64, row_end: u64, columns: &[u8]) -> [u8; 32] {
    digest(
        "partition-key",
        &[&u64s(&[index as u64, row_start, row_end]), columns],
    )
}

/// A partition's leaf in the matrix commitment's Merkle tree.
pub fn matrix_leaf(p: &PartitionKeyId) -> [u8; 32] {
    digest(
        "matrix-leaf",
        &[
            &u64s(&[p.index as u64, p.row_start, p.row_end]),
            &p.key_digest,
        ],
    )
}

/// The matrix commitment over the header, the matrix key (encoded `C_j`) and the partitions.
pub fn matrix_commitment(
    header: &Header,
    columns: &[u8],
    partitions: &[PartitionKeyId],
) -> [u8; 32] {
    let leaves: Vec<[u8; 32]> = partitions.iter().map(matrix_leaf).collect();
    commitment_of(
        header,
        partitions.len(),
        &matrix_key_digest(columns),
        &merkle_root(&leaves),
    )
}

/// The digest of the matrix key (encoded `C_j`) the matrix commitment binds.
pub fn matrix_key_digest(columns: &[u8]) -> [u8; 32] {
    digest("matrix-key", &[columns])
}

/// The matrix commitment from its parts: the header, the partition count, the matrix key's
/// digest and the root over the partitions' leaves.
pub fn commitment_of(
    header: &Header,
    partitions: usize,
    key_digest: &[u8; 32],
    partitions_root: &[u8; 32],
) -> [u8; 32] {
    digest(
        "matrix",
        &[
            &u64s(&[
                header.rows,
                header.cols,
                header.encoding.scale_bits as u64,
                header.encoding.value_bits as u64,
                header.rows_per_partition as u64,
                partitions as u64,
            ]),
            key_digest,
            partitions_root,
        ],
    )
}

/// Digest of the vectors `x` (all of a batch, one after another).
pub fn vectors_digest(x: &[i64]) -> [u8; 32] {
    digest_i64s("x", x)
}

/// A partition's job leaf.
pub fn job_leaf(p: &PartitionKeyId, x_digest: &[u8; 32], y_block: &[i128]) -> [u8; 32] {
    digest(
        "job-leaf",
        &[
            &u64s(&[p.index as u64, p.row_start, p.row_end]),
            &p.key_digest,
            x_digest,
            &digest_i128s("y-block", y_block),
        ],
    )
}

/// The job root over the partitions' leaves, in partition order.
pub fn job_root(
    commitment: &[u8; 32],
    vectors: usize,
    x_encoding: FixedPoint,
    leaves: &[[u8; 32]],
) -> [u8; 32] {
    job_root_of(
        commitment,
        vectors,
        x_encoding,
        leaves.len(),
        &merkle_root(leaves),
    )
}

/// The job root from the Merkle root over its `count` leaves.
pub fn job_root_of(
    commitment: &[u8; 32],
    vectors: usize,
    x_encoding: FixedPoint,
    count: usize,
    leaves_root: &[u8; 32],
) -> [u8; 32] {
    digest(
        "job-root",
        &[
            leaves_root,
            &u64s(&[
                count as u64,
                vectors as u64,
                x_encoding.scale_bits as u64,
                x_encoding.value_bits as u64,
            ]),
            commitment,
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(index: u32) -> PartitionKeyId {
        PartitionKeyId {
            index,
            row_start: index as u64 * 2,
            row_end: index as u64 * 2 + 2,
            key_digest: [index as u8 + 1; 32],
        }
    }

    #[test]
    fn commitment_binds_header_key_and_partitions() {
        let header = Header {
            rows: 4,
            cols: 3,
            encoding: FixedPoint::new(0, 32).unwrap(),
            rows_per_partition: 2,
        };
        let columns = [7u8; 192];
        let parts = [id(0), id(1)];
        let c = matrix_commitment(&header, &columns, &parts);
        let mut other_columns = columns;
        other_columns[5] ^= 1;
        assert_ne!(c, matrix_commitment(&header, &other_columns, &parts));
        assert_ne!(c, matrix_commitment(&header, &columns, &[id(1), id(0)]));
        assert_ne!(c, matrix_commitment(&header, &columns, &parts[..1]));
        let scaled = Header {
            encoding: FixedPoint::new(1, 32).unwrap(),
            ..header
        };
        assert_ne!(c, matrix_commitment(&scaled, &columns, &parts));
    }

    #[test]
    fn job_leaves_bind_every_field() {
        let base = job_leaf(&id(0), &[1; 32], &[5, 6]);
        assert_ne!(base, job_leaf(&id(1), &[1; 32], &[5, 6]));
        assert_ne!(base, job_leaf(&id(0), &[2; 32], &[5, 6]));
        assert_ne!(base, job_leaf(&id(0), &[1; 32], &[5, 7]));
        assert_ne!(base, job_leaf(&id(0), &[1; 32], &[5, 6, 0]));
    }
}
