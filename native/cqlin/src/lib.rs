//! The cqlin scheme of `docs/cqlin.md`: a matrix `A` committed once as `M_2 = [M(σ)]_2`, the
//! Kronecker-substituted polynomial of its entries; then a proof that `Y_b = A·X_b` for a batch
//! of vectors is six `G1` points, made with six MSMs of the matrix's side length from quotients
//! cached at commit time, and checked with field work over `x` and `y` and one product of five
//! pairings.
//!
//! The layers, in the order data flows:
//! - [`shape`]: the padded domains a matrix's shape derives (never read from a file).
//! - [`srs`]: the derived SRS of one length `N` and the per-shape tables the committer uses;
//!   only the development SRS (a `σ` anyone can compute, every verdict UNSAFE) is built.
//! - [`commit`]: the commitment ([`commitment`]: `M_2` and the header it is bound with) and the
//!   prover's cached data ([`key`]: the quotients of section 2.1).
//! - [`prove`] and [`verify`]: the proof of section 2.3 and the check of section 2.4 with 9.1's
//!   one-hop degree check, over the Keccak transcript of section 9.3 ([`transcript`]); and
//!   [`evm`], the same check as a Solidity contract generated per commitment.
//! - [`scheme`]: all of it behind [`zkmr_scheme::ProofScheme`] — the key store ([`store`]:
//!   public data, cached data, the matrix) and the job's bundle ([`bundle`]: the partitions'
//!   `y`, the job root and one proof for the whole job).

pub mod bundle;
pub mod commit;
pub mod commitment;
pub mod encoding;
pub mod evm;
pub mod fft;
pub mod key;
pub mod lagrange;
pub mod msm;
pub mod proof;
pub mod prove;
pub mod scheme;
pub mod shape;
pub mod srs;
pub mod store;
pub mod transcript;
pub mod verify;

pub use scheme::Cqlin;
