//! Proving a batch chunk by chunk, holding one chunk at a time.

use std::io::Write;
use std::time::Instant;

use super::file::BatchWriter;
use crate::error::{Error, Result};
use crate::job::{JobRunner, Proved};
use crate::progress::Progress;
use crate::Vectors;

/// A batch proved and written.
#[derive(Clone, Copy, Debug)]
pub struct BatchProved {
    pub root: [u8; 32],
    pub chunks: u32,
    pub inputs: u64,
    pub seconds: f64,
}

/// Proves every chunk `chunks` yields with `runner` and writes the batch proof to `out`. Each
/// chunk is proved and verified as [`JobRunner::prove`] does (reporting its partitions to
/// `progress`), then handed to `on_chunk` with the index of its first input (to write its `y`
/// as it comes) before the next is read.
pub fn prove_batch(
    runner: &JobRunner,
    chunks: impl Iterator<Item = Result<Vectors>>,
    out: impl Write,
    progress: &dyn Progress,
    mut on_chunk: impl FnMut(u64, &Vectors, &Proved) -> Result<()>,
) -> Result<BatchProved> {
    let started = Instant::now();
    let io = |e: std::io::Error| Error::Format(format!("writing the batch proof: {e}"));
    let mut writer = BatchWriter::new(out, runner.commitment()?).map_err(io)?;
    let mut first = 0u64;
    for (index, chunk) in chunks.enumerate() {
        let x = chunk?;
        let proved = runner.prove(&x, progress)?;
        on_chunk(first, &x, &proved)?;
        tracing::info!(
            chunk = index,
            inputs = format!("{first}..{}", first + x.count as u64),
            seconds = proved.seconds,
            "chunk proved"
        );
        first += x.count as u64;
        writer.push(proved.bundle, &proved.job_root).map_err(io)?;
    }
    if first == 0 {
        return Err(Error::Input("the batch has no inputs".into()));
    }
    let (root, chunks, inputs) = writer.finish().map_err(io)?;
    Ok(BatchProved {
        root,
        chunks,
        inputs,
        seconds: started.elapsed().as_secs_f64(),
    })
}
