//! One partition shown alone: its `y` block, checked by a third party against the matrix
//! commitment and the job root without the rest of the job or the matrix.
//!
//! An opening carries the partition's column commitments `C_{p,j}` with the Merkle path of
//! its leaf to the matrix commitment, the vectors, the partition's `y` block with the Merkle
//! path of its job leaf to the job root, and a Schnorr proof for the partition's own
//! homomorphic check `Σ_j x'_j·C_{p,j} − Σ_{i∈p} y'_i·G_i = (Σ_j x'_j·ρ_{p,j})·H` (the same
//! argument as the job's, on the partition's rows; see `docs/pedersen.md`). Only the holder
//! of the store's secret can make one, and only for a bundle that verifies.

use prost::Message;

use super::encoding::{point_from_bytes, point_to_bytes, points_from_bytes, scalar_from_bytes};
use super::encoding::{scalar_to_bytes, POINT_BYTES};
use super::generators;
use super::proof::{self, Statement};
use super::statement::{
    commitment_of, job_leaf, job_root_of, matrix_leaf, partition_key_digest, vectors_digest,
    Header, PartitionKeyId,
};
use super::transcript::{merkle_depth, merkle_root_from};
use super::verify::{MAX_DIMENSION, MAX_VECTORS};
use crate::bundle::{encoding_from_proto, encoding_to_proto};
use crate::error::{Error, Result};
use crate::field::unpack_i128;
use crate::fixed_point::{check_output_range, output_bound, FixedPoint};
use crate::matrix::Partitioning;
use crate::scheme::Scheme;

/// What an opening's check establishes.
#[derive(Clone, Debug)]
pub struct OpenedPartition {
    pub index: u32,
    pub row_start: u64,
    pub row_end: u64,
    /// The partition's `y`, encoded at scale `y_scale_bits`: one block per vector.
    pub y: Vec<i128>,
    pub vectors: usize,
    pub y_scale_bits: u32,
    pub job_root: [u8; 32],
}

/// What the prover puts in an opening, all from a verified bundle and the store.
pub struct Parts<'a> {
    pub header: Header,
    pub commitment: &'a [u8; 32],
    pub matrix_key_digest: [u8; 32],
    pub id: PartitionKeyId,
    pub columns: &'a [u8],
    pub matrix_path: Vec<[u8; 32]>,
    pub x: &'a [i64],
    pub x_encoding: FixedPoint,
    pub vectors: usize,
    pub y: &'a [i128],
    pub job_path: Vec<[u8; 32]>,
    pub job_root: [u8; 32],
    /// `ρ_{p,j}`, the blindings of the partition's column commitments.
    pub blindings: &'a [halo2_proofs::halo2curves::bn256::Fr],
}

/// Makes the opening: proves the partition's check with its blindings.
pub fn make(parts: Parts<'_>) -> zkmr_proto::PartitionOpening {
    let rows = (parts.id.row_end - parts.id.row_start) as usize;
    let statement = Statement {
        commitment: parts.commitment,
        partition: Some(&parts.id),
        rows,
        cols: parts.header.cols as usize,
        x: parts.x,
        vectors: parts.vectors,
        x_encoding: parts.x_encoding,
        y: parts.y,
        y_scale_bits: parts.header.encoding.scale_bits + parts.x_encoding.scale_bits,
    };
    let (t, folded) = proof::transcript(&statement);
    let (commitment_t, s) = proof::prove(t, folded.blinding(parts.blindings));
    zkmr_proto::PartitionOpening {
        version: zkmr_proto::OPENING_VERSION,
        scheme: Scheme::Pedersen.to_proto(),
        matrix: Some(zkmr_proto::MatrixMeta {
            rows: parts.header.rows,
            cols: parts.header.cols,
            encoding: Some(encoding_to_proto(parts.header.encoding)),
            rows_per_partition: parts.header.rows_per_partition,
            ..Default::default()
        }),
        matrix_key_digest: parts.matrix_key_digest.to_vec(),
        index: parts.id.index,
        row_start: parts.id.row_start,
        row_end: parts.id.row_end,
        columns: parts.columns.to_vec(),
        matrix_path: parts.matrix_path.iter().map(|h| h.to_vec()).collect(),
        x: parts.x.to_vec(),
        x_encoding: Some(encoding_to_proto(parts.x_encoding)),
        vectors: parts.vectors as u32,
        y: crate::field::pack_i128(parts.y),
        job_path: parts.job_path.iter().map(|h| h.to_vec()).collect(),
        job_root: parts.job_root.to_vec(),
        t: point_to_bytes(&commitment_t).to_vec(),
        s: scalar_to_bytes(&s).to_vec(),
    }
}

