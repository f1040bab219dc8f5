//! The bundle file: a [`zkmr_proto::Bundle`], read and written the same way under every scheme,
//! and the conversions and checks every scheme's bundle shares.

use std::path::Path;

use prost::Message;

use zkmr_math::error::{Error, Result};
use zkmr_math::fixed_point::FixedPoint;
use zkmr_math::fsio::{read_bytes, write_bytes};
use zkmr_math::matrix::Partitioning;

use crate::digest::PartitionId;

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
    check_version(bundle.version, what).map_err(Error::Format)?;
    Ok(bundle)
}

/// Refuses a bundle `version` this build does not read, saying why with `what` (the file, a
/// chain's step) first.
pub fn check_version(version: u32, what: &str) -> std::result::Result<(), String> {
    if zkmr_proto::BUNDLE_VERSIONS.contains(&version) {
        return Ok(());
    }
    Err(format!(
        "{what}: bundle version {version} is not one this zkmr reads ({} to {})",
        zkmr_proto::BUNDLE_VERSIONS.start(),
        zkmr_proto::BUNDLE_VERSIONS.end()
    ))
}

/// How many entries a partition's packed `y` holds, from its length (and width byte) alone, so
/// a count is checked before anything is decoded; `None` when no count has that length.
pub fn partition_y_count(version: u32, y: &[u8]) -> Option<usize> {
    if version <= zkmr_proto::BUNDLE_VERSION_FIXED_Y {
        return y.len().is_multiple_of(16).then_some(y.len() / 16);
    }
    zkmr_math::field::packed_i128_count(y)
}

/// A partition's `y` block as a bundle of `version` packs it: 16 bytes per entry up to
/// [`zkmr_proto::BUNDLE_VERSION_FIXED_Y`], the shortest common width after
/// ([`zkmr_math::field::pack_i128`]). `what` names the block in errors.
pub fn partition_y(version: u32, y: &[u8], what: &str) -> Result<Vec<i128>> {
    if version <= zkmr_proto::BUNDLE_VERSION_FIXED_Y {
        zkmr_math::field::unpack_i128_fixed(y, what)
    } else {
        zkmr_math::field::unpack_i128(y, what)
    }
}

/// Decodes opening bytes; like a bundle, only the canonical encoding is taken, so every byte
/// is bound by the check.
pub fn decode_opening(bytes: &[u8], what: &str) -> Result<zkmr_proto::PartitionOpening> {
    let opening = zkmr_proto::PartitionOpening::decode(bytes)
        .map_err(|e| Error::Format(format!("{what}: not a zkmr partition opening: {e}")))?;
    if opening.encode_to_vec() != bytes {
        return Err(Error::Format(format!(
            "{what}: not a canonically encoded partition opening"
        )));
    }
    if opening.version != zkmr_proto::OPENING_VERSION {
        return Err(Error::Format(format!(
            "{what}: opening version {} is not the supported {}",
            opening.version,
            zkmr_proto::OPENING_VERSION
        )));
    }
    Ok(opening)
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

/// The partitions of a bundle under a scheme whose partitions carry only their `y` (one proof
/// for the whole job): every partition exactly once, in order, over the rows the header
/// implies, each with a `y` block per vector and no proof or key of its own.
pub fn y_only_partitions(
    bundle: &zkmr_proto::Bundle,
    partitioning: Partitioning,
    vectors: usize,
) -> Result<Vec<PartitionId>> {
    check_partition_list(&bundle.partitions, partitioning)?;
    bundle
        .partitions
        .iter()
        .enumerate()
        .map(|(position, p)| {
            let rows = partitioning.range(position);
            if partition_y_count(bundle.version, &p.y) != Some(rows.len() * vectors) {
                return Err(Error::rejected(
                    p.index,
                    format!(
                        "y has {} bytes, which do not hold {vectors} blocks of {} rows",
                        p.y.len(),
                        rows.len(),
                    ),
                ));
            }
            if !p.verifying_key.is_empty() || !p.proof.is_empty() {
                return Err(Error::rejected(
                    p.index,
                    "a partition with a proof of its own, which this scheme's partitions do \
                     not carry",
                ));
            }
            Ok(PartitionId {
                index: p.index,
                row_start: p.row_start,
                row_end: p.row_end,
            })
        })
        .collect()
}
