//! The Pedersen scheme: Pedersen commitments to the columns of `A`, and one homomorphic check.
//!
//! `y = A·x` is linear in `A`, and so is a Pedersen commitment, so the verifier checks the
//! product on the commitments: `Σ_j x_j·C_j − Σ_i y_i·G_i` must be a multiple of `H` whose
//! factor the prover knows (a Schnorr proof). Proving costs about the product itself,
//! verifying one MSM of `n + m` points whatever the number of partitions, and a batch
//! `Y = A·X` folds into one check with a random challenge (Freivalds). The generators come
//! from hash-to-curve: there is no trusted setup. The security argument is in
//! `docs/pedersen.md`.
//!
//! [`Pedersen`] is the scheme behind `zkmr-scheme`'s [`zkmr_scheme::ProofScheme`], which is
//! how everything above this crate uses it. [`setup::commit`] commits the matrix and writes the
//! key store; [`store::PedersenProver`]
//! proves partitions and assembles the bundle; [`verify::verify`] checks it.
//! [`opening`] shows one partition of a verified job to a third party.

pub mod encoding;
pub mod generators;
pub mod msm;
pub mod opening;
pub mod proof;
pub mod scheme;
pub mod setup;
pub mod statement;
pub mod store;
pub mod transcript;
pub mod verify;

pub use scheme::Pedersen;
