//! A cqlin job as a bundle: the partitions' `y` blocks, the job root over them, and one proof
//! for the whole job with the matrix's public data (`docs/cqlin.md` section 12.7).
//!
//! The proof's context binds what the cqlin statement leaves to the engine: `x`'s scale (its
//! bits are the statement's `x_bits`), so a proof for `x` read at one scale is not one for the
//! same integers read at another. The job root is recomputed from verified values only, with
//! the same leaves as the other schemes' BLAKE3 roots under this scheme's domain.

use rayon::prelude::*;
use zkmr_math::error::{Error, Result};
use zkmr_math::fixed_point::FixedPoint;
use zkmr_math::limits::MAX_VECTORS;
use zkmr_math::matrix::{gather_outputs, Partitioning};
use zkmr_scheme::bundle::{encoding_from_proto, encoding_to_proto, partition_y};
use zkmr_scheme::digest::Domain;
use zkmr_scheme::{x_digest, PartitionProved, Scheme, Vectors, Verified};

use crate::commitment::Commitment;
use crate::proof::{Batch, Proof};
use crate::srs::{development_id, Allowed};

/// The scheme's domain tag for its digests (the job root and its leaves).
pub const DOMAIN: Domain = Domain("zkmr-cqlin-v1");

/// The context a job's proof is bound to: the tag and `x`'s scale bits (big-endian), as the
/// contract reads them from calldata.
pub fn context(x_encoding: FixedPoint) -> Vec<u8> {
    let mut out = b"zkmr-cqlin-job-v1".to_vec();
    out.extend_from_slice(&x_encoding.scale_bits.to_be_bytes());
    out
}

/// The bundle of a job proved for `x` with `proof` (empty where the prover refused to make
/// one).
pub fn bundle_of(
    public: &Commitment,
    commitment: &[u8; 32],
    x: &Vectors,
    partitions: Vec<PartitionProved>,
    root: [u8; 32],
    proof: Vec<u8>,
) -> zkmr_proto::Bundle {
    let h = &public.header;
    zkmr_proto::Bundle {
        version: zkmr_proto::BUNDLE_VERSION,
        matrix: Some(zkmr_proto::MatrixMeta {
            rows: h.rows,
            cols: h.cols,
            encoding: Some(encoding_to_proto(h.encoding)),
            rows_per_partition: h.rows_per_partition as u32,
            ..Default::default()
        }),
        srs: None,
        matrix_commitment: commitment.to_vec(),
        x: x.values.clone(),
        x_encoding: Some(encoding_to_proto(x.encoding)),
        partitions: partitions
            .into_iter()
            .map(|p| zkmr_proto::PartitionProof {
                y: zkmr_math::field::pack_i128(&p.y),
                ..p.proof
            })
            .collect(),
        job_root: root.to_vec(),
        scheme: Scheme::Cqlin.to_proto(),
        vectors: x.count as u32,
        pedersen: None,
        cqlin: Some(zkmr_proto::CqlinProof {
            public_data: public.bytes(),
            proof,
        }),
    }
}

