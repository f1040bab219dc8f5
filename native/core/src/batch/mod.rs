//! Batches of any size: inputs proved in chunks, each an ordinary job bundle, tied in order by
//! a batch root (docs/batches.md has the statement and why it is sound).
//!
//! The prover holds one chunk at a time and the verifier a window of chunks, so neither grows
//! with the batch: [`BatchWriter`] writes a batch proof chunk by chunk, [`BatchReader`] reads
//! one back, and [`verify_batch`] checks every chunk with its scheme's verifier and recomputes
//! the root. [`open_input`] shows one input alone, with its chunk and Merkle path, and
//! [`verify_input`] is its owner's check.

mod file;
mod open;
mod prove;
mod root;
mod verify;

pub use file::{BatchReader, BatchWriter, MAGIC};
pub use open::{
    encode_input_opening, open_input, read_input_opening, verify_input, verify_input_expecting,
    InputVerified, INPUT_MAGIC,
};
pub use prove::{prove_batch, BatchProved};
pub use root::{batch_root, chunk_leaf, trailer};
pub use verify::{in_chunk, verify_batch, BatchVerified, VerifiedChunk};
