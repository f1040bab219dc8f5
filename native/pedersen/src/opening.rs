//! One partition shown alone: its `y` block, checked by a third party against the matrix
//! commitment and the job root without the other rows' outputs.
//!
//! An opening is checked against the one matrix key `C_0 .. C_{n-1}` that every job is checked
//! against, so it can never tell another story than the job (`docs/pedersen.md`, section 4).
//! Its statement is
//!
//! ```text
//! Q_p = Σ_j x'_j·C_j − Σ_{i ∈ rows(p)} y'_i·G_i = Σ_{i ∉ rows(p)} w_i·G_i + w_H·H
//! ```
//!
//! and the opening proves knowledge of a representation `(w, w_H)` of `Q_p` over the other
//! rows' generators and `H` (Okamoto's proof of knowledge of a representation): `T`, then a
//! response per other row and one for `H`. The honest witness is the other rows' folded
//! outputs and the job's blinding; the responses are masked by fresh randomness, so they
//! reveal nothing of those outputs. Only the holder of the store's secret can make one, and
//! only for a bundle that verifies.

use halo2_proofs::halo2curves::bn256::{Fr, G1Affine, G1};
use halo2_proofs::halo2curves::group::Curve;
use rayon::prelude::*;

use super::encoding::{point_from_bytes, point_to_bytes, points_from_bytes};
use super::encoding::{scalar_from_bytes, scalar_to_bytes, POINT_BYTES, SCALAR_BYTES};
use super::generators;
use super::msm::{msm, mul_h};
use super::proof::{self, Folded, Statement};
use super::statement::{job_leaf, matrix_commitment, vectors_digest, MatrixHeader, PartitionId};
use super::transcript::{Transcript, DOMAIN};
use zkmr_math::error::{Error, Result};
use zkmr_math::field::unpack_i128_fixed;
use zkmr_math::fixed_point::{check_output_range, output_bound, FixedPoint};
use zkmr_math::limits::{MAX_DIMENSION, MAX_VECTORS};
use zkmr_math::matrix::Partitioning;
use zkmr_scheme::bundle::{encoding_from_proto, encoding_to_proto};
use zkmr_scheme::expected::{check_x, x_digest, Expected, OpenedPartition};
use zkmr_scheme::Scheme;

/// What the prover puts in an opening, all from a verified bundle and the store.
pub struct Parts<'a> {
    pub header: MatrixHeader,
    pub commitment: &'a [u8; 32],
    /// The matrix key `C_0 .. C_{n-1}`, encoded.
    pub columns: &'a [u8],
    pub id: PartitionId,
    pub x: &'a [i64],
    pub x_encoding: FixedPoint,
    pub vectors: usize,
    /// The whole job's verified `y`: one block of every row per vector.
    pub y: &'a [i128],
    pub job_path: Vec<[u8; 32]>,
    pub job_root: [u8; 32],
    /// `ρ_j`, the blindings of the matrix key's columns.
    pub blindings: &'a [Fr],
}

/// The rows outside partition `id`: `0..row_start` then `row_end..rows`.
fn other_rows(id: &PartitionId, rows: usize) -> impl Iterator<Item = usize> + Clone {
    (0..id.row_start as usize).chain(id.row_end as usize..rows)
}

/// The partition's statement: its index and rows, the job it belongs to, `x` (its vectors,
/// their count and encoding) and its own block of `y`.
fn statement<'a>(
    header: &MatrixHeader,
    commitment: &'a [u8; 32],
    (id, job_root): (&'a PartitionId, &'a [u8; 32]),
    (x, vectors, x_encoding): (&'a [i64], usize, FixedPoint),
    y_block: &'a [i128],
) -> Statement<'a> {
    Statement {
        commitment,
        partition: Some((id, job_root)),
        rows: (id.row_end - id.row_start) as usize,
        cols: header.cols as usize,
        x,
        vectors,
        x_encoding,
        y: y_block,
        y_scale_bits: header.encoding.scale_bits + x_encoding.scale_bits,
    }
}

