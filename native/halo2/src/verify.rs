//! Verification of a bundle against a trusted matrix commitment.
//!
//! The verifier needs the bundle and the commitment, nothing from the prover's key store.
//! Checks run cheapest first: the partition list must be exactly the partitions the header
//! implies, in order; the keys in the bundle must rebuild the trusted commitment; every
//! proof must verify against its key with `x` and its `y` block as public inputs. The job
//! root is then recomputed from the verified values, never taken from the bundle.

use rayon::prelude::*;

use zkmr_scheme::bundle::encoding_from_proto;

use crate::keys::{key_digest, vk_from_bytes};
use crate::meta::meta_from_proto;
use crate::shape::CircuitShape;
use crate::srs::VerifierSrs;
use crate::statement::{job_root_of, matrix_commitment, PartitionId};
use crate::transcript;
use zkmr_math::error::{Error, Result};
use zkmr_math::field::{from_bytes, from_i64, to_bytes, F};
use zkmr_math::fixed_point::{check_output_range, FixedPoint};
use zkmr_math::matrix::Partitioning;
use zkmr_scheme::bundle::partition_y;

/// What a successful verification establishes.
#[derive(Clone, Debug)]
pub struct Verified {
    /// `y = A x`, encoded at scale `s_A + s_x`.
    pub y: Vec<i128>,
    pub y_scale_bits: u32,
    pub job_root: F,
    pub partitions: usize,
    pub matrix_encoding: FixedPoint,
    pub x_encoding: FixedPoint,
    /// Verified under the development SRS, whose secret is public.
    pub srs_unsafe: bool,
}

/// [`verify`] as every scheme states its verdict, for a commitment given as bytes.
pub fn verdict(
    bundle: &zkmr_proto::Bundle,
    trusted_commitment: &[u8; 32],
) -> Result<zkmr_scheme::Verified> {
    let trusted = from_bytes(trusted_commitment, "the trusted commitment").map_err(|_| {
        Error::rejected_bundle("the trusted commitment is not a halo2 matrix commitment")
    })?;
    let v = verify(bundle, trusted)?;
    Ok(zkmr_scheme::Verified {
        scheme: zkmr_scheme::Scheme::Halo2,
        y: v.y,
        vectors: 1,
        y_scale_bits: v.y_scale_bits,
        job_root: to_bytes(&v.job_root),
        partitions: v.partitions,
        matrix_encoding: v.matrix_encoding,
        x_digest: zkmr_scheme::x_digest(&bundle.x, 1, v.x_encoding),
        x: bundle.x.clone(),
        x_encoding: v.x_encoding,
        srs_unsafe: v.srs_unsafe,
    })
}

