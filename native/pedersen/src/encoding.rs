//! Points and scalars as bytes, read strictly.
//!
//! Points travel uncompressed (64 bytes: `x` then `y`, each canonical little-endian), so a
//! verifier reading the `n` points of a matrix key needs no square roots. Reading is strict:
//! coordinates must be canonical, the point on the curve and not the identity, and the bytes
//! must be exactly what encoding the decoded point gives back, so no two byte strings stand for
//! one point. Scalars are 32 canonical little-endian bytes, rejected at or above the order.

use halo2_proofs::halo2curves::bn256::{Fr, G1Affine};
use halo2_proofs::halo2curves::ff::PrimeField;
use halo2_proofs::halo2curves::group::prime::PrimeCurveAffine;
use halo2_proofs::halo2curves::group::UncompressedEncoding;

use zkmr_math::error::{Error, Result};

/// Bytes of one encoded point.
pub const POINT_BYTES: usize = 64;
/// Bytes of one encoded scalar.
pub const SCALAR_BYTES: usize = 32;

pub fn point_to_bytes(p: &G1Affine) -> [u8; POINT_BYTES] {
    let encoded = p.to_uncompressed();
    let mut out = [0u8; POINT_BYTES];
    out.copy_from_slice(encoded.as_ref());
    out
}

/// Reads one point; `what` names it in the error.
pub fn point_from_bytes(bytes: &[u8], what: &str) -> Result<G1Affine> {
    let mut encoded = <G1Affine as UncompressedEncoding>::Uncompressed::default();
    if bytes.len() != POINT_BYTES {
        return Err(Error::Format(format!(
            "{what}: a point takes {POINT_BYTES} bytes, got {}",
            bytes.len()
        )));
    }
    encoded.as_mut().copy_from_slice(bytes);
    let point: G1Affine = Option::from(G1Affine::from_uncompressed(&encoded))
        .ok_or_else(|| Error::Format(format!("{what}: not a point on BN254 G1")))?;
    if bool::from(point.is_identity()) {
        return Err(Error::Format(format!(
            "{what}: the identity is not allowed"
        )));
    }
    if point_to_bytes(&point) != bytes {
        return Err(Error::Format(format!("{what}: not a canonical encoding")));
    }
    Ok(point)
}

/// Concatenated points.
pub fn points_to_bytes(points: &[G1Affine]) -> Vec<u8> {
    points.iter().flat_map(point_to_bytes).collect()
}

/// Reads `count` concatenated points; `what` names them, and the error names the index.
pub fn points_from_bytes(bytes: &[u8], count: usize, what: &str) -> Result<Vec<G1Affine>> {
    if bytes.len() != count * POINT_BYTES {
        return Err(Error::Format(format!(
            "{what}: {} bytes for {count} points of {POINT_BYTES} bytes",
            bytes.len()
        )));
    }
    use rayon::prelude::*;
    bytes
        .par_chunks(POINT_BYTES)
        .enumerate()
        .map(|(i, chunk)| point_from_bytes(chunk, &format!("{what} {i}")))
        .collect()
}

pub fn scalar_to_bytes(s: &Fr) -> [u8; SCALAR_BYTES] {
    s.to_repr()
}

/// Reads one canonical scalar; `what` names it in the error.
pub fn scalar_from_bytes(bytes: &[u8], what: &str) -> Result<Fr> {
    let repr: [u8; SCALAR_BYTES] = bytes.try_into().map_err(|_| {
        Error::Format(format!(
            "{what}: a scalar takes {SCALAR_BYTES} bytes, got {}",
            bytes.len()
        ))
    })?;
    Option::from(Fr::from_repr(repr))
        .ok_or_else(|| Error::Format(format!("{what}: not a canonical scalar")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_proofs::halo2curves::bn256::G1;
    use halo2_proofs::halo2curves::group::Curve;

    #[test]
    fn points_round_trip_and_reject_malformed_bytes() {
        let p = (G1::generator() * Fr::from(12345)).to_affine();
        let bytes = point_to_bytes(&p);
        assert_eq!(point_from_bytes(&bytes, "p").unwrap(), p);
        let mut off_curve = bytes;
        off_curve[0] ^= 1;
        assert!(point_from_bytes(&off_curve, "p").is_err());
        let identity = point_to_bytes(&G1Affine::identity());
        assert!(point_from_bytes(&identity, "p").is_err());
        assert!(point_from_bytes(&bytes[..63], "p").is_err());
        // y + p (the field's modulus) is not canonical.
        let mut flagged = bytes;
        flagged[63] |= 0x80;
        assert!(point_from_bytes(&flagged, "p").is_err());
    }

    #[test]
    fn scalars_must_be_canonical() {
        let s = Fr::from(7);
        assert_eq!(scalar_from_bytes(&scalar_to_bytes(&s), "s").unwrap(), s);
        assert!(scalar_from_bytes(&[0xff; 32], "s").is_err());
        assert!(scalar_from_bytes(&[0; 31], "s").is_err());
    }
}
