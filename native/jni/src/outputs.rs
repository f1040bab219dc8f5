//! The protobuf messages the JVM reads, built from the core's results.

use zkmr_core::bundle::store_meta;
use zkmr_core::job::{Committed, OpenStore};
use zkmr_core::keystore::digest_to_hex as to_hex;
use zkmr_core::verify::Verified;

use crate::boundary::Result;

pub fn store_info(open: &OpenStore) -> Result<zkmr_proto::StoreInfo> {
    let manifest = &open.store.manifest;
    Ok(zkmr_proto::StoreInfo {
        dir: open.store.dir().display().to_string(),
        matrix: Some(store_meta(manifest)),
        matrix_commitment: manifest.matrix_commitment.clone(),
        partitions: manifest.partitions.len() as u32,
        srs_unsafe: manifest.is_unsafe(),
        scheme: manifest.scheme.to_string(),
    })
}

/// What a task reports of its proved partition; `macs` counts the entries it handed in.
pub fn partition_output(
    open: &OpenStore,
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
        key_digest: to_hex(&summary.key_digest),
        leaf: to_hex(&summary.leaf),
        prove_seconds: summary.prove_seconds,
        macs,
    })
}

pub fn job_output(committed: Committed) -> zkmr_proto::JobOutput {
    let y = committed.y();
    let Committed {
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
    }
}

pub fn verification(verified: Option<Verified>, message: String) -> zkmr_proto::Verification {
    zkmr_proto::Verification {
        verified: verified.is_some(),
        message,
        partitions: verified.as_ref().map_or(0, |v| v.partitions as u32),
        job_root: verified.map_or_else(String::new, |v| to_hex(&v.job_root)),
    }
}

/// The verdict on a partition opening: one partition, and the job root it belongs to.
pub fn opening_verification(
    opened: Option<zkmr_core::pedersen::opening::OpenedPartition>,
    message: String,
) -> zkmr_proto::Verification {
    zkmr_proto::Verification {
        verified: opened.is_some(),
        message,
        partitions: u32::from(opened.is_some()),
        job_root: opened.map_or_else(String::new, |v| to_hex(&v.job_root)),
    }
}
