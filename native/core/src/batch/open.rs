//! One input of a batch shown alone (docs/batches.md, "One input's own check"): the chunk that
//! holds it and the Merkle path from the chunk's leaf to the batch root. Its owner checks
//! `y_i = A x_i` and the input's place under a root published after a full verification,
//! without the other chunks.

use std::io::Read;

use prost::Message;
use zkmr_math::merkle;
use zkmr_proto::BatchInputOpening;

use super::file::BatchReader;
use super::root::{chunk_leaf, node, root_over};
use crate::error::{Error, Result};
use crate::verify::{check_x, rejected_in, verify, Expected};

/// The first bytes of every input opening.
pub const INPUT_MAGIC: &[u8; 8] = b"zkmrinp1";

/// What a verified input opening proves: input `input` of a batch of `inputs` inputs in
/// `chunks` chunks under `root` is `x`, and `A x` is `y`.
#[derive(Clone, Debug)]
pub struct InputVerified {
    pub input: u64,
    /// The chunk that holds the input, and the input's place in it.
    pub chunk: u32,
    pub in_chunk: usize,
    pub chunks: u32,
    pub inputs: u64,
    pub root: [u8; 32],
    /// The input, encoded at `x_encoding`, and the digest of the chunk's encoded inputs.
    pub x: Vec<i64>,
    pub x_encoding: zkmr_math::fixed_point::FixedPoint,
    pub chunk_x_digest: [u8; 32],
    /// `A x`, encoded at scale `2^y_scale_bits`.
    pub y: Vec<i128>,
    pub y_scale_bits: u32,
    pub scheme: crate::Scheme,
    pub srs_unsafe: bool,
}

fn rejected(reason: impl Into<String>) -> Error {
    Error::rejected_bundle(reason)
}

/// Reads the batch `reader` reads and shows input `input` alone: the chunk holding it and its
/// path. The leaves are the job roots the chunks state, unverified: whoever checks the
/// opening verifies its chunk, and a root only means something once a full verification of
/// the batch accepted it.
pub fn open_input<R: Read>(reader: &mut BatchReader<R>, input: u64) -> Result<BatchInputOpening> {
    let commitment = reader.claimed_commitment().to_vec();
    let mut leaves = Vec::new();
    let mut held = None;
    while let Some(chunk) = reader.next_chunk()? {
        let bundle = chunk.bundle.as_ref().ok_or_else(|| {
            Error::Format(format!(
                "{}: chunk {} has no bundle",
                reader.origin(),
                chunk.index
            ))
        })?;
        let count = u64::from(bundle.vectors.max(1));
        let job_root: [u8; 32] = bundle.job_root.as_slice().try_into().map_err(|_| {
            Error::Format(format!(
                "{}: chunk {}'s job root is not 32 bytes",
                reader.origin(),
                chunk.index
            ))
        })?;
        leaves.push(chunk_leaf(chunk.index, chunk.first, count, &job_root));
        if (chunk.first..chunk.first.saturating_add(count)).contains(&input) {
            held = Some((leaves.len() - 1, chunk));
        }
    }
    let trailer = reader
        .trailer()
        .cloned()
        .ok_or_else(|| Error::Format(format!("{}: no trailer", reader.origin())))?;
    let (position, chunk) = held.ok_or_else(|| {
        Error::Usage(format!(
            "the batch holds inputs 0..{}; there is no input {input}",
            trailer.inputs
        ))
    })?;
    let path = merkle::path(&leaves, position, node)
        .into_iter()
        .map(|hash| hash.to_vec())
        .collect();
    Ok(BatchInputOpening {
        version: zkmr_proto::INPUT_OPENING_VERSION,
        matrix_commitment: commitment,
        chunks: trailer.chunks,
        inputs: trailer.inputs,
        input,
        chunk: Some(chunk),
        path,
    })
}

/// The opening as a file's bytes: the magic word, then the message.
pub fn encode_input_opening(opening: &BatchInputOpening) -> Vec<u8> {
    let mut bytes = INPUT_MAGIC.to_vec();
    opening.encode(&mut bytes).expect("a Vec grows as needed");
    bytes
}

/// Reads an input opening's file bytes; only the canonical encoding is taken, so every byte is
/// bound by the check. Bytes that are not one are [`Error::Format`], not a rejection.
pub fn read_input_opening(bytes: &[u8], what: &str) -> Result<BatchInputOpening> {
    let body = bytes
        .strip_prefix(INPUT_MAGIC.as_slice())
        .ok_or_else(|| Error::Format(format!("{what}: not an input opening (no zkmrinp1)")))?;
    let opening = BatchInputOpening::decode(body)
        .map_err(|e| Error::Format(format!("{what}: not an input opening: {e}")))?;
    if opening.encode_to_vec() != body {
        return Err(Error::Format(format!(
            "{what}: not a canonically encoded input opening"
        )));
    }
    if opening.version != zkmr_proto::INPUT_OPENING_VERSION {
        return Err(Error::Format(format!(
            "{what}: input opening version {} is not the supported {}",
            opening.version,
            zkmr_proto::INPUT_OPENING_VERSION
        )));
    }
    Ok(opening)
}

