//! The protobuf messages the JVM reads, built from the core's results.

use prost::Message;
use zkmr_core::bundle::encoding_to_proto;
use zkmr_core::fixed_point::{decode_all, FixedPoint};
use zkmr_core::job::{JobRunner, Reduced};
use zkmr_core::store::digest_to_hex as to_hex;
use zkmr_core::verify::OpenedPartition;
use zkmr_core::verify::Verified;

use crate::boundary::Result;

pub fn store_info(open: &JobRunner) -> Result<zkmr_proto::StoreInfo> {
    let manifest = &open.store.manifest;
    Ok(zkmr_proto::StoreInfo {
        dir: open.store.dir().display().to_string(),
        matrix: Some(open.matrix_meta()?),
        matrix_commitment: manifest.matrix_commitment.clone(),
        partitions: manifest.partitions.len() as u32,
        srs_unsafe: manifest.is_unsafe(),
        scheme: manifest.scheme.to_string(),
        row_products: open.row_products(),
    })
}

/// What a task reports of its proved partition; `macs` counts the entries it handed in. The
/// key digest is empty under pedersen, whose one key is the matrix's.
pub fn partition_output(
    open: &JobRunner,
    result: zkmr_proto::PartitionResult,
    macs: u64,
) -> Result<zkmr_proto::PartitionOutput> {
    let summary = open.summarize(&result)?;
    Ok(zkmr_proto::PartitionOutput {
        result: Some(result),
        index: summary.index,
        row_start: summary.row_start,
        row_end: summary.row_end,
        y: summary.y,
        key_digest: summary.key_digest.as_ref().map(to_hex).unwrap_or_default(),
        leaf: to_hex(&summary.leaf),
        prove_seconds: summary.prove_seconds,
        macs,
    })
}

/// The job as the reducer committed it, with the `x` it was committed for (the driver's).
pub fn job_output(committed: Reduced) -> zkmr_proto::JobOutput {
    let y = committed.y();
    let Reduced {
        bundle,
        verified,
        commitment,
        y_error_bound,
    } = committed;
    zkmr_proto::JobOutput {
        matrix_commitment: to_hex(&commitment),
        job_root: to_hex(&verified.job_root),
        y,
        y_scale_bits: verified.y_scale_bits,
        partitions: verified.partitions as u32,
        bundle: Some(bundle),
        y_error_bound,
        x_digest: to_hex(&verified.x_digest),
        x: verified.x,
        x_encoding: Some(encoding_to_proto(verified.x_encoding)),
        vectors: verified.vectors as u32,
    }
}

/// The tag of `ChunkOutput.bundle`.
const CHUNK_BUNDLE_TAG: u32 = 4;

/// A batch chunk as its task reports it, encoded: what the task emits (`y`, decoded) and
/// writes (the bundle), without the copies of `x` a job's output carries. The bundle is
/// encoded straight into the reply, as the `bytes` field holding its encoding (the same bytes
/// on the wire), instead of into a buffer of its own that the reply's encoding copies again.
pub fn chunk_output(committed: Reduced) -> Vec<u8> {
    let head = zkmr_proto::ChunkOutput {
        job_root: to_hex(&committed.verified.job_root),
        vectors: committed.verified.vectors as u32,
        y: committed.y(),
        bundle: Vec::new(),
    };
    let len = head.encoded_len()
        + prost::encoding::message::encoded_len(CHUNK_BUNDLE_TAG, &committed.bundle);
    let mut out = Vec::with_capacity(len);
    head.encode_raw(&mut out);
    prost::encoding::message::encode(CHUNK_BUNDLE_TAG, &committed.bundle, &mut out);
    out
}

/// What a verdict is about, in the fields `Verification` names it by: the vectors checked
/// (encoded, with their encoding and digest) and the verified `y`, decoded.
struct Subject {
    x: Vec<i64>,
    x_encoding: FixedPoint,
    x_digest: [u8; 32],
    vectors: usize,
    y: Vec<i128>,
    y_scale_bits: u32,
    job_root: [u8; 32],
}

impl Subject {
    fn into_verification(self, message: String, partitions: u32) -> zkmr_proto::Verification {
        zkmr_proto::Verification {
            verified: true,
            message,
            partitions,
            job_root: to_hex(&self.job_root),
            x_digest: to_hex(&self.x_digest),
            x: self.x,
            x_encoding: Some(encoding_to_proto(self.x_encoding)),
            vectors: self.vectors as u32,
            y: decode_all(&self.y, self.y_scale_bits),
            y_scale_bits: self.y_scale_bits,
            ..Default::default()
        }
    }
}

/// A rejection: the reason, and nothing it could be mistaken to establish.
fn rejection(message: String) -> zkmr_proto::Verification {
    zkmr_proto::Verification {
        verified: false,
        message,
        ..Default::default()
    }
}

/// The verdict on a bundle: every partition, the job's `x` and `y`.
pub fn verification(verified: Option<Verified>, message: String) -> zkmr_proto::Verification {
    let Some(v) = verified else {
        return rejection(message);
    };
    let partitions = v.partitions as u32;
    Subject {
        x: v.x,
        x_encoding: v.x_encoding,
        x_digest: v.x_digest,
        vectors: v.vectors,
        y: v.y,
        y_scale_bits: v.y_scale_bits,
        job_root: v.job_root,
    }
    .into_verification(message, partitions)
}

/// The verdict on a partition opening: one partition, its rows and `y` block, and the job
/// root it belongs to.
pub fn opening_verification(
    opened: Option<OpenedPartition>,
    message: String,
) -> zkmr_proto::Verification {
    let Some(o) = opened else {
        return rejection(message);
    };
    let (index, row_start, row_end) = (o.index, o.row_start, o.row_end);
    zkmr_proto::Verification {
        index,
        row_start,
        row_end,
        ..Subject {
            x: o.x,
            x_encoding: o.x_encoding,
            x_digest: o.x_digest,
            vectors: o.vectors,
            y: o.y,
            y_scale_bits: o.y_scale_bits,
            job_root: o.job_root,
        }
        .into_verification(message, 1)
    }
}
