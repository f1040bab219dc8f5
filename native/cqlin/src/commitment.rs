//! A matrix's public commitment data (`docs/cqlin.md` 2.2, 9.2): the header — shape, `A`'s
//! encoding, the SRS, the partitioning — and `M_2`; the framed BLAKE3 digest of both is the
//! 32-byte commitment users trust, and the bytes are what verifiers and the contract read.

use halo2_proofs::halo2curves::bn256::G2Affine;
use zkmr_math::error::{Error, Result};
use zkmr_math::fixed_point::FixedPoint;

use crate::encoding::{g2_bytes, g2_from_bytes, G2_BYTES};
use crate::shape::Shape;

/// What a commitment binds besides `M_2` (9.2): the shape, `A`'s encoding, the SRS and the
/// partitioning, so that a job root means one partitioning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub rows: u64,
    pub cols: u64,
    pub encoding: FixedPoint,
    pub srs: [u8; 32],
    pub rows_per_partition: u64,
    pub partitions: u64,
}

/// Bytes of a header.
pub const HEADER_BYTES: usize = 8 + 8 + 4 + 4 + 32 + 8 + 8;

impl Header {
    /// Fixed-width big-endian bytes, as the transcript and the digest take them.
    pub fn bytes(&self) -> [u8; HEADER_BYTES] {
        let mut out = [0u8; HEADER_BYTES];
        out[0..8].copy_from_slice(&self.rows.to_be_bytes());
        out[8..16].copy_from_slice(&self.cols.to_be_bytes());
        out[16..20].copy_from_slice(&self.encoding.scale_bits.to_be_bytes());
        out[20..24].copy_from_slice(&self.encoding.value_bits.to_be_bytes());
        out[24..56].copy_from_slice(&self.srs);
        out[56..64].copy_from_slice(&self.rows_per_partition.to_be_bytes());
        out[64..72].copy_from_slice(&self.partitions.to_be_bytes());
        out
    }

    /// A header from its bytes; the encoding must be one [`FixedPoint`] accepts.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != HEADER_BYTES {
            return Err(Error::Format(format!(
                "a cqlin header is {HEADER_BYTES} bytes, not {}",
                bytes.len()
            )));
        }
        let u64_at = |k: usize| u64::from_be_bytes(bytes[k..k + 8].try_into().unwrap());
        let u32_at = |k: usize| u32::from_be_bytes(bytes[k..k + 4].try_into().unwrap());
        Ok(Self {
            rows: u64_at(0),
            cols: u64_at(8),
            encoding: FixedPoint::new(u32_at(16), u32_at(20))?,
            srs: bytes[24..56].try_into().unwrap(),
            rows_per_partition: u64_at(56),
            partitions: u64_at(64),
        })
    }

    /// The padded shape the header's `m` and `n` derive, once its partitioning is checked:
    /// `⌈m / rows per partition⌉` partitions, so that one commitment means one partitioning.
    pub fn shape(&self) -> Result<Shape> {
        let dim =
            |v: u64| usize::try_from(v).map_err(|_| Error::Format(format!("a dimension of {v}")));
        // A partition of more rows than the matrix has is not one a commit makes (it clamps):
        // refused, so rows per partition always fits the bundle's 32-bit field.
        let expected = (1..=self.rows.max(1))
            .contains(&self.rows_per_partition)
            .then(|| self.rows.div_ceil(self.rows_per_partition));
        if expected != Some(self.partitions) {
            return Err(Error::Format(format!(
                "a header of {} rows in partitions of {} rows lists {} partitions",
                self.rows, self.rows_per_partition, self.partitions
            )));
        }
        Shape::new(dim(self.rows)?, dim(self.cols)?)
    }
}

/// A matrix's public commitment data: its header and `M_2`; the 32-byte digest of both is
/// what users trust.
#[derive(Clone, Debug, PartialEq)]
pub struct Commitment {
    pub header: Header,
    pub m2: G2Affine,
}

impl Commitment {
    /// The framed BLAKE3 digest of the tag, the header, the block count and each block's `M_2`.
    pub fn digest(&self) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        for item in [
            crate::transcript::TAG,
            &self.header.bytes(),
            &1u64.to_be_bytes(),
            &g2_bytes(&self.m2),
        ] {
            h.update(&(item.len() as u64).to_be_bytes());
            h.update(item);
        }
        *h.finalize().as_bytes()
    }

    /// The public data as bytes: the header, then `M_2` (EIP-197).
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = self.header.bytes().to_vec();
        out.extend_from_slice(&g2_bytes(&self.m2));
        out
    }

    /// The public data from its bytes, `M_2` subgroup-checked.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != HEADER_BYTES + G2_BYTES {
            return Err(Error::Format(format!(
                "a cqlin commitment is {} bytes, not {}",
                HEADER_BYTES + G2_BYTES,
                bytes.len()
            )));
        }
        let header = Header::from_bytes(&bytes[..HEADER_BYTES])?;
        let m2 = g2_from_bytes(&bytes[HEADER_BYTES..])
            .map_err(|e| Error::Format(format!("the commitment's M_2: {e}")))?;
        Ok(Self { header, m2 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_proofs::halo2curves::bn256::{Fr, G2};
    use halo2_proofs::halo2curves::group::Curve;

    fn sample() -> Commitment {
        Commitment {
            header: Header {
                rows: 3,
                cols: 5,
                encoding: FixedPoint::new(4, 20).unwrap(),
                srs: [9; 32],
                rows_per_partition: 2,
                partitions: 2,
            },
            m2: (G2::generator() * Fr::from(42)).to_affine(),
        }
    }

    #[test]
    fn partitions_longer_than_the_matrix_are_refused() {
        let mut h = sample().header;
        (h.rows_per_partition, h.partitions) = (3, 1);
        assert!(h.shape().is_ok());
        for rows_per_partition in [0, 4, 1 << 32, u64::MAX] {
            (h.rows_per_partition, h.partitions) = (rows_per_partition, 1);
            assert!(
                h.shape().is_err(),
                "{rows_per_partition} rows per partition"
            );
        }
    }

    #[test]
    fn public_data_round_trip_and_every_byte_moves_the_digest() {
        let c = sample();
        let bytes = c.bytes();
        assert_eq!(Commitment::from_bytes(&bytes).unwrap(), c);
        for k in 0..HEADER_BYTES {
            let mut changed = bytes.clone();
            changed[k] ^= 1;
            if let Ok(other) = Commitment::from_bytes(&changed) {
                assert_ne!(other.digest(), c.digest(), "header byte {k}");
            }
        }
        let mut off_curve = bytes.clone();
        off_curve[HEADER_BYTES + G2_BYTES - 1] ^= 1;
        let e = Commitment::from_bytes(&off_curve).unwrap_err();
        assert!(e.to_string().contains("M_2"), "{e}");
        assert!(Commitment::from_bytes(&bytes[1..]).is_err());
        let mut bad_encoding = bytes;
        bad_encoding[19] = 200;
        assert!(Commitment::from_bytes(&bad_encoding).is_err());
    }
}
