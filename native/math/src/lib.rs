//! The foundations of zkmr, below every scheme and the job layer: nothing here knows which
//! scheme proves a product or how a job is cut, so the compiler keeps the layers apart.
//!
//! - [`fixed_point`] encodes real numbers as bounded integers, and [`field`] maps them into
//!   BN254's scalar field, where every scheme computes.
//! - [`matrix`] holds encoded matrices and cuts them into row partitions, [`sparse`] holds
//!   matrices given in coordinate form as compressed rows, [`product`] computes exact
//!   products.
//! - [`limits`] bounds every size read from a file or a flag before anything is allocated.
//! - [`error`] is the one error type, [`progress`] the reports of long work, [`device`] where
//!   work runs, [`fsio`] writes files whole or not at all, and [`words`] hashes integers.

pub mod device;
pub mod error;
pub mod field;
pub mod fixed_point;
pub mod fsio;
pub mod limits;
pub mod matrix;
pub mod merkle;
pub mod product;
pub mod progress;
pub mod sparse;
pub mod words;

pub use error::{Error, Result};
