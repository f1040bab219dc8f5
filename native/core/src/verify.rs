//! Verification of a bundle against a trusted matrix commitment, under the scheme the bundle
//! records.
//!
//! The commitment a verifier trusts binds the scheme too: each scheme's commitment hashes
//! under its own domain, so a bundle of one scheme cannot pass for a matrix committed under
//! the other.

use crate::error::{Error, Result};
use crate::field::to_bytes;
use crate::fixed_point::FixedPoint;
use crate::scheme::Scheme;

/// What a successful verification establishes.
#[derive(Clone, Debug)]
pub struct Verified {
    pub scheme: Scheme,
    /// `Y = A X`, encoded at scale `s_A + s_x`: one block of the matrix's rows per vector.
    pub y: Vec<i128>,
    pub vectors: usize,
    pub y_scale_bits: u32,
    pub job_root: [u8; 32],
    pub partitions: usize,
    pub matrix_encoding: FixedPoint,
    pub x_encoding: FixedPoint,
    /// The bundle was made under the development SRS (halo2), whose secret is public: its
    /// verification says nothing, since anyone can forge such proofs.
    pub srs_unsafe: bool,
}

/// Verifies `bundle` for the matrix behind `trusted_commitment`.
pub fn verify(bundle: &zkmr_proto::Bundle, trusted_commitment: &[u8; 32]) -> Result<Verified> {
    let scheme = Scheme::from_proto(bundle.scheme, "bundle")
        .map_err(|e| Error::rejected_bundle(e.to_string()))?;
    match scheme {
        Scheme::Pedersen => crate::pedersen::verify::verify(bundle, trusted_commitment),
        Scheme::Halo2 => {
            let trusted = crate::field::from_bytes(trusted_commitment, "the trusted commitment")
                .map_err(|_| {
                    Error::rejected_bundle(
                        "the trusted commitment is not a halo2 matrix commitment",
                    )
                })?;
            let v = crate::halo2::verify::verify(bundle, trusted)?;
            Ok(Verified {
                scheme,
                y: v.y,
                vectors: 1,
                y_scale_bits: v.y_scale_bits,
                job_root: to_bytes(&v.job_root),
                partitions: v.partitions,
                matrix_encoding: v.matrix_encoding,
                x_encoding: v.x_encoding,
                srs_unsafe: v.srs_unsafe,
            })
        }
    }
}

/// The verdict on untrusted bundle bytes: what verified, and one line saying so —
/// `verified: N partitions, job root 0x…` or `rejected: …` naming the partition at fault.
/// Malformed bytes are a rejection, not an error: checking untrusted bundles is the point.
pub fn verdict(bundle: &[u8], trusted_commitment: &[u8; 32]) -> (Option<Verified>, String) {
    match crate::bundle::decode(bundle, "bundle").and_then(|b| verify(&b, trusted_commitment)) {
        Ok(v) => {
            let line = format!(
                "verified: {} partitions, job root {}",
                v.partitions,
                hex::encode(v.job_root)
            );
            (Some(v), line)
        }
        Err(e) => (None, rejection_line(&e)),
    }
}

/// The verdict on untrusted partition-opening bytes (see [`crate::pedersen::opening`]): what
/// verified, and one line — `verified: partition P (rows a..b), job root 0x…` or
/// `rejected: …`.
pub fn opening_verdict(
    opening: &[u8],
    trusted_commitment: &[u8; 32],
) -> (Option<crate::pedersen::opening::OpenedPartition>, String) {
    use crate::pedersen::opening;
    match opening::decode(opening, "opening").and_then(|o| opening::verify(&o, trusted_commitment))
    {
        Ok(v) => {
            let line = format!(
                "verified: partition {} (rows {}..{}), job root {}",
                v.index,
                v.row_start,
                v.row_end,
                hex::encode(v.job_root)
            );
            (Some(v), line)
        }
        Err(e) => (None, rejection_line(&e)),
    }
}

/// `rejected: …` for an error met checking untrusted bytes.
fn rejection_line(e: &Error) -> String {
    let reason = e.to_string();
    if reason.starts_with("rejected") {
        reason
    } else {
        format!("rejected: {reason}")
    }
}