/// The partition's block of `y` (one block of its rows per vector) out of the job's.
fn block_of(y: &[i128], rows: usize, vectors: usize, id: &PartitionId) -> Vec<i128> {
    let range = id.row_start as usize..id.row_end as usize;
    (0..vectors)
        .flat_map(|b| y[b * rows..(b + 1) * rows][range.clone()].iter().copied())
        .collect()
}

/// Makes the opening: proves a representation of what the partition's rows leave over.
pub fn make(parts: Parts<'_>) -> zkmr_proto::PartitionOpening {
    let rows = parts.header.rows as usize;
    let block = block_of(parts.y, rows, parts.vectors, &parts.id);
    let statement = statement(
        &parts.header,
        parts.commitment,
        (&parts.id, &parts.job_root),
        (parts.x, parts.vectors, parts.x_encoding),
        &block,
    );
    let (t, folded) = proof::transcript(&statement);
    let all = folded.fold_outputs(parts.y, rows, parts.vectors);
    let others: Vec<usize> = other_rows(&parts.id, rows).collect();
    let generators = generators::rows(rows);
    let bases: Vec<G1Affine> = others.iter().map(|i| generators[*i]).collect();
    let witness: Vec<Fr> = others.iter().map(|i| all[*i]).collect();
    let witness_h = folded.blinding(parts.blindings);

    let nonces: Vec<Fr> = witness
        .par_iter()
        .enumerate()
        .map(|(i, w)| proof::hedged_nonce(&t, w, i as u64))
        .collect();
    let nonce_h = proof::hedged_nonce(&t, &witness_h, others.len() as u64);
    let commitment_t = (msm(&nonces, &bases) + mul_h(&nonce_h)).to_affine();
    let c = proof::challenge(t, &commitment_t);
    let mut z: Vec<u8> = nonces
        .par_iter()
        .zip(&witness)
        .flat_map_iter(|(k, w)| scalar_to_bytes(&(*k + c * w)))
        .collect();
    z.extend(scalar_to_bytes(&(nonce_h + c * witness_h)));

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
        index: parts.id.index,
        row_start: parts.id.row_start,
        row_end: parts.id.row_end,
        x: parts.x.to_vec(),
        x_encoding: Some(encoding_to_proto(parts.x_encoding)),
        vectors: parts.vectors as u32,
        y: zkmr_math::field::pack_i128_fixed(&block),
        job_path: parts.job_path.iter().map(|h| h.to_vec()).collect(),
        job_root: parts.job_root.to_vec(),
        t: point_to_bytes(&commitment_t).to_vec(),
        matrix_key: parts.columns.to_vec(),
        z,
    }
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

