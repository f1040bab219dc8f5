//! Proving core of zkmr: proofs that `y = A x` for a committed matrix `A`.
//!
//! A matrix is cut into row partitions. [`setup::commit`] makes one halo2 circuit per
//! partition with the block of `A` in fixed columns, so each verifying key commits to its
//! block, and publishes the **matrix commitment**, a Poseidon Merkle root over the keys.
//! [`prove::prove`] proves every partition for a vector `x` in parallel and assembles a
//! bundle whose **job root** binds `x`, `y` and the keys. [`verify::verify`] checks a bundle
//! against a trusted matrix commitment without the prover's key store.
//!
//! The statement, the circuit and the trust model are described in the project README; each
//! module documents its own piece.

pub mod bundle;
pub mod circuit;
pub mod device;
pub mod error;
pub mod field;
pub mod fixed_point;
pub mod fsio;
#[cfg(feature = "cuda")]
mod gpu;
pub mod job;
pub mod keys;
pub mod keystore;
pub mod matrix;
pub mod merkle;
pub mod poseidon;
pub mod progress;
pub mod prove;
pub mod setup;
pub mod shape;
pub mod srs;
pub mod statement;
mod transcript;
pub mod verify;

pub use error::{Error, Result};
