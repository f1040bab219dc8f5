//! The bundle file: a [`zkmr_proto::Bundle`], and conversions between its messages and the
//! core's types.

use std::path::Path;

use prost::Message;

use crate::error::{Error, Result};
use crate::field::from_bytes;
use crate::fixed_point::FixedPoint;
use crate::fsio::{read_bytes, write_bytes};
use crate::halo2::statement::MatrixHeader;
use crate::matrix::Partitioning;

pub fn encoding_to_proto(e: FixedPoint) -> zkmr_proto::FixedPoint {
    zkmr_proto::FixedPoint {
        scale_bits: e.scale_bits,
        value_bits: e.value_bits,
    }
}

pub fn encoding_from_proto(e: Option<&zkmr_proto::FixedPoint>, what: &str) -> Result<FixedPoint> {
    let e = e.ok_or_else(|| Error::Format(format!("bundle: missing {what}")))?;
    FixedPoint::new(e.scale_bits, e.value_bits)
        .map_err(|err| Error::Format(format!("bundle: {what}: {err}")))
}

pub fn meta_to_proto(h: &MatrixHeader) -> zkmr_proto::MatrixMeta {
    zkmr_proto::MatrixMeta {
        rows: h.rows,
        cols: h.cols,
        encoding: Some(encoding_to_proto(h.encoding)),
        rows_per_partition: h.rows_per_partition,
        fold: h.fold,
        k: h.k,
        srs_digest: crate::field::to_bytes(&h.srs_digest).to_vec(),
    }
}

/// The matrix a key store holds, as the wire contract describes it (the halo2 fields stay
/// empty under other schemes).
pub fn store_meta(manifest: &crate::keystore::Manifest) -> zkmr_proto::MatrixMeta {
    let halo2 = manifest.halo2.as_ref();
    zkmr_proto::MatrixMeta {
        rows: manifest.rows,
        cols: manifest.cols,
        encoding: Some(encoding_to_proto(manifest.encoding)),
        rows_per_partition: manifest.rows_per_partition,
        fold: halo2.map_or(0, |h| h.fold),
        k: halo2.map_or(0, |h| h.k),
        srs_digest: halo2
            .and_then(|h| hex::decode(&h.srs_digest).ok())
            .unwrap_or_default(),
    }
}

pub fn meta_from_proto(m: Option<&zkmr_proto::MatrixMeta>) -> Result<MatrixHeader> {
    let m = m.ok_or_else(|| Error::Format("bundle: missing matrix".into()))?;
    Ok(MatrixHeader {
        rows: m.rows,
        cols: m.cols,
        encoding: encoding_from_proto(m.encoding.as_ref(), "matrix.encoding")?,
        rows_per_partition: m.rows_per_partition,
        fold: m.fold,
        k: m.k,
        srs_digest: from_bytes(&m.srs_digest, "bundle matrix.srs_digest")?,
    })
}

/// Writes a bundle atomically.
pub fn write(bundle: &zkmr_proto::Bundle, path: &Path) -> Result<()> {
    write_bytes(path, &bundle.encode_to_vec())
}

/// Decodes bundle bytes; truncated or foreign data is a format error.
///
/// Only the canonical encoding is taken: the bytes must be exactly what encoding the decoded
/// bundle gives. Protobuf readers skip unknown fields and accept redundant encodings of the
/// same values; refusing them makes every byte of a bundle part of what verification binds,
/// so a verified bundle's hash can serve as its identity.
pub fn decode(bytes: &[u8], what: &str) -> Result<zkmr_proto::Bundle> {
    let bundle = zkmr_proto::Bundle::decode(bytes)
        .map_err(|e| Error::Format(format!("{what}: not a zkmr bundle: {e}")))?;
    if bundle.encoded_len() != bytes.len() || bundle.encode_to_vec() != bytes {
        return Err(Error::Format(format!(
            "{what}: not a canonically encoded zkmr bundle (unknown fields or redundant \
             encodings)"
        )));
    }
    if bundle.version != zkmr_proto::BUNDLE_VERSION {
        return Err(Error::Format(format!(
            "{what}: bundle version {} is not the supported {}",
            bundle.version,
            zkmr_proto::BUNDLE_VERSION
        )));
    }
    Ok(bundle)
}

/// Reads a bundle file.
pub fn read(path: &Path) -> Result<zkmr_proto::Bundle> {
    decode(&read_bytes(path)?, &path.display().to_string())
}

/// Every partition exactly once, in order, covering the rows the header implies; the error
/// names the partition out of place.
pub fn check_partition_list(
    partitions: &[zkmr_proto::PartitionProof],
    partitioning: Partitioning,
) -> Result<()> {
    let expected = partitioning.count();
    for (position, p) in partitions.iter().enumerate() {
        if position >= expected {
            return Err(Error::rejected(
                p.index,
                format!(
                    "bundle has {} partitions, the matrix {expected}",
                    partitions.len()
                ),
            ));
        }
        if p.index as usize != position {
            let what = if partitions[..position].iter().any(|q| q.index == p.index) {
                "duplicated"
            } else {
                "out of order"
            };
            return Err(Error::rejected(
                p.index,
                format!("{what}: found at position {position}"),
            ));
        }
        let rows = partitioning.range(position);
        if (p.row_start, p.row_end) != (rows.start as u64, rows.end as u64) {
            return Err(Error::rejected(
                p.index,
                format!(
                    "claims rows {}..{}, the partition holds rows {}..{}",
                    p.row_start, p.row_end, rows.start, rows.end
                ),
            ));
        }
    }
    if partitions.len() < expected {
        return Err(Error::rejected(
            partitions.len() as u32,
            format!(
                "missing: bundle has {} of {expected} partitions",
                partitions.len()
            ),
        ));
    }
    Ok(())
}
