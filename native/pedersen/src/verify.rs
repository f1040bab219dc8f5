//! Verification of a Pedersen bundle: one MSM of `n + m` points and a Schnorr check, whatever
//! the number of partitions.
//!
//! Cheapest checks first: the header and the partition list (every partition once, in order,
//! over the rows the header implies, with a `y` block per vector), sizes before anything is
//! decoded, the matrix commitment rebuilt from the bundle's matrix key,
//! `x` and `y` within their bounds, then the homomorphic check, then the job root from the
//! verified values.

use rayon::prelude::*;

use super::encoding::{point_from_bytes, points_from_bytes, scalar_from_bytes, POINT_BYTES};
use super::generators::{self, TAG};
use super::proof::{self, Statement};
use super::statement::{job_leaf, job_root, matrix_commitment, vectors_digest, MatrixHeader};
use zkmr_math::error::{Error, Result};
use zkmr_math::fixed_point::{check_output_range, output_bound};
use zkmr_math::matrix::{gather_outputs, Partitioning};
use zkmr_scheme::bundle::encoding_from_proto;
use zkmr_scheme::bundle::partition_y;
use zkmr_scheme::expected::{x_digest, Verified};
use zkmr_scheme::Scheme;

use zkmr_math::limits::{MAX_DIMENSION, MAX_VECTORS};