/// Checks `opening` for the matrix behind `trusted_commitment`, and against the `x` and job
/// root the caller `expected`, where it gave them; the job root it establishes is returned
/// either way.
pub fn verify(
    opening: &zkmr_proto::PartitionOpening,
    trusted_commitment: &[u8; 32],
    expected: &Expected,
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
    let header = MatrixHeader {
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
    let id = PartitionId {
        index: opening.index,
        row_start: opening.row_start,
        row_end: opening.row_end,
    };
    let (m, cols) = (header.rows as usize, header.cols as usize);

    // The matrix key, through the matrix commitment.
    if opening.matrix_key.len() != cols * POINT_BYTES {
        return Err(reject(format!(
            "the matrix key has {} bytes, {cols} columns take {}",
            opening.matrix_key.len(),
            cols * POINT_BYTES
        )));
    }
    let commitment = matrix_commitment(&header, count, &opening.matrix_key);
    if &commitment != trusted_commitment {
        return Err(reject(
            "its matrix key does not rebuild the trusted matrix commitment".into(),
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
    check_x(&opening.x, vectors, x_encoding, cols, expected)?;
    if opening.y.len() != rows.len() * vectors * 16 {
        return Err(reject(format!(
            "y has {} bytes, {vectors} blocks of {} rows take {}",
            opening.y.len(),
            rows.len(),
            rows.len() * vectors * 16
        )));
    }
    let y = unpack_i128_fixed(&opening.y, "y").map_err(|e| reject(e.to_string()))?;
    let y_bound = output_bound(cols, header.encoding, x_encoding);
    if let Some(why) = proof::beyond_bound(&y, y_bound) {
        return Err(reject(why.into()));
    }
    let others = m - rows.len();
    if opening.z.len() != (others + 1) * SCALAR_BYTES {
        return Err(reject(format!(
            "the proof has {} bytes of responses, {} other rows and H take {}",
            opening.z.len(),
            others,
            (others + 1) * SCALAR_BYTES
        )));
    }

    // The job root the opening claims, from the verified block and its path: bound into the
    // proof's transcript, so only the prover can name the job.
    let leaf = job_leaf(&id, &vectors_digest(&opening.x), &y);
    let job_path = hashes(&opening.job_path, zkmr_math::merkle::depth(count), "job")?;
    let job_root = DOMAIN.job_root_of(
        &commitment,
        vectors,
        x_encoding,
        count,
        &DOMAIN.merkle_root_from(leaf, index, &job_path),
    );
    if opening.job_root != job_root {
        return Err(reject(
            "the job root in the opening is not the one its leaf and path lead to".into(),
        ));
    }

    // The representation proof.
    let columns = points_from_bytes(&opening.matrix_key, cols, "matrix key column")
        .map_err(|e| reject(e.to_string()))?;
    let commitment_t = point_from_bytes(&opening.t, "T").map_err(|e| reject(e.to_string()))?;
    let z = opening
        .z
        .chunks(SCALAR_BYTES)
        .map(|b| scalar_from_bytes(b, "a response"))
        .collect::<Result<Vec<Fr>>>()
        .map_err(|e| reject(e.to_string()))?;
    let statement = statement(
        &header,
        &commitment,
        (&id, &job_root),
        (&opening.x, vectors, x_encoding),
        &y,
    );
    let (t, folded) = proof::transcript(&statement);
    let y_scale_bits = statement.y_scale_bits;
    let generators = generators::rows(m);
    if !representation_holds(
        t,
        &folded,
        &columns,
        &generators[..m],
        &id,
        &commitment_t,
        &z,
    ) {
        return Err(reject(
            "its y block does not match the committed matrix: the check fails".into(),
        ));
    }
    if let Some(trusted) = expected.job_root {
        if trusted != job_root {
            return Err(reject(format!(
                "it belongs to job root {}, not the expected {}",
                hex::encode(job_root),
                hex::encode(trusted)
            )));
        }
    }
    Ok(OpenedPartition {
        index: opening.index,
        row_start: opening.row_start,
        row_end: opening.row_end,
        x_digest: x_digest(&opening.x, vectors, x_encoding),
        x: opening.x.clone(),
        x_encoding,
        y,
        vectors,
        y_scale_bits,
        job_root,
    })
}

/// Whether `Σ_{i∉p} z_i·G_i + z_H·H = T + c·Q_p`, with `Q_p` what the partition's folded
/// statement leaves over (`generators` are the matrix's rows' exactly; `z` holds the other
/// rows' responses in row order, then `z_H`).
fn representation_holds(
    t: Transcript,
    folded: &Folded,
    columns: &[G1Affine],
    generators: &[G1Affine],
    id: &PartitionId,
    commitment_t: &G1Affine,
    z: &[Fr],
) -> bool {
    let rows = id.row_start as usize..id.row_end as usize;
    let q: G1 = folded.point(columns, &generators[rows.clone()], 0..rows.len());
    let c = proof::challenge(t, commitment_t);
    let bases: Vec<G1Affine> = other_rows(id, generators.len())
        .map(|i| generators[i])
        .collect();
    let (z_h, z_rows) = z.split_last().expect("a response for H");
    msm(z_rows, &bases) + mul_h(z_h) == q * c + commitment_t
}
