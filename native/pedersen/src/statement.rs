//! What the Pedersen scheme publishes, and how it is hashed.
//!
//! - The **matrix commitment** hashes the shape, the encoding, the partitioning, the
//!   generators' tag (through the digest domain) and the digest of the matrix key
//!   `C_0 .. C_{n-1}`: the only commitments to `A` there are. Jobs, batches, openings and chain
//!   steps are all checked against these points, which is why one commitment cannot be opened
//!   two ways (`docs/pedersen.md`, section 4).
//! - The **job root** is a Merkle root over one leaf per partition binding its index, rows,
//!   the digest of `x` and the digest of its `y` block, hashed with the leaf count, the matrix
//!   commitment, the number of vectors and `x`'s encoding, so a partition's result can be shown
//!   alone with an inclusion path.

use zkmr_math::fixed_point::FixedPoint;

use zkmr_scheme::digest::u64s;
pub use zkmr_scheme::digest::PartitionId;

use super::transcript::{digest, DOMAIN};

/// Everything besides the matrix key that the matrix commitment binds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatrixHeader {
    pub rows: u64,
    pub cols: u64,
    pub encoding: FixedPoint,
    pub rows_per_partition: u32,
}

/// The digest of the matrix key (encoded `C_j`) the matrix commitment binds.
pub fn matrix_key_digest(columns: &[u8]) -> [u8; 32] {
    digest("matrix-key", &[columns])
}

/// The matrix commitment over the header, the partition count and the matrix key (encoded
/// `C_j`).
pub fn matrix_commitment(header: &MatrixHeader, partitions: usize, columns: &[u8]) -> [u8; 32] {
    digest(
        "matrix-v2",
        &[
            &u64s(&[
                header.rows,
                header.cols,
                header.encoding.scale_bits as u64,
                header.encoding.value_bits as u64,
                header.rows_per_partition as u64,
                partitions as u64,
            ]),
            &matrix_key_digest(columns),
        ],
    )
}

/// Digest of the vectors `x` (all of a batch, one after another).
pub fn vectors_digest(x: &[i64]) -> [u8; 32] {
    DOMAIN.vectors_digest(x)
}

/// A partition's job leaf.
pub fn job_leaf(p: &PartitionId, x_digest: &[u8; 32], y_block: &[i128]) -> [u8; 32] {
    DOMAIN.job_leaf(p, x_digest, y_block)
}

/// The job root over the partitions' leaves, in partition order.
pub fn job_root(
    commitment: &[u8; 32],
    vectors: usize,
    x_encoding: FixedPoint,
    leaves: &[[u8; 32]],
) -> [u8; 32] {
    DOMAIN.job_root(commitment, vectors, x_encoding, leaves)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitment_binds_header_partitioning_and_key() {
        let header = MatrixHeader {
            rows: 4,
            cols: 3,
            encoding: FixedPoint::new(0, 32).unwrap(),
            rows_per_partition: 2,
        };
        let columns = [7u8; 192];
        let c = matrix_commitment(&header, 2, &columns);
        let mut other_columns = columns;
        other_columns[5] ^= 1;
        assert_ne!(c, matrix_commitment(&header, 2, &other_columns));
        assert_ne!(c, matrix_commitment(&header, 1, &columns));
        let scaled = MatrixHeader {
            encoding: FixedPoint::new(1, 32).unwrap(),
            ..header
        };
        assert_ne!(c, matrix_commitment(&scaled, 2, &columns));
        let repartitioned = MatrixHeader {
            rows_per_partition: 4,
            ..header
        };
        assert_ne!(c, matrix_commitment(&repartitioned, 2, &columns));
    }
}
