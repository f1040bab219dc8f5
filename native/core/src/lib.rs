//! Proving core of zkmr: proofs that `y = A x` (or `Y = A X` for a batch) for a committed
//! matrix `A`, with the work cut into row partitions.
//!
//! The layers, bottom up:
//!
//! - **Inputs**, from the `zkmr-math` crate below this one: [`fixed_point`] encodes real
//!   numbers as bounded integers, [`matrix`] holds encoded matrices and cuts them into
//!   partitions, [`sparse`] holds matrices given in coordinate form, [`product`] computes exact
//!   products, [`limits`] bounds every size read from a file or a flag.
//! - **Schemes**, each committing a matrix, proving partitions and verifying a job:
//!   [`pedersen`] (the default: Pedersen-committed columns and one homomorphic check) and
//!   [`halo2`] (a halo2 proof per partition; succinct and aggregatable). [`scheme`] names them
//!   and holds the one interface the job layer proves through.
//! - **The job**: [`keystore`] (the prover's store, recording its scheme, read from a directory
//!   or any [`store_files`] source), [`setup`] (and [`setup_job`], setup as a distributed job) and
//!   [`verify`] (which follow the scheme the store or bundle records), [`job`] (partitions
//!   proved by separate tasks and combined by a reducer) and [`bundle`] (the proof file).
//! - **Chains** ([`chain`]): products whose inputs are earlier outputs after public step
//!   functions (PageRank iterations, an MLP's layers), proved and verified as one artifact.
//!
//! Engines (the CLI, SQL, Spark and Hadoop through JNI) only use the job layer, so none of
//! them knows which scheme a key store uses.

pub mod bundle;
pub mod chain;
pub mod halo2;
pub mod job;
pub mod keystore;
pub mod pedersen;
pub mod scheme;
pub mod setup;
pub mod setup_job;
pub mod store_files;
pub mod verify;

// The foundations live in zkmr-math, below the schemes; they keep their paths here
// (`zkmr_core::matrix`, `crate::field`), so the job layer and the engines read one API.
pub use zkmr_math::{
    device, error, field, fixed_point, fsio, limits, matrix, product, progress, sparse,
};

pub use error::{Error, Result};
pub use scheme::Scheme;