/// Decodes opening bytes; like a bundle, only the canonical encoding is taken, so every byte
/// is bound by the check.
pub fn decode(bytes: &[u8], what: &str) -> Result<zkmr_proto::PartitionOpening> {
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

fn hashes(path: &[Vec<u8>], depth: usize, what: &str) -> Result<Vec<[u8; 32]>> {
    if path.len() != depth {
        return Err(Error::rejected_bundle(format!(
            "the {what} path has {} hashes, the tree {depth} levels",
            path.len()
        )));
    }
    path.iter()
        .map(|h| {
            h.as_slice()
                .try_into()
                .map_err(|_| Error::rejected_bundle(format!("a {what} path hash is not 32 bytes")))
        })
        .collect()
}

/// Checks `opening` for the matrix behind `trusted_commitment`; the job root it establishes
/// is returned for the caller to compare with the one it trusts.
pub fn verify(
    opening: &zkmr_proto::PartitionOpening,
    trusted_commitment: &[u8; 32],
) -> Result<OpenedPartition> {
    let reject = |reason: String| Error::rejected(opening.index, reason);
    if opening.scheme != Scheme::Pedersen.to_proto() {
        return Err(reject("openings are made under the pedersen scheme".into()));
    }
    let meta = opening
        .matrix
        .as_ref()
        .ok_or_else(|| reject("missing the matrix header".into()))?;
    if meta.fold != 0 || meta.k != 0 || !meta.srs_digest.is_empty() {
        return Err(reject("a pedersen opening with halo2 settings".into()));
    }
    let header = Header {
        rows: meta.rows,
        cols: meta.cols,
        encoding: encoding_from_proto(meta.encoding.as_ref(), "matrix.encoding")
            .map_err(|e| reject(e.to_string()))?,
        rows_per_partition: meta.rows_per_partition,
    };
    if !(1..=MAX_DIMENSION).contains(&header.rows) || !(1..=MAX_DIMENSION).contains(&header.cols) {
        return Err(reject(format!(
            "a {}x{} matrix is not one this verifier takes",
            header.rows, header.cols
        )));
    }
    let partitioning = Partitioning::new(header.rows as usize, header.rows_per_partition as usize)
        .map_err(|e| reject(e.to_string()))?;
    let count = partitioning.count();
    let index = opening.index as usize;
    if index >= count {
        return Err(reject(format!("the matrix has {count} partitions")));
    }
    let rows = partitioning.range(index);
    if (opening.row_start, opening.row_end) != (rows.start as u64, rows.end as u64) {
        return Err(reject(format!(
            "claims rows {}..{}, the partition holds rows {}..{}",
            opening.row_start, opening.row_end, rows.start, rows.end
        )));
    }
    let cols = header.cols as usize;
    if opening.columns.len() != cols * POINT_BYTES {
        return Err(reject(format!(
            "{} bytes of column commitments for {cols} columns",
            opening.columns.len()
        )));
    }

    // The partition's key, through the matrix commitment.
    let id = PartitionKeyId {
        index: opening.index,
        row_start: opening.row_start,
        row_end: opening.row_end,
        key_digest: partition_key_digest(
            opening.index,
            opening.row_start,
            opening.row_end,
            &opening.columns,
        ),
    };
    let depth = merkle_depth(count);
    let matrix_path = hashes(&opening.matrix_path, depth, "matrix")?;
    let key_digest: [u8; 32] = opening
        .matrix_key_digest
        .as_slice()
        .try_into()
        .map_err(|_| reject("the matrix key digest is not 32 bytes".into()))?;
    let commitment = commitment_of(
        &header,
        count,
        &key_digest,
        &merkle_root_from(matrix_leaf(&id), index, &matrix_path),
    );
    if &commitment != trusted_commitment {
        return Err(reject(
            "its column commitments and path do not lead to the trusted matrix commitment".into(),
        ));
    }

    // The vectors and the y block, within their bounds.
    let vectors = match opening.vectors as u64 {
        0 => return Err(reject("the opening proves no vectors".into())),
        v if v > MAX_VECTORS => return Err(reject(format!("{v} vectors exceed the limit"))),
        v => v as usize,
    };
    let x_encoding = encoding_from_proto(opening.x_encoding.as_ref(), "x_encoding")
        .map_err(|e| reject(e.to_string()))?;
    check_output_range(cols, header.encoding, x_encoding).map_err(|e| reject(e.to_string()))?;
    if opening.x.len() != vectors * cols {
        return Err(reject(format!(
            "x has {} entries, {vectors} vectors of {cols} columns take {}",
            opening.x.len(),
            vectors * cols
        )));
    }
    if opening
        .x
        .iter()
        .any(|v| v.unsigned_abs() >= 1u64 << x_encoding.value_bits)
    {
        return Err(reject("x exceeds its declared bit width".into()));
    }
    if opening.y.len() != rows.len() * vectors * 16 {
        return Err(reject(format!(
            "y has {} bytes, {vectors} blocks of {} rows take {}",
            opening.y.len(),
            rows.len(),
            rows.len() * vectors * 16
        )));
    }
    let y = unpack_i128(&opening.y, "y").map_err(|e| reject(e.to_string()))?;
    let y_bound = output_bound(cols, header.encoding, x_encoding);
    if y.iter().any(|v| v.unsigned_abs() >= y_bound) {
        return Err(reject(
            "a y entry exceeds the bound the encodings allow".into(),
        ));
    }

    // The partition's homomorphic check.
    let columns = points_from_bytes(&opening.columns, cols, "partition column")
        .map_err(|e| reject(e.to_string()))?;
    let commitment_t = point_from_bytes(&opening.t, "T").map_err(|e| reject(e.to_string()))?;
    let s = scalar_from_bytes(&opening.s, "s").map_err(|e| reject(e.to_string()))?;
    let y_scale_bits = header.encoding.scale_bits + x_encoding.scale_bits;
    let statement = Statement {
        commitment: &commitment,
        partition: Some(&id),
        rows: rows.len(),
        cols,
        x: &opening.x,
        vectors,
        x_encoding,
        y: &y,
        y_scale_bits,
    };
    let (t, folded) = proof::transcript(&statement);
    let generators = generators::range(rows.clone());
    let p = folded.point(&columns, &generators, 0..rows.len());
    if !proof::holds(t, p, &commitment_t, &s) {
        return Err(reject(
            "its y block does not match its committed columns: the check fails".into(),
        ));
    }

    // The job root, from the verified block.
    let leaf = job_leaf(&id, &vectors_digest(&opening.x), &y);
    let job_path = hashes(&opening.job_path, depth, "job")?;
    let job_root = job_root_of(
        &commitment,
        vectors,
        x_encoding,
        count,
        &merkle_root_from(leaf, index, &job_path),
    );
    if opening.job_root != job_root {
        return Err(reject(
            "the job root in the opening is not the one its leaf and path lead to".into(),
        ));
    }
    Ok(OpenedPartition {
        index: opening.index,
        row_start: opening.row_start,
        row_end: opening.row_end,
        y,
        vectors,
        y_scale_bits,
        job_root,
    })
}
