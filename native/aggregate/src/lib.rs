//! One proof for a whole zkmr job.
//!
//! A bundle holds one proof per partition; verifying it costs time linear in the number of
//! partitions. This crate folds those proofs into one: a tree of aggregation circuits
//! (snark-verifier's SHPLONK accumulation) whose nodes verify their children in-circuit and
//! recompute the job's Poseidon commitments from the children's public inputs, so the root
//! proof's public inputs are exactly the matrix commitment, the job root and the digests of
//! `x` and `y`. Verifying it is one proof and one pairing check whatever the job's size, and
//! the same proof verifies on the EVM ([`evm`]).
//!
//! - [`plan`]: the tree's shape for a number of partitions and a fan-in.
//! - [`statement_chip`]: the statement's hashes over circuit cells.
//! - [`node_circuit`]: one tree node's circuit.
//! - [`keys`]: node keys from placeholder children, and the root verifying key a verifier
//!   rebuilds from the shape.
//! - [`aggregator`]: runs the tree over a verified bundle.
//! - [`artifact`], [`verifier`], [`evm`]: the aggregated proof, its verification, its
//!   Solidity verifier.

pub mod aggregator;
pub mod artifact;
pub mod evm;
pub mod keys;
pub mod node_circuit;
pub mod plan;
pub mod settings;
pub mod statement_chip;
pub mod verifier;

pub use aggregator::{aggregate, Settings, VerifiedJob};
pub use artifact::Aggregated;
/// The SRS an aggregation is made under, from the user's choice, and where it came from.
pub use zkmr_core::halo2::srs::params_for as load_srs;
