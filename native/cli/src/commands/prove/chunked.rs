//! `zkmr prove --vectors FILE --chunk N`: a batch of any size proved N vectors at a time into a
//! batch proof (docs/batches.md), with one chunk in memory at a time.

use std::io::BufWriter;
use std::path::Path;

use serde::Serialize;
use zkmr_core::batch::prove_batch;
use zkmr_core::device::Device;
use zkmr_core::job::JobRunner;
use zkmr_core::store::digest_to_hex;
use zkmr_core::{fsio, Error, Result, Vectors};
use zkmr_io::MatrixWriter;

use crate::inputs;
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

/// What to prove: the batch file, the chunk size and the encoding flags.
pub struct Batch<'a> {
    pub path: &'a Path,
    pub chunk: usize,
    pub scale: Option<u32>,
    pub value_bits: Option<u32>,
}

/// Proves `batch` with `store` into the batch proof `out`, writing `y` to `y_out` as it comes.
/// Neither file appears unless the whole batch is proved.
pub fn prove(
    device: Device,
    store: &JobRunner,
    batch: &Batch,
    out: &Path,
    y_out: Option<&Path>,
    quiet: bool,
) -> Result<ChunkedReport> {
    let most = zkmr_core::limits::MAX_VECTORS as usize;
    if batch.chunk == 0 || batch.chunk > most {
        return Err(Error::Usage(format!(
            "--chunk {}: a chunk holds 1 to {most} vectors",
            batch.chunk
        )));
    }
    let scheme = zkmr_core::registry::scheme(store.scheme());
    if batch.chunk > 1 && !scheme.capabilities().batches {
        return Err(Error::Usage(format!(
            "--chunk {}: {} proves one vector per bundle; use --chunk 1, or a key store made \
             with --scheme pedersen",
            batch.chunk,
            store.scheme()
        )));
    }
    fsio::check_writable(out)?;
    if let Some(path) = y_out {
        fsio::check_writable(path)?;
    }
    let rows = store.store.manifest.rows as usize;
    let matrix_scale = store.store.manifest.encoding.scale_bits;
    let mut y_file = y_out.map(|p| MatrixWriter::create(p, rows)).transpose()?;
    let mut first = 0usize;
    let chunks = zkmr_io::vector_chunks(batch.path, batch.chunk)?.map(|numbers| {
        let numbers = numbers?;
        let at = |e: Error| {
            let e = match e {
                Error::Input(msg) => Error::Input(format!(
                    "the chunk of vectors {first}..{}: {msg}",
                    first + numbers.len()
                )),
                other => other,
            };
            inputs::with_file(batch.path, e)
        };
        let x = Vectors::encode(&numbers, batch.scale, batch.value_bits).map_err(at)?;
        store.check_vectors(&x).map_err(at)?;
        first += numbers.len();
        Ok(x)
    });
    let bar = Bar::new("prove", quiet);
    let mut outcome = None;
    let written = fsio::write_atomically(out, |file| {
        let proved = prove_batch(store, chunks, BufWriter::new(file), &bar, |_, x, proved| {
            let Some(y_file) = y_file.as_mut() else {
                return Ok(());
            };
            let scale = matrix_scale + x.encoding.scale_bits;
            let y = zkmr_core::fixed_point::decode_all(&proved.y, scale);
            y.chunks(rows.max(1)).try_for_each(|row| y_file.push(row))
        })
        .and_then(|proved| match y_file.take() {
            Some(y_file) => y_file.finish().map(|()| proved),
            None => Ok(proved),
        });
        let failed = proved.is_err();
        outcome = Some(proved);
        if failed {
            Err(std::io::Error::other("the batch was not proved"))
        } else {
            Ok(())
        }
    });
    bar.finish();
    // A proving error first (the write failed because of it), then the write's own.
    let proved = outcome.transpose()?;
    written?;
    let proved = proved.expect("the batch proof is written only after proving");
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
