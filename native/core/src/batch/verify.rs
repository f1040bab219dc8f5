//! Verifying a batch: every chunk with its scheme's verifier, a window of chunks at a time in
//! parallel, then the root recomputed from what the chunks verified as.

use std::io::Read;

use rayon::prelude::*;
use zkmr_proto::BatchChunk;

use super::file::BatchReader;
use super::root::{batch_root, chunk_leaf};
use crate::error::{Error, Result};
use crate::expected::Verified;
use crate::verify::{rejected_in, verify};

/// One chunk, verified, in its place in the batch.
#[derive(Clone, Debug)]
pub struct VerifiedChunk {
    pub index: u32,
    /// The batch's index of the chunk's first input.
    pub first: u64,
    pub verified: Verified,
}

/// What a verified batch proves: `y_i = A x_i` for its `inputs` inputs, under `root`.
#[derive(Clone, Copy, Debug)]
pub struct BatchVerified {
    pub chunks: u32,
    pub inputs: u64,
    pub root: [u8; 32],
    /// Some chunk was made under the development SRS (halo2): the batch proves nothing.
    pub srs_unsafe: bool,
}

fn rejected(reason: String) -> Error {
    Error::Rejected {
        partition: None,
        reason,
    }
}

/// `e`, found in chunk `index` (whose inputs start at `first`), as the batch's rejection.
pub fn in_chunk(index: u32, first: u64, e: Error) -> Error {
    rejected_in(&format!("chunk {index} (inputs from {first})"), e)
}

/// Verifies the batch `reader` reads for the matrix behind `trusted`, handing each verified
/// chunk to `on_chunk` in order (to check its `x` against the caller's inputs, or to read its
/// `y`). Anything wrong with the proof, a chunk's bytes included, is a rejection naming the
/// chunk.
pub fn verify_batch<R: Read>(
    reader: &mut BatchReader<R>,
    trusted: &[u8; 32],
    mut on_chunk: impl FnMut(&VerifiedChunk) -> Result<()>,
) -> Result<BatchVerified> {
    if reader.claimed_commitment() != trusted {
        return Err(rejected(format!(
            "the batch is for matrix {}, not the trusted commitment {}",
            hex::encode(reader.claimed_commitment()),
            hex::encode(trusted)
        )));
    }
    let window = rayon::current_num_threads().max(1) * 2;
    let mut leaves = Vec::new();
    let mut inputs = 0u64;
    let mut srs_unsafe = false;
    loop {
        let mut read = Vec::with_capacity(window);
        while read.len() < window {
            match reader.next_chunk().map_err(|e| rejected(e.to_string()))? {
                Some(chunk) => read.push(chunk),
                None => break,
            }
        }
        let done = read.len() < window;
        let checked: Vec<Result<VerifiedChunk>> = read
            .into_par_iter()
            .map(|c| verify_chunk(c, trusted))
            .collect();
        for chunk in checked {
            let chunk = chunk?;
            let expected_index = leaves.len() as u32;
            if chunk.index != expected_index || chunk.first != inputs {
                return Err(rejected(format!(
                    "chunk {expected_index} (inputs from {inputs}) is out of place: the proof \
                     holds chunk {} from input {} there",
                    chunk.index, chunk.first
                )));
            }
            let count = chunk.verified.vectors as u64;
            leaves.push(chunk_leaf(
                chunk.index,
                chunk.first,
                count,
                &chunk.verified.job_root,
            ));
            inputs += count;
            srs_unsafe |= chunk.verified.srs_unsafe;
            on_chunk(&chunk)?;
        }
        if done {
            break;
        }
    }
    let trailer = reader
        .trailer()
        .ok_or_else(|| rejected(format!("{}: no trailer", reader.origin())))?;
    if leaves.is_empty() {
        return Err(rejected("the batch has no chunks".into()));
    }
    let root = batch_root(trusted, inputs, &leaves);
    if trailer.chunks as usize != leaves.len() || trailer.inputs != inputs {
        return Err(rejected(format!(
            "the trailer states {} chunks and {} inputs, but the proof holds {} and {inputs}",
            trailer.chunks,
            trailer.inputs,
            leaves.len()
        )));
    }
    if trailer.root != root {
        return Err(rejected(format!(
            "the trailer's root {} is not the root of the chunks, {}",
            hex::encode(&trailer.root),
            hex::encode(root)
        )));
    }
    Ok(BatchVerified {
        chunks: leaves.len() as u32,
        inputs,
        root,
        srs_unsafe,
    })
}

/// One chunk's bundle, verified by its scheme against the trusted commitment.
fn verify_chunk(chunk: BatchChunk, trusted: &[u8; 32]) -> Result<VerifiedChunk> {
    let bundle = chunk
        .bundle
        .ok_or_else(|| rejected(format!("chunk {}: no bundle", chunk.index)))?;
    let verified = verify(&bundle, trusted).map_err(|e| in_chunk(chunk.index, chunk.first, e))?;
    Ok(VerifiedChunk {
        index: chunk.index,
        first: chunk.first,
        verified,
    })
}
