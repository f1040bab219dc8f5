//! `zkmr prove --vectors FILE --chunk N`: a batch of any size proved N vectors at a time into a
//! batch proof (docs/batches.md), with one chunk in memory at a time.

use std::path::Path;

use serde::Serialize;
use zkmr_core::device::Device;
use zkmr_core::job::JobRunner;
use zkmr_core::store::digest_to_hex;
use zkmr_core::Result;
use zkmr_io::{prove_batch_file, BatchFile};

use crate::progress::Bar;

#[derive(Serialize)]
pub struct ChunkedReport {
    pub scheme: String,
    /// The batch proof written.
    pub proof: String,
    pub batch_root: String,
    pub matrix_commitment: String,
    pub chunks: u32,
    pub vectors: u64,
    pub device: &'static str,
    /// The Parquet table `y` went to (`row`, `values`: one row per input), if one was asked for.
    pub y_out: Option<String>,
    pub prove_seconds: f64,
    pub proof_bytes: u64,
}

/// Proves `batch` with `store` into the batch proof `out`, writing `y` to `y_out` as it comes,
/// with a progress bar. Neither file appears unless the whole batch is proved.
pub fn prove(
    device: Device,
    store: &JobRunner,
    batch: &BatchFile,
    out: &Path,
    y_out: Option<&Path>,
) -> Result<ChunkedReport> {
    let bar = Bar::new("prove");
    let proved = prove_batch_file(store, batch, out, y_out, &bar);
    bar.finish();
    let proved = proved?;
    let proof_bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(ChunkedReport {
        scheme: store.scheme().to_string(),
        proof: out.display().to_string(),
        batch_root: digest_to_hex(&proved.root),
        matrix_commitment: store.store.manifest.matrix_commitment.clone(),
        chunks: proved.chunks,
        vectors: proved.inputs,
        device: device.name(),
        y_out: y_out.map(|p| p.display().to_string()),
        prove_seconds: proved.seconds,
        proof_bytes,
    })
}
