//! The names of the proof schemes, as the wire contract (`zkmr.proto`'s `Scheme`) and the
//! manifest record them.
//!
//! A scheme is chosen at setup and recorded in the key store's manifest and in every partition
//! result and bundle made from it; everything downstream follows the record. The name is only
//! a name: `zkmr-core`'s registry maps it to the scheme's implementation of
//! [`crate::ProofScheme`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use zkmr_math::error::{Error, Result};

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
    /// A KZG commitment to the matrix and one proof of six points for the whole job, checked
    /// with one product of pairings natively or on the EVM; needs a KZG SRS.
    Cqlin,
}

impl Scheme {
    /// Every scheme, in the wire contract's order.
    pub const ALL: [Scheme; 3] = [Scheme::Pedersen, Scheme::Halo2, Scheme::Cqlin];

    pub fn name(self) -> &'static str {
        match self {
            Scheme::Pedersen => "pedersen",
            Scheme::Halo2 => "halo2",
            Scheme::Cqlin => "cqlin",
        }
    }

    pub fn to_proto(self) -> i32 {
        match self {
            Scheme::Pedersen => zkmr_proto::Scheme::Pedersen as i32,
            Scheme::Halo2 => zkmr_proto::Scheme::Halo2 as i32,
            Scheme::Cqlin => zkmr_proto::Scheme::Cqlin as i32,
        }
    }

    /// The scheme a message records; `what` names the message in the error.
    pub fn from_proto(value: i32, what: &str) -> Result<Self> {
        match zkmr_proto::Scheme::try_from(value) {
            Ok(zkmr_proto::Scheme::Pedersen) => Ok(Scheme::Pedersen),
            Ok(zkmr_proto::Scheme::Halo2) => Ok(Scheme::Halo2),
            Ok(zkmr_proto::Scheme::Cqlin) => Ok(Scheme::Cqlin),
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
            "cqlin" => Ok(Scheme::Cqlin),
            other => Err(Error::Usage(format!(
                "scheme \"{other}\" is not one of pedersen, halo2, cqlin"
            ))),
        }
    }
}
