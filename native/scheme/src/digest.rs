//! BLAKE3 digests under a scheme's domain tag: framed items, lists of words, Merkle trees over
//! 32-byte leaves, and the job root a bundle names its partitions by. BLAKE3, because nothing
//! here is replayed in a circuit and hashing `x` and `y` must never dominate a proof.
//!
//! Every item is framed by its length, after the domain tag and a label, so no sequence of
//! items reads as another and no two schemes' digests coincide.

use zkmr_math::fixed_point::FixedPoint;
use zkmr_math::merkle;
use zkmr_math::words::update_words;

/// A scheme's domain tag, under which all its digests are taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Domain(pub &'static str);

/// Where a partition sits: its index and row range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartitionId {
    pub index: u32,
    pub row_start: u64,
    pub row_end: u64,
}

/// Little-endian bytes of `values`, one 8-byte word each.
pub fn u64s(values: &[u64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

impl Domain {
    /// The digest of framed `items` under the tag and `label`.
    pub fn digest(self, label: &str, items: &[&[u8]]) -> [u8; 32] {
        *self.framed(label, items).finalize().as_bytes()
    }

    fn framed(self, label: &str, items: &[&[u8]]) -> blake3::Hasher {
        let mut h = blake3::Hasher::new();
        for item in [self.0.as_bytes(), label.as_bytes()].iter().chain(items) {
            h.update(&(item.len() as u64).to_le_bytes());
            h.update(item);
        }
        h
    }

    /// The digest of a list of words: its length, then the words as one framed item.
    fn digest_words<T: Copy, const N: usize>(
        self,
        label: &str,
        values: &[T],
        bytes: impl Fn(T) -> [u8; N],
    ) -> [u8; 32] {
        let mut h = self.framed(label, &[&(values.len() as u64).to_le_bytes()]);
        h.update(&((values.len() * N) as u64).to_le_bytes());
        update_words(&mut h, values, bytes);
        *h.finalize().as_bytes()
    }

    /// The digest of a list of signed integers.
    pub fn digest_i64s(self, label: &str, values: &[i64]) -> [u8; 32] {
        self.digest_words(label, values, i64::to_le_bytes)
    }

    /// The digest of a list of signed 128-bit integers.
    pub fn digest_i128s(self, label: &str, values: &[i128]) -> [u8; 32] {
        self.digest_words(label, values, i128::to_le_bytes)
    }

    /// The Merkle root over 32-byte leaves (see [`zkmr_math::merkle`]); the caller binds the
    /// leaf count in what it publishes.
    pub fn merkle_root(self, leaves: &[[u8; 32]]) -> [u8; 32] {
        merkle::root(leaves, |l, r| self.digest("node", &[l, r]))
    }

    /// The sibling hashes from leaf `index` up to the root of [`Self::merkle_root`]`(leaves)`.
    pub fn merkle_path(self, leaves: &[[u8; 32]], index: usize) -> Vec<[u8; 32]> {
        merkle::path(leaves, index, |l, r| self.digest("node", &[l, r]))
    }

    /// The root a leaf at `index` and its [`Self::merkle_path`] lead to.
    pub fn merkle_root_from(self, leaf: [u8; 32], index: usize, path: &[[u8; 32]]) -> [u8; 32] {
        merkle::root_from(leaf, index, path, |l, r| self.digest("node", &[l, r]))
    }

    /// Digest of the vectors `x` (all of a batch, one after another).
    pub fn vectors_digest(self, x: &[i64]) -> [u8; 32] {
        self.digest_i64s("x", x)
    }

    /// A partition's job leaf: its index and rows, the digest of `x` and of its `y` block.
    pub fn job_leaf(self, p: &PartitionId, x_digest: &[u8; 32], y_block: &[i128]) -> [u8; 32] {
        self.digest(
            "job-leaf",
            &[
                &u64s(&[p.index as u64, p.row_start, p.row_end]),
                x_digest,
                &self.digest_i128s("y-block", y_block),
            ],
        )
    }

    /// The job root over the partitions' leaves, in partition order, hashed with the leaf
    /// count, the number of vectors, `x`'s encoding and the matrix commitment.
    pub fn job_root(
        self,
        commitment: &[u8; 32],
        vectors: usize,
        x_encoding: FixedPoint,
        leaves: &[[u8; 32]],
    ) -> [u8; 32] {
        self.job_root_of(
            commitment,
            vectors,
            x_encoding,
            leaves.len(),
            &self.merkle_root(leaves),
        )
    }

    /// The job root from the Merkle root over its `count` leaves.
    pub fn job_root_of(
        self,
        commitment: &[u8; 32],
        vectors: usize,
        x_encoding: FixedPoint,
        count: usize,
        leaves_root: &[u8; 32],
    ) -> [u8; 32] {
        self.digest(
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
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Domain = Domain("test-v1");

    fn id(index: u32) -> PartitionId {
        PartitionId {
            index,
            row_start: index as u64 * 2,
            row_end: index as u64 * 2 + 2,
        }
    }

    #[test]
    fn words_hash_as_the_bytes_they_are_across_every_block_boundary() {
        for len in [0usize, 1, 1023, 1024, 1025, 2047, 2048, 2049, 5000] {
            let small: Vec<i64> = (0..len as i64).map(|v| v * -7919 + 3).collect();
            let wide: Vec<i128> = small.iter().map(|v| (*v as i128) << 70 | 5).collect();
            let small_bytes: Vec<u8> = small.iter().flat_map(|v| v.to_le_bytes()).collect();
            let wide_bytes: Vec<u8> = wide.iter().flat_map(|v| v.to_le_bytes()).collect();
            let count = (len as u64).to_le_bytes();
            assert_eq!(
                D.digest_i64s("x", &small),
                D.digest("x", &[&count, &small_bytes])
            );
            assert_eq!(
                D.digest_i128s("y", &wide),
                D.digest("y", &[&count, &wide_bytes])
            );
        }
    }

    #[test]
    fn domains_and_labels_separate_digests() {
        assert_ne!(
            D.digest("a", &[b"x"]),
            Domain("test-v2").digest("a", &[b"x"])
        );
        assert_ne!(D.digest("a", &[b"x"]), D.digest("b", &[b"x"]));
        assert_ne!(D.digest("a", &[b"xy"]), D.digest("a", &[b"x", b"y"]));
    }

    #[test]
    fn merkle_root_binds_order_and_count() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        assert_ne!(D.merkle_root(&[a, b]), D.merkle_root(&[b, a]));
        // Padding is why callers bind the count: three leaves and the same three with a
        // zero leaf share a root.
        assert_eq!(
            D.merkle_root(&[a, b, a]),
            D.merkle_root(&[a, b, a, [0; 32]])
        );
        assert_ne!(
            D.job_root(&[0; 32], 1, FixedPoint::new(0, 16).unwrap(), &[a, b, a]),
            D.job_root(
                &[0; 32],
                1,
                FixedPoint::new(0, 16).unwrap(),
                &[a, b, a, [0; 32]]
            )
        );
    }

    #[test]
    fn merkle_paths_lead_to_the_root_from_their_leaf_only() {
        for count in [1usize, 2, 3, 5, 8] {
            let leaves: Vec<[u8; 32]> = (0..count).map(|i| [i as u8 + 1; 32]).collect();
            let root = D.merkle_root(&leaves);
            for (i, leaf) in leaves.iter().enumerate() {
                let path = D.merkle_path(&leaves, i);
                assert_eq!(path.len(), merkle::depth(count));
                assert_eq!(D.merkle_root_from(*leaf, i, &path), root);
                assert_ne!(D.merkle_root_from([9; 32], i, &path), root);
                if count > 1 {
                    assert_ne!(D.merkle_root_from(*leaf, i ^ 1, &path), root);
                }
            }
        }
    }

    #[test]
    fn job_leaves_bind_every_field() {
        let base = D.job_leaf(&id(0), &[1; 32], &[5, 6]);
        assert_ne!(base, D.job_leaf(&id(1), &[1; 32], &[5, 6]));
        assert_ne!(base, D.job_leaf(&id(0), &[2; 32], &[5, 6]));
        assert_ne!(base, D.job_leaf(&id(0), &[1; 32], &[5, 7]));
        assert_ne!(base, D.job_leaf(&id(0), &[1; 32], &[5, 6, 0]));
    }
}
