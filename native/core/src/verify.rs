//! Verification of a bundle against a trusted matrix commitment, under the scheme the bundle
//! records, and against the `x` the relying party asked about.
//!
//! The commitment a verifier trusts binds the scheme too: each scheme's commitment hashes
//! under its own domain, so a bundle of one scheme cannot pass for a matrix committed under
//! the other. A verdict is about one `x`: the caller may say which ([`Expected`]), and every
//! verdict returns the `x` it checked and its digest ([`x_digest`]) beside `y`.

use crate::error::{Error, Result};

pub use crate::expected::{check_x, x_digest, Expected, ExpectedX, OpenedPartition, Verified};

/// Verifies `bundle` for the matrix behind `trusted_commitment`, whatever its `x`: the
/// [`Verified`] says which. Relying parties use [`verify_expecting`].
pub fn verify(bundle: &zkmr_proto::Bundle, trusted_commitment: &[u8; 32]) -> Result<Verified> {
    verify_expecting(bundle, trusted_commitment, &Expected::default())
}

/// Verifies `bundle` for the matrix behind `trusted_commitment` and the `x` the caller
/// `expected`, where it gave one.
pub fn verify_expecting(
    bundle: &zkmr_proto::Bundle,
    trusted_commitment: &[u8; 32],
    expected: &Expected,
) -> Result<Verified> {
    let verified = crate::registry::of_bundle(bundle)?.verify(bundle, trusted_commitment)?;
    check_x(
        &verified.x,
        verified.vectors,
        verified.x_encoding,
        verified.x.len() / verified.vectors,
        expected,
    )?;
    Ok(verified)
}

/// The verdict on untrusted bundle bytes: what verified, and one line saying so —
/// `verified: N partitions, x 0x…, job root 0x…` or `rejected: …` naming the partition (or
/// `x`) at fault. Malformed bytes are a rejection, not an error: checking untrusted bundles
/// is the point.
pub fn verdict(
    bundle: &[u8],
    trusted_commitment: &[u8; 32],
    expected: &Expected,
) -> (Option<Verified>, String) {
    match crate::bundle::decode(bundle, "bundle")
        .and_then(|b| verify_expecting(&b, trusted_commitment, expected))
    {
        Ok(v) => {
            let line = format!(
                "verified: {} partitions, x {}, job root {}",
                v.partitions,
                hex::encode(v.x_digest),
                hex::encode(v.job_root)
            );
            (Some(v), line)
        }
        Err(e) => (None, rejection_line(&e)),
    }
}

/// The verdict on untrusted partition-opening bytes (see `zkmr_pedersen::opening`): what
/// verified, and one line — `verified: partition P (rows a..b), x 0x…, job root 0x…` or
/// `rejected: …`.
pub fn opening_verdict(
    opening: &[u8],
    trusted_commitment: &[u8; 32],
    expected: &Expected,
) -> (Option<OpenedPartition>, String) {
    match read_opening(opening, "opening")
        .and_then(|o| verify_opening(&o, trusted_commitment, expected))
    {
        Ok(v) => {
            let line = format!(
                "verified: partition {} (rows {}..{}), x {}, job root {}",
                v.index,
                v.row_start,
                v.row_end,
                hex::encode(v.x_digest),
                hex::encode(v.job_root)
            );
            (Some(v), line)
        }
        Err(e) => (None, rejection_line(&e)),
    }
}

/// Reads a partition opening (see `zkmr_pedersen::opening`); bytes that are not one are
/// [`Error::Format`], not a rejection.
pub fn read_opening(bytes: &[u8], what: &str) -> Result<zkmr_proto::PartitionOpening> {
    crate::bundle::decode_opening(bytes, what)
}

/// Verifies a partition opening for the matrix behind `trusted_commitment` and what the
/// caller `expected`: the partition's rows of `y`, for the `x` it names.
pub fn verify_opening(
    opening: &zkmr_proto::PartitionOpening,
    trusted_commitment: &[u8; 32],
    expected: &Expected,
) -> Result<OpenedPartition> {
    crate::registry::recorded(opening.scheme, "opening")
        .map_err(|e| Error::rejected(opening.index, e.to_string()))?
        .verify_opening(opening, trusted_commitment, expected)
}

/// `err`, met while checking one part of a larger proof (a chain's step, a batch's chunk), as
/// that proof's rejection: `label: reason`, keeping the partition the bundle's verifier named.
pub fn rejected_in(label: &str, err: Error) -> Error {
    let reason = match err {
        Error::Rejected {
            partition: Some(p),
            reason,
        } => format!("partition {p}: {reason}"),
        Error::Rejected { reason, .. } => reason,
        other => other.to_string(),
    };
    Error::rejected_bundle(format!("{label}: {reason}"))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixed_point::{FixedPoint, Number};

    /// An `x` shorter than its shape says is a rejection, not a slice out of bounds: the
    /// holder's check and the aggregated path compare `x` before anything verified it.
    #[test]
    fn an_x_of_the_wrong_length_is_rejected_before_it_is_read() {
        let encoding = FixedPoint::new(0, 32).unwrap();
        let expected = Expected::x(ExpectedX::Vectors(vec![vec![Number::Int(1); 4]; 2]));
        let err = check_x(&[1, 1, 1], 2, encoding, 4, &expected).unwrap_err();
        assert!(err.to_string().contains("3 entries"), "{err}");
        check_x(&[1; 8], 2, encoding, 4, &expected).unwrap();
        let by_digest = Expected::x(ExpectedX::Digest(x_digest(&[1; 8], 2, encoding)));
        assert!(check_x(&[1; 7], 2, encoding, 4, &by_digest).is_err());
    }
}