/// Checks `opening` for the matrix behind `trusted`: its chunk verifies with the scheme's
/// verifier, the input lies in the chunk and the chunk in the batch, and the chunk's leaf and
/// path lead to the root the verdict states (which the caller compares with a published one).
pub fn verify_input(opening: &BatchInputOpening, trusted: &[u8; 32]) -> Result<InputVerified> {
    if opening.matrix_commitment != trusted {
        return Err(rejected(format!(
            "the opening is for matrix {}, not the trusted commitment {}",
            hex::encode(&opening.matrix_commitment),
            hex::encode(trusted)
        )));
    }
    let chunk = opening
        .chunk
        .as_ref()
        .ok_or_else(|| rejected("the opening holds no chunk"))?;
    let bundle = chunk
        .bundle
        .as_ref()
        .ok_or_else(|| rejected(format!("chunk {}: no bundle", chunk.index)))?;
    let verified =
        verify(bundle, trusted).map_err(|e| super::in_chunk(chunk.index, chunk.first, e))?;
    let count = verified.vectors as u64;
    let input = opening.input;
    if chunk.index >= opening.chunks {
        return Err(rejected(format!(
            "chunk {} is not in a batch of {} chunks",
            chunk.index, opening.chunks
        )));
    }
    if !(chunk.first..chunk.first.saturating_add(count)).contains(&input) {
        return Err(rejected(format!(
            "input {input} is not in chunk {}, which holds inputs {}..{}",
            chunk.index,
            chunk.first,
            chunk.first.saturating_add(count)
        )));
    }
    if chunk.first.saturating_add(count) > opening.inputs {
        return Err(rejected(format!(
            "chunk {} ends at input {}, past the batch's {} inputs",
            chunk.index,
            chunk.first.saturating_add(count),
            opening.inputs
        )));
    }
    let depth = merkle::depth(opening.chunks as usize);
    if opening.path.len() != depth {
        return Err(rejected(format!(
            "the path has {} hashes; a batch of {} chunks takes {depth}",
            opening.path.len(),
            opening.chunks
        )));
    }
    let path = opening
        .path
        .iter()
        .enumerate()
        .map(|(level, hash)| {
            <[u8; 32]>::try_from(hash.as_slice())
                .map_err(|_| rejected(format!("path hash {level} is not 32 bytes")))
        })
        .collect::<Result<Vec<_>>>()?;
    let leaf = chunk_leaf(chunk.index, chunk.first, count, &verified.job_root);
    let tree_root = merkle::root_from(leaf, chunk.index as usize, &path, node);
    let root = root_over(
        trusted,
        u64::from(opening.chunks),
        opening.inputs,
        &tree_root,
    );
    let at = (input - chunk.first) as usize;
    let cols = verified.x.len() / verified.vectors.max(1);
    let rows = verified.y.len() / verified.vectors.max(1);
    Ok(InputVerified {
        input,
        chunk: chunk.index,
        in_chunk: at,
        chunks: opening.chunks,
        inputs: opening.inputs,
        root,
        x: verified.x[at * cols..(at + 1) * cols].to_vec(),
        x_encoding: verified.x_encoding,
        chunk_x_digest: verified.x_digest,
        y: verified.y[at * rows..(at + 1) * rows].to_vec(),
        y_scale_bits: verified.y_scale_bits,
        scheme: verified.scheme,
        srs_unsafe: verified.srs_unsafe,
    })
}

/// [`verify_input`], then what the input's owner `expected`: their `x` (one vector) and the
/// batch root they trust. The verdict names the input at fault.
pub fn verify_input_expecting(
    opening: &BatchInputOpening,
    trusted: &[u8; 32],
    expected: &Expected,
) -> Result<InputVerified> {
    let v = verify_input(opening, trusted)?;
    check_x(&v.x, 1, v.x_encoding, v.x.len(), expected)
        .map_err(|e| rejected_in(&format!("input {}", v.input), e))?;
    match expected.job_root {
        Some(root) if root != v.root => Err(rejected(format!(
            "the opening leads to batch root {}, not the one expected",
            hex::encode(v.root)
        ))),
        _ => Ok(v),
    }
}
