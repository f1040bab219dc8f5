//! The job layer of zkmr: proofs that `y = A x` (or `Y = A X` for a batch) for a committed
//! matrix `A`, with the work cut into row partitions, under whichever scheme a key store
//! records.
//!
//! The crates, bottom up:
//!
//! - **`zkmr-math`**, the inputs and algebra: [`fixed_point`] encodes real numbers as bounded
//!   integers, [`matrix`] holds encoded matrices and cuts them into partitions, [`sparse`]
//!   holds matrices given in coordinate form, [`product`] computes exact products, [`limits`]
//!   bounds every size read from a file or a flag.
//! - **`zkmr-scheme`**, the interface every scheme implements (`ProofScheme`: commit, the
//!   distributed setup's phases, the prover, verify, openings, what chains need) and what the
//!   schemes share: the key [`store`], the [`bundle`] file, the verdict ([`expected`]).
//! - **The schemes**: [`pedersen`] (the default: Pedersen-committed columns and one
//!   homomorphic check) and [`halo2`] (a halo2 proof per partition; succinct and
//!   aggregatable). Only [`registry`] names them.
//! - **This crate, the job**: [`setup`] (and [`setup_job`], setup as a distributed job),
//!   [`job`] (partitions proved by separate tasks and combined by a reducer) and [`verify`],
//!   each following the scheme the store, bundle or options record through the registry.
//! - **Chains** ([`chain`]): products whose inputs are earlier outputs after public step
//!   functions (PageRank iterations, an MLP's layers), proved and verified as one artifact.
//!
//! Engines (the CLI, SQL, Spark and Hadoop through JNI, Python) only use this crate's job
//! layer, so none of them knows which scheme a key store uses.

pub mod batch;
pub mod chain;
pub mod job;
pub mod registry;
pub mod setup;
pub mod setup_job;
pub mod verify;

// The foundations live in zkmr-math, below the schemes; they keep their paths here
// (`zkmr_core::matrix`, `crate::field`), so the job layer and the engines read one API.
pub use zkmr_math::{
    device, error, field, fixed_point, fsio, limits, matrix, product, progress, sparse,
};

// The scheme interface and what the schemes share, from zkmr-scheme; the schemes themselves,
// for the aggregation crate and the tests that build on one scheme's internals.
#[cfg(feature = "halo2")]
pub use zkmr_halo2 as halo2;
pub use zkmr_pedersen as pedersen;
pub use zkmr_scheme::{bundle, expected, store};
pub use zkmr_scheme::{Capabilities, PartitionProved, ProofScheme, Prover, Scheme, Vectors};

pub use error::{Error, Result};
