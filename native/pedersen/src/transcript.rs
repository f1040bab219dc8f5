//! The Fiat–Shamir transcript and the scheme's digests: BLAKE3, which nothing here needs to
//! replay in a circuit, at several GB/s so hashing `x` and `y` never dominates.
//!
//! Every absorbed item is framed by its label and its length, so no sequence of items can be
//! read as another. A challenge is 64 bytes of the running hash's output reduced modulo the
//! group order (bias below 2^-250), and is itself absorbed before the transcript goes on.

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::FromUniformBytes;

use zkmr_math::merkle;
use zkmr_math::words::update_words;

use super::generators::TAG;

/// A running transcript.
#[derive(Clone)]
pub struct Transcript(blake3::Hasher);

impl Transcript {
    /// A transcript for one kind of statement (`label`), under the scheme's domain tag.
    pub fn new(label: &str) -> Self {
        let mut t = Self(blake3::Hasher::new());
        t.absorb("domain", TAG.as_bytes());
        t.absorb("statement", label.as_bytes());
        t
    }

    pub fn absorb(&mut self, label: &str, bytes: &[u8]) {
        self.frame(label, bytes.len());
        self.0.update(bytes);
    }

    /// An item's label and length, which its bytes then follow.
    fn frame(&mut self, label: &str, len: usize) {
        self.0.update(&(label.len() as u64).to_le_bytes());
        self.0.update(label.as_bytes());
        self.0.update(&(len as u64).to_le_bytes());
    }

    pub fn absorb_u64(&mut self, label: &str, v: u64) {
        self.absorb(label, &v.to_le_bytes());
    }

    /// Signed integers as 8-byte little-endian words.
    pub fn absorb_i64s(&mut self, label: &str, values: &[i64]) {
        self.frame(label, values.len() * 8);
        update_words(&mut self.0, values, i64::to_le_bytes);
    }

    /// Signed integers as 16-byte little-endian words.
    pub fn absorb_i128s(&mut self, label: &str, values: &[i128]) {
        self.frame(label, values.len() * 16);
        update_words(&mut self.0, values, i128::to_le_bytes);
    }

    /// A challenge scalar drawn from everything absorbed so far.
    pub fn challenge(&mut self, label: &str) -> Fr {
        let mut h = self.0.clone();
        h.update(b"challenge");
        h.update(label.as_bytes());
        let mut wide = [0u8; 64];
        h.finalize_xof().fill(&mut wide);
        self.absorb(label, &wide);
        Fr::from_uniform_bytes(&wide)
    }
}

/// A BLAKE3 digest of framed items under the domain tag and `label`.
pub fn digest(label: &str, items: &[&[u8]]) -> [u8; 32] {
    *framed(label, items).finalize().as_bytes()
}

fn framed(label: &str, items: &[&[u8]]) -> blake3::Hasher {
    let mut h = blake3::Hasher::new();
    for item in [TAG.as_bytes(), label.as_bytes()].iter().chain(items) {
        h.update(&(item.len() as u64).to_le_bytes());
        h.update(item);
    }
    h
}

/// The digest of a list of words: its length, then the words as one framed item.
fn digest_words<T: Copy, const N: usize>(
    label: &str,
    values: &[T],
    bytes: impl Fn(T) -> [u8; N],
) -> [u8; 32] {
    let mut h = framed(label, &[&(values.len() as u64).to_le_bytes()]);
    h.update(&((values.len() * N) as u64).to_le_bytes());
    update_words(&mut h, values, bytes);
    *h.finalize().as_bytes()
}

/// The digest of a list of signed integers.
pub fn digest_i64s(label: &str, values: &[i64]) -> [u8; 32] {
    digest_words(label, values, i64::to_le_bytes)
}

/// The digest of a list of signed 128-bit integers.
pub fn digest_i128s(label: &str, values: &[i128]) -> [u8; 32] {
    digest_words(label, values, i128::to_le_bytes)
}

/// A Merkle tree's node: the digest of its two children.
fn node(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    digest("node", &[left, right])
}

/// The Merkle root over 32-byte leaves (see [`zkmr_math::merkle`]); the caller binds the leaf
/// count in what it publishes.
pub fn merkle_root(leaves: &[[u8; 32]]) -> [u8; 32] {
    merkle::root(leaves, node)
}

/// The sibling hashes from leaf `index` up to the root of [`merkle_root`]`(leaves)`.
pub fn merkle_path(leaves: &[[u8; 32]], index: usize) -> Vec<[u8; 32]> {
    merkle::path(leaves, index, node)
}

/// The root a leaf at `index` and its [`merkle_path`] lead to.
pub fn merkle_root_from(leaf: [u8; 32], index: usize, path: &[[u8; 32]]) -> [u8; 32] {
    merkle::root_from(leaf, index, path, node)
}

/// The length of a [`merkle_path`] in a tree over `count` leaves.
pub fn merkle_depth(count: usize) -> usize {
    merkle::depth(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_depend_on_every_item_and_its_framing() {
        let challenge = |items: &[(&str, &[u8])]| {
            let mut t = Transcript::new("job");
            for (label, bytes) in items {
                t.absorb(label, bytes);
            }
            t.challenge("c")
        };
        let base = challenge(&[("x", b"ab"), ("y", b"c")]);
        assert_ne!(base, challenge(&[("x", b"a"), ("y", b"bc")]));
        assert_ne!(base, challenge(&[("x", b"ab"), ("z", b"c")]));
        assert_ne!(base, challenge(&[("x", b"ab")]));
        assert_eq!(base, challenge(&[("x", b"ab"), ("y", b"c")]));
        let mut t = Transcript::new("batch");
        t.absorb("x", b"ab");
        t.absorb("y", b"c");
        assert_ne!(base, t.challenge("c"));
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
                digest_i64s("x", &small),
                digest("x", &[&count, &small_bytes])
            );
            assert_eq!(
                digest_i128s("y", &wide),
                digest("y", &[&count, &wide_bytes])
            );
            let (mut streamed, mut whole) = (Transcript::new("job"), Transcript::new("job"));
            streamed.absorb_i64s("x", &small);
            streamed.absorb_i128s("y", &wide);
            whole.absorb("x", &small_bytes);
            whole.absorb("y", &wide_bytes);
            assert_eq!(streamed.challenge("c"), whole.challenge("c"), "{len} words");
        }
    }

    #[test]
    fn merkle_root_binds_order_and_count() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        assert_ne!(merkle_root(&[a, b]), merkle_root(&[b, a]));
        // Padding is why callers bind the count: three leaves and the same three with a
        // zero leaf share a root.
        assert_eq!(merkle_root(&[a, b, a]), merkle_root(&[a, b, a, [0; 32]]));
        assert_eq!(merkle_root(&[a, b]), merkle_root(&[a, b]));
    }

    #[test]
    fn merkle_paths_lead_to_the_root_from_their_leaf_only() {
        for count in [1usize, 2, 3, 5, 8] {
            let leaves: Vec<[u8; 32]> = (0..count).map(|i| [i as u8 + 1; 32]).collect();
            let root = merkle_root(&leaves);
            for (i, leaf) in leaves.iter().enumerate() {
                let path = merkle_path(&leaves, i);
                assert_eq!(path.len(), merkle_depth(count));
                assert_eq!(merkle_root_from(*leaf, i, &path), root);
                assert_ne!(merkle_root_from([9; 32], i, &path), root);
                if count > 1 {
                    assert_ne!(merkle_root_from(*leaf, i ^ 1, &path), root);
                }
            }
        }
    }
}
