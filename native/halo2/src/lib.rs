//! The halo2 scheme: one halo2 proof per partition, with the partition's block of `A` in fixed
//! columns so that each verifying key is a KZG commitment to its block.
//!
//! Succinct and aggregatable: its partition proofs fold into one proof with an EVM verifier
//! (`zkmr-aggregate`). It needs a KZG SRS, and proving costs a circuit per partition; the
//! Pedersen scheme (`zkmr-pedersen`) is the default where neither matters.
//!
//! [`Halo2`] is the scheme behind `zkmr-scheme`'s [`zkmr_scheme::ProofScheme`], which is how
//! everything above this crate uses it. [`setup::commit`] keys the partitions and publishes the matrix commitment, a Poseidon
//! Merkle root over the keys; [`prove::prove_partition`] and [`prove::assemble`] make the
//! bundle, whose job root binds `x`, `y` and the keys; [`verify::verify`] checks it against
//! a trusted matrix commitment without the prover's key store.

pub mod circuit;
#[cfg(feature = "cuda")]
mod gpu;
pub mod keys;
pub mod merkle;
pub mod meta;
pub mod poseidon;
pub mod prove;
pub mod prover;
pub mod scheme;
pub mod setup;
pub mod shape;
pub mod srs;
pub mod statement;
pub mod store;
mod transcript;
pub mod verify;

pub use scheme::Halo2;
