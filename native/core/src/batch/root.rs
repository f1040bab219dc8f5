//! The batch root: a BLAKE3 Merkle tree over the chunks' leaves, bound to the commitment and
//! the chunk and input counts. Every label has the same length and every field a fixed width,
//! so no two different statements hash the same bytes.

use zkmr_math::merkle;

fn hash(label: &[u8; 18], items: &[&[u8]]) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(label);
    for item in items {
        h.update(item);
    }
    *h.finalize().as_bytes()
}

/// Chunk `index`'s leaf: its place in the batch (`first`, `count` inputs) and the job root its
/// verified bundle states, which binds the chunk's `x` and `y`.
pub fn chunk_leaf(index: u32, first: u64, count: u64, job_root: &[u8; 32]) -> [u8; 32] {
    hash(
        b"zkmr-batch-leaf-v1",
        &[
            &u64::from(index).to_le_bytes(),
            &first.to_le_bytes(),
            &count.to_le_bytes(),
            job_root,
        ],
    )
}

/// A node of the tree over the chunks' leaves.
pub(super) fn node(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    hash(b"zkmr-batch-node-v1", &[left, right])
}

/// The root of a batch of `inputs` inputs in `leaves.len()` chunks, for the matrix behind
/// `commitment`.
pub fn batch_root(commitment: &[u8; 32], inputs: u64, leaves: &[[u8; 32]]) -> [u8; 32] {
    root_over(
        commitment,
        leaves.len() as u64,
        inputs,
        &merkle::root(leaves, node),
    )
}

/// The batch root of `chunks` chunks and `inputs` inputs whose leaves' Merkle root is
/// `tree_root`: what one input's opening walks its path up to.
pub(super) fn root_over(
    commitment: &[u8; 32],
    chunks: u64,
    inputs: u64,
    tree_root: &[u8; 32],
) -> [u8; 32] {
    hash(
        b"zkmr-batch-root-v1",
        &[
            commitment,
            &chunks.to_le_bytes(),
            &inputs.to_le_bytes(),
            tree_root,
        ],
    )
}

/// The trailer of a batch whose chunks (`(count, job_root)` in the batch's order) were proved
/// elsewhere, for the matrix behind `commitment`: the counts and root a [`super::BatchWriter`]
/// writing the same chunks would state.
pub fn trailer(commitment: &[u8; 32], chunks: &[(u64, [u8; 32])]) -> zkmr_proto::BatchTrailer {
    let mut first = 0u64;
    let leaves: Vec<[u8; 32]> = chunks
        .iter()
        .enumerate()
        .map(|(index, (count, job_root))| {
            let leaf = chunk_leaf(index as u32, first, *count, job_root);
            first += count;
            leaf
        })
        .collect();
    zkmr_proto::BatchTrailer {
        chunks: chunks.len() as u32,
        inputs: first,
        root: batch_root(commitment, first, &leaves).to_vec(),
    }
}
