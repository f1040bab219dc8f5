//! The proof schemes, and the one interface the job layer proves through.
//!
//! A scheme is chosen at setup and recorded in the key store's manifest and in every partition
//! result and bundle made from it; everything downstream follows the record. Engines hold an
//! [`crate::job::OpenStore`], whose [`Prover`] is the store's scheme.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fixed_point::{FixedPoint, Number};
use crate::matrix::encode_vector;

/// Which proof scheme a key store, partition result or bundle belongs to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// Pedersen-committed columns and one homomorphic check: proving costs about the
    /// product itself, verifying one MSM, no trusted setup. The default.
    #[default]
    Pedersen,
    /// A halo2 proof per partition: succinct, aggregatable into one EVM-verifiable proof,
    /// needs a KZG SRS.
    Halo2,
}

impl Scheme {
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Pedersen => "pedersen",
            Scheme::Halo2 => "halo2",
        }
    }

    pub fn to_proto(self) -> i32 {
        match self {
            Scheme::Pedersen => zkmr_proto::Scheme::Pedersen as i32,
            Scheme::Halo2 => zkmr_proto::Scheme::Halo2 as i32,
        }
    }

    /// The scheme a message records; `what` names the message in the error.
    pub fn from_proto(value: i32, what: &str) -> Result<Self> {
        match zkmr_proto::Scheme::try_from(value) {
            Ok(zkmr_proto::Scheme::Pedersen) => Ok(Scheme::Pedersen),
            Ok(zkmr_proto::Scheme::Halo2) => Ok(Scheme::Halo2),
            _ => Err(Error::Format(format!(
                "{what}: unknown proof scheme {value}"
            ))),
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scheme {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pedersen" => Ok(Scheme::Pedersen),
            "halo2" => Ok(Scheme::Halo2),
            other => Err(Error::Usage(format!(
                "scheme \"{other}\" is not one of pedersen, halo2"
            ))),
        }
    }
}

/// One vector `x`, or a batch of them, encoded: `values` holds `count` vectors of the matrix's
/// column count, one after another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vectors {
    pub values: Vec<i64>,
    pub count: usize,
    pub encoding: FixedPoint,
}

impl Vectors {
    pub fn one(values: Vec<i64>, encoding: FixedPoint) -> Self {
        Self {
            values,
            count: 1,
            encoding,
        }
    }

    /// Encodes vectors as one batch at one encoding: `scale` and `value_bits`, or the defaults
    /// for their values. Every vector must have as many entries as the first; errors name the
    /// vector (in a batch of more than one) and the index.
    pub fn encode(
        numbers: &[Vec<Number>],
        scale: Option<u32>,
        value_bits: Option<u32>,
    ) -> Result<Self> {
        let encoding =
            FixedPoint::for_values(numbers.iter().flatten().copied(), scale, value_bits)?;
        let len = numbers.first().map_or(0, Vec::len);
        let mut values = Vec::with_capacity(numbers.len() * len);
        for (b, vector) in numbers.iter().enumerate() {
            if vector.len() != len {
                return Err(Error::Input(format!(
                    "vector {b} has {} entries but vector 0 has {len}",
                    vector.len()
                )));
            }
            let encoded = encode_vector(vector, encoding).map_err(|e| match e {
                Error::Input(msg) if numbers.len() > 1 => {
                    Error::Input(format!("vector {b}, {msg}"))
                }
                other => other,
            })?;
            values.extend(encoded);
        }
        Ok(Self {
            values,
            count: numbers.len(),
            encoding,
        })
    }

    /// Vector `b`, for `cols` columns.
    pub fn get(&self, b: usize, cols: usize) -> &[i64] {
        &self.values[b * cols..(b + 1) * cols]
    }
}

/// A partition proved by one task: its `y` blocks and what its scheme sends to the reducer.
#[derive(Clone, Debug)]
pub struct PartitionProved {
    /// One block of the partition's rows per vector, vector after vector.
    pub y: Vec<i128>,
    /// The scheme's partition message; its `y` field is filled in when the bundle is made.
    pub proof: zkmr_proto::PartitionProof,
    /// Where it was proved ("cpu", "cuda") and how long it took: reported, never bundled.
    pub device: String,
    pub seconds: f64,
}

/// A scheme's prover over an open key store: proves partitions where the rows are and
/// combines them where they meet. Implementations check nothing the job layer checks (that
/// a task's rows are the committed block, that each partition comes once).
pub trait Prover: Send + Sync + fmt::Debug {
    fn scheme(&self) -> Scheme;

    /// Whether outputs made with this store are insecure (the development SRS).
    fn is_unsafe(&self) -> bool;

    /// The committed block of partition `index`, in the form the store keeps it.
    fn block(&self, index: u32) -> Result<std::sync::Arc<crate::sparse::Block>>;

    /// Proves partition `index` for `x`.
    fn prove_partition(&self, index: u32, x: &Vectors) -> Result<PartitionProved>;

    /// Puts every partition, proved for `x`, into a bundle with its job root; `partitions`
    /// come in partition order, each once.
    fn assemble(&self, x: &Vectors, partitions: Vec<PartitionProved>)
        -> Result<zkmr_proto::Bundle>;

    /// The key digest of partition `index` (its matrix-commitment leaf's key), as bytes;
    /// `None` under a scheme with one key for the whole matrix.
    fn key_digest(&self, index: u32) -> Result<Option<[u8; 32]>>;

    /// The job leaf of partition `index` proved for `x` with outputs `y`.
    fn job_leaf(&self, index: u32, x: &Vectors, y: &[i128]) -> Result<[u8; 32]>;

    /// Shows partition `index` of `bundle`, which has verified against this store, on its own
    /// (see [`crate::pedersen::opening`]); a scheme without openings says so.
    fn open_partition(
        &self,
        bundle: &zkmr_proto::Bundle,
        index: u32,
    ) -> Result<zkmr_proto::PartitionOpening>;

    /// Whether each of partitions `indices` in `bundle` passes that partition's own check,
    /// with what the store holds; `None` where the scheme's verifier names a failing
    /// partition itself.
    fn partitions_hold(
        &self,
        bundle: &zkmr_proto::Bundle,
        indices: &[u32],
    ) -> Result<Option<Vec<bool>>>;
}