/// Verifies a Pedersen `bundle` for the matrix behind `trusted_commitment`.
pub fn verify(bundle: &zkmr_proto::Bundle, trusted_commitment: &[u8; 32]) -> Result<Verified> {
    let meta = bundle
        .matrix
        .as_ref()
        .ok_or_else(|| Error::rejected_bundle("missing the matrix header"))?;
    let encoding = encoding_from_proto(meta.encoding.as_ref(), "matrix.encoding")
        .map_err(|e| Error::rejected_bundle(e.to_string()))?;
    let header = MatrixHeader {
        rows: meta.rows,
        cols: meta.cols,
        encoding,
        rows_per_partition: meta.rows_per_partition,
    };
    if meta.fold != 0 || meta.k != 0 || !meta.srs_digest.is_empty() || bundle.srs.is_some() {
        return Err(Error::rejected_bundle(
            "a pedersen bundle with halo2 settings",
        ));
    }
    if bundle.cqlin.is_some() {
        return Err(Error::rejected_bundle(
            "a pedersen bundle with a cqlin proof",
        ));
    }
    if header.rows == 0
        || header.cols == 0
        || header.rows > MAX_DIMENSION
        || header.cols > MAX_DIMENSION
    {
        return Err(Error::rejected_bundle(format!(
            "matrix header: {}x{} is not a matrix this verifier takes",
            header.rows, header.cols
        )));
    }
    if bundle.matrix_commitment != trusted_commitment {
        return Err(Error::rejected_bundle(
            "the bundle claims another matrix commitment than the trusted one",
        ));
    }
    let vectors = match bundle.vectors {
        0 => return Err(Error::rejected_bundle("the bundle proves no vectors")),
        v if v as u64 > MAX_VECTORS => {
            return Err(Error::rejected_bundle(format!(
                "{v} vectors exceed the limit of {MAX_VECTORS}"
            )))
        }
        v => v as usize,
    };
    let (rows, cols) = (header.rows as usize, header.cols as usize);
    let pedersen = bundle
        .pedersen
        .as_ref()
        .ok_or_else(|| Error::rejected_bundle("missing the pedersen proof"))?;
    if pedersen.generators != TAG {
        return Err(Error::rejected_bundle(format!(
            "generators \"{}\" are not this verifier's \"{TAG}\"",
            pedersen.generators
        )));
    }
    if pedersen.columns.len() != cols * POINT_BYTES {
        return Err(Error::rejected_bundle(format!(
            "the matrix key has {} bytes, {cols} columns take {}",
            pedersen.columns.len(),
            cols * POINT_BYTES
        )));
    }
    let x_encoding = encoding_from_proto(bundle.x_encoding.as_ref(), "x_encoding")
        .map_err(|e| Error::rejected_bundle(e.to_string()))?;
    if bundle.x.len() != vectors * cols {
        return Err(Error::rejected_bundle(format!(
            "x has {} entries, {vectors} vectors of {cols} columns take {}",
            bundle.x.len(),
            vectors * cols
        )));
    }
    if let Some(j) = bundle
        .x
        .iter()
        .position(|v| v.unsigned_abs() >= 1u64 << x_encoding.value_bits)
    {
        return Err(Error::rejected_bundle(format!(
            "x entry {j} exceeds its declared {} bits",
            x_encoding.value_bits
        )));
    }
    check_output_range(cols, encoding, x_encoding)
        .map_err(|e| Error::rejected_bundle(e.to_string()))?;
    let partitioning = Partitioning::new(rows, header.rows_per_partition as usize)
        .map_err(|e| Error::rejected_bundle(e.to_string()))?;

    // The partition list and the y blocks.
    let ids = zkmr_scheme::bundle::y_only_partitions(bundle, partitioning, vectors)?;
    let commitment = matrix_commitment(&header, ids.len(), &pedersen.columns);
    if &commitment != trusted_commitment {
        return Err(Error::rejected_bundle(
            "the matrix key in the bundle does not rebuild the trusted matrix commitment",
        ));
    }
    let y_bound = output_bound(cols, encoding, x_encoding);
    let mut blocks = Vec::with_capacity(ids.len());
    for p in &bundle.partitions {
        let block = partition_y(bundle.version, &p.y, &format!("partition {} y", p.index))
            .map_err(|e| Error::rejected(p.index, e.to_string()))?;
        if let Some(why) = proof::beyond_bound(&block, y_bound) {
            return Err(Error::rejected(p.index, why));
        }
        blocks.push(block);
    }
    let y = gather_outputs(
        rows,
        vectors,
        ids.iter()
            .zip(&blocks)
            .map(|(id, block)| (id.row_start as usize, block.as_slice())),
    );

    // The homomorphic check.
    let columns = points_from_bytes(&pedersen.columns, cols, "matrix key column")
        .map_err(|e| Error::rejected_bundle(e.to_string()))?;
    let commitment_t =
        point_from_bytes(&pedersen.t, "T").map_err(|e| Error::rejected_bundle(e.to_string()))?;
    let s =
        scalar_from_bytes(&pedersen.s, "s").map_err(|e| Error::rejected_bundle(e.to_string()))?;
    let y_scale_bits = encoding.scale_bits + x_encoding.scale_bits;
    let statement = Statement {
        commitment: &commitment,
        partition: None,
        rows,
        cols,
        x: &bundle.x,
        vectors,
        x_encoding,
        y: &y,
        y_scale_bits,
    };
    let (t, folded) = proof::transcript(&statement);
    let generators = generators::rows(rows);
    let p = folded.point(&columns, &generators, 0..rows);
    if !proof::holds(t, p, &commitment_t, &s) {
        return Err(Error::rejected_bundle(proof::CHECK_FAILS));
    }

    // The job root, from verified values only.
    let leaf_x = vectors_digest(&bundle.x);
    let leaves: Vec<[u8; 32]> = ids
        .par_iter()
        .zip(&blocks)
        .map(|(id, block)| job_leaf(id, &leaf_x, block))
        .collect();
    let root = job_root(&commitment, vectors, x_encoding, &leaves);
    if bundle.job_root != root {
        return Err(Error::rejected_bundle(
            "the job root in the bundle is not the root of its verified partitions",
        ));
    }
    Ok(Verified {
        scheme: Scheme::Pedersen,
        y,
        vectors,
        y_scale_bits,
        job_root: root,
        partitions: ids.len(),
        matrix_encoding: encoding,
        x_digest: x_digest(&bundle.x, vectors, x_encoding),
        x: bundle.x.clone(),
        x_encoding,
        srs_unsafe: false,
    })
}
