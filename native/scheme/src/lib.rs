//! The interface every proof scheme of zkmr implements, and what the schemes share: the
//! scheme's name ([`Scheme`]), the encoded vectors ([`Vectors`]), the prover the job layer
//! drives ([`Prover`]), the scheme's whole life ([`ProofScheme`]), the verdict and the `x`
//! a relying party expects ([`expected`]), the bundle and opening files ([`bundle`]), the key
//! store ([`store`]) and the SRS a pairing-based scheme is set up with ([`srs`]).
//!
//! It stands on `zkmr-math` and knows no scheme: `zkmr-pedersen` and `zkmr-halo2` implement
//! it, and `zkmr-core`'s registry names them.

pub mod bundle;
pub mod digest;
pub mod expected;
pub mod id;
pub mod interface;
pub mod prover;
pub mod solidity;
pub mod srs;
pub mod store;
pub mod vectors;

pub use expected::{check_x, x_digest, Expected, ExpectedX, OpenedPartition, Verified};
pub use id::Scheme;
pub use interface::{
    Capabilities, CommitOptions, MatrixCommitted, MatrixInput, ProofScheme, SetupFinished,
};
pub use prover::{each_partition, products_hold, Assembled, PartitionProved, Prover};
pub use srs::{srs_choice, SrsChoice, SrsSource};
pub use vectors::Vectors;