/// Verifies a cqlin `bundle` for the matrix behind `trusted_commitment`. The development SRS
/// is accepted, and its verdicts say UNSAFE.
///
/// Cheapest checks first: the public data against the trusted commitment and the bundle's
/// header, the partition list, lengths and bounds, then the proof's one pairing product, then
/// the job root from the verified values.
pub fn verify(bundle: &zkmr_proto::Bundle, trusted_commitment: &[u8; 32]) -> Result<Verified> {
    let reject = |e: Error| Error::rejected_bundle(e.to_string());
    if bundle.matrix_commitment != trusted_commitment {
        return Err(Error::rejected_bundle(
            "the bundle claims another matrix commitment than the trusted one",
        ));
    }
    let cqlin = bundle
        .cqlin
        .as_ref()
        .ok_or_else(|| Error::rejected_bundle("missing the cqlin proof"))?;
    if bundle.pedersen.is_some() || bundle.srs.is_some() {
        return Err(Error::rejected_bundle(
            "a cqlin bundle with another scheme's proof or SRS",
        ));
    }
    let public = Commitment::from_bytes(&cqlin.public_data).map_err(reject)?;
    if public.digest() != *trusted_commitment {
        return Err(Error::rejected_bundle(
            "the matrix's public data in the bundle do not hash to the trusted commitment",
        ));
    }
    let h = &public.header;
    let shape = h.shape().map_err(reject)?;
    // One encoding per bundle: cqlin bundles were only ever written at this version.
    if bundle.version != zkmr_proto::BUNDLE_VERSION {
        return Err(Error::rejected_bundle(format!(
            "a cqlin bundle of version {}, not {}",
            bundle.version,
            zkmr_proto::BUNDLE_VERSION
        )));
    }
    let meta = bundle
        .matrix
        .as_ref()
        .ok_or_else(|| Error::rejected_bundle("missing the matrix header"))?;
    let encoding =
        encoding_from_proto(meta.encoding.as_ref(), "matrix.encoding").map_err(reject)?;
    let expected_meta = zkmr_proto::MatrixMeta {
        rows: h.rows,
        cols: h.cols,
        encoding: Some(encoding_to_proto(h.encoding)),
        rows_per_partition: h.rows_per_partition as u32,
        ..Default::default()
    };
    if *meta != expected_meta || encoding != h.encoding {
        return Err(Error::rejected_bundle(
            "the bundle's matrix header is not the committed one",
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
    let x_encoding =
        encoding_from_proto(bundle.x_encoding.as_ref(), "x_encoding").map_err(reject)?;
    let partitioning =
        Partitioning::new(shape.rows, h.rows_per_partition as usize).map_err(reject)?;
    let ids = zkmr_scheme::bundle::y_only_partitions(bundle, partitioning, vectors)?;
    let mut blocks = Vec::with_capacity(ids.len());
    for p in &bundle.partitions {
        blocks.push(
            partition_y(bundle.version, &p.y, &format!("partition {} y", p.index))
                .map_err(|e| Error::rejected(p.index, e.to_string()))?,
        );
    }
    let y = gather_outputs(
        shape.rows,
        vectors,
        ids.iter()
            .zip(&blocks)
            .map(|(id, block)| (id.row_start as usize, block.as_slice())),
    );
    let proof = Proof::from_bytes(&cqlin.proof).map_err(reject)?;
    let context = context(x_encoding);
    let batch = Batch {
        context: &context,
        vectors,
        x: &bundle.x,
        y: &y,
        x_bits: x_encoding.value_bits,
    };
    crate::verify::verify(
        &public,
        trusted_commitment,
        &Allowed { development: true },
        &batch,
        &proof,
    )?;

    // The job root, from verified values only.
    let leaf_x = DOMAIN.vectors_digest(&bundle.x);
    let leaves: Vec<[u8; 32]> = ids
        .par_iter()
        .zip(&blocks)
        .map(|(id, block)| DOMAIN.job_leaf(id, &leaf_x, block))
        .collect();
    let root = DOMAIN.job_root(trusted_commitment, vectors, x_encoding, &leaves);
    if bundle.job_root != root {
        return Err(Error::rejected_bundle(
            "the job root in the bundle is not the root of its verified partitions",
        ));
    }
    Ok(Verified {
        scheme: Scheme::Cqlin,
        y,
        vectors,
        y_scale_bits: h.encoding.scale_bits + x_encoding.scale_bits,
        job_root: root,
        partitions: ids.len(),
        matrix_encoding: h.encoding,
        x_digest: x_digest(&bundle.x, vectors, x_encoding),
        x: bundle.x.clone(),
        x_encoding,
        srs_unsafe: h.srs == development_id(shape.log_entries()),
    })
}