/// Verifies `bundle` for the matrix behind `trusted_commitment`.
pub fn verify(bundle: &zkmr_proto::Bundle, trusted_commitment: F) -> Result<Verified> {
    if bundle.scheme != zkmr_scheme::Scheme::Halo2.to_proto() {
        return Err(Error::rejected_bundle(
            "the bundle was not made under the halo2 scheme",
        ));
    }
    if from_bytes(&bundle.matrix_commitment, "bundle matrix_commitment").ok()
        != Some(trusted_commitment)
    {
        return Err(Error::rejected_bundle(
            "the bundle claims another matrix commitment than the trusted one",
        ));
    }
    if bundle.vectors != 1 || bundle.pedersen.is_some() || bundle.cqlin.is_some() {
        return Err(Error::rejected_bundle(
            "a halo2 bundle proves one vector and carries no pedersen or cqlin proof",
        ));
    }
    let header = meta_from_proto(bundle.matrix.as_ref())?;
    let srs = VerifierSrs::from_proto(
        bundle
            .srs
            .as_ref()
            .ok_or_else(|| Error::Format("bundle: missing srs".into()))?,
    )?;
    if srs.digest() != header.srs_digest {
        return Err(Error::rejected_bundle(
            "the SRS in the bundle is not the one the matrix header names",
        ));
    }
    let shape = CircuitShape::new(
        header.rows_per_partition as usize,
        header.cols as usize,
        header.fold as usize,
    )
    .map_err(|e| Error::rejected_bundle(format!("matrix header: {e}")))?;
    if shape.k() != header.k {
        return Err(Error::rejected_bundle(format!(
            "matrix header: k = {} but the shape needs k = {}",
            header.k,
            shape.k()
        )));
    }
    let x_encoding = encoding_from_proto(bundle.x_encoding.as_ref(), "x_encoding")?;
    let x = &bundle.x;
    if x.len() as u64 != header.cols {
        return Err(Error::rejected_bundle(format!(
            "x has {} entries, the matrix {} columns",
            x.len(),
            header.cols
        )));
    }
    if x.iter()
        .any(|v| v.unsigned_abs() >= 1u64 << x_encoding.value_bits)
    {
        return Err(Error::rejected_bundle("x exceeds its declared bit width"));
    }
    check_output_range(x.len(), header.encoding, x_encoding)
        .map_err(|e| Error::rejected_bundle(e.to_string()))?;

    let partitioning = Partitioning::new(header.rows as usize, shape.rows)
        .map_err(|e| Error::rejected_bundle(e.to_string()))?;
    zkmr_scheme::bundle::check_partition_list(&bundle.partitions, partitioning)?;

    // Keys: parse each, and rebuild the matrix commitment from their digests.
    let keys = bundle
        .partitions
        .par_iter()
        .map(|p| {
            let vk = vk_from_bytes(&p.verifying_key, shape, p.index)?;
            let y = partition_y(bundle.version, &p.y, &format!("partition {} y", p.index))
                .map_err(|e| Error::rejected(p.index, e.to_string()))?;
            if y.len() as u64 != p.row_end - p.row_start {
                return Err(Error::rejected(
                    p.index,
                    format!(
                        "y block has {} entries for rows {}..{}",
                        y.len(),
                        p.row_start,
                        p.row_end
                    ),
                ));
            }
            Ok((vk, y))
        })
        .collect::<Result<Vec<_>>>()?;
    let ids: Vec<PartitionId> = bundle
        .partitions
        .iter()
        .zip(&keys)
        .map(|(p, (vk, _))| PartitionId {
            index: p.index,
            row_start: p.row_start,
            row_end: p.row_end,
            key_digest: key_digest(vk),
        })
        .collect();
    let commitment = matrix_commitment(&header, &ids);
    if commitment != trusted_commitment {
        return Err(Error::rejected_bundle(
            "the keys in the bundle do not rebuild the trusted matrix commitment",
        ));
    }

    // Proofs.
    let params = srs.params(header.k);
    let x_field: Vec<F> = x.iter().map(|v| from_i64(*v)).collect();
    bundle
        .partitions
        .par_iter()
        .zip(&keys)
        .try_for_each(|(p, (vk, y))| {
            let instances = shape.instance_columns(&x_field, y);
            transcript::verify(&params, vk, &instances, &p.proof)
                .map_err(|reason| Error::rejected(p.index, reason))
        })?;

    // The job root, from verified values only.
    let root = job_root_of(
        commitment,
        x,
        x_encoding,
        &ids,
        keys.iter().map(|(_, y)| y.as_slice()),
    );
    let claimed_root = from_bytes(&bundle.job_root, "bundle job_root")
        .map_err(|e| Error::rejected_bundle(e.to_string()))?;
    if claimed_root != root {
        return Err(Error::rejected_bundle(
            "the job root in the bundle is not the root of its verified partitions",
        ));
    }

    Ok(Verified {
        y: keys.into_iter().flat_map(|(_, y)| y).collect(),
        y_scale_bits: header.encoding.scale_bits + x_encoding.scale_bits,
        job_root: root,
        partitions: ids.len(),
        matrix_encoding: header.encoding,
        x_encoding,
        srs_unsafe: srs.is_development(),
    })
}
