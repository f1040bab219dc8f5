//! A batch file of any size proved in chunks into a batch proof, and a batch proof verified
//! against the commitment and, optionally, the batch file (docs/batches.md). One chunk is in
//! memory at a time on either side: the CLI (`zkmr prove --chunk`, `zkmr verify`) and Python
//! (`zkmr.prove_batch`, `zkmr.verify_batch`) share these.

use std::io::BufWriter;
use std::path::Path;

use zkmr_core::batch::{
    in_chunk, prove_batch, verify_batch, BatchProved, BatchReader, BatchVerified,
};
use zkmr_core::job::JobRunner;
use zkmr_core::progress::Progress;
use zkmr_core::verify::{check_x, Expected, ExpectedX};
use zkmr_core::{fsio, Error, Result, Vectors};

use crate::{vector_chunks, with_file, MatrixWriter};

/// What to prove: the batch file (as `read_vectors` reads it; Parquet is streamed), the
/// chunk size and the encoding asked for.
pub struct BatchFile<'a> {
    pub path: &'a Path,
    pub chunk: usize,
    pub scale: Option<u32>,
    pub value_bits: Option<u32>,
}

/// Proves `batch` with `store` into the batch proof `out`, writing `y` to the Parquet table
/// `y_out` (`row`, `values`: one row per input) as chunks finish. Neither file appears unless
/// the whole batch is proved.
pub fn prove_batch_file(
    store: &JobRunner,
    batch: &BatchFile,
    out: &Path,
    y_out: Option<&Path>,
    progress: &dyn Progress,
) -> Result<BatchProved> {
    let most = zkmr_core::limits::MAX_VECTORS as usize;
    if batch.chunk == 0 || batch.chunk > most {
        return Err(Error::Usage(format!(
            "chunks of {} vectors: a chunk holds 1 to {most}",
            batch.chunk
        )));
    }
    let scheme = zkmr_core::registry::scheme(store.scheme())?;
    if batch.chunk > 1 && !scheme.capabilities().batches {
        return Err(Error::Usage(format!(
            "chunks of {} vectors: {} proves one vector per bundle; use chunks of 1, or a key store made \
             with the pedersen scheme",
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
    let chunks = vector_chunks(batch.path, batch.chunk)?.map(|numbers| {
        let numbers = numbers?;
        let at = |e: Error| {
            let e = match e {
                Error::Input(msg) => Error::Input(format!(
                    "the chunk of vectors {first}..{}: {msg}",
                    first + numbers.len()
                )),
                other => other,
            };
            with_file(batch.path, e)
        };
        let x = Vectors::encode(&numbers, batch.scale, batch.value_bits).map_err(at)?;
        store.check_vectors(&x).map_err(at)?;
        first += numbers.len();
        Ok(x)
    });
    // The next chunk is read, decoded and encoded on a thread of its own while this one is
    // proved, so reading the file overlaps the proof instead of adding to it.
    let (next, ready) = std::sync::mpsc::sync_channel::<Result<Vectors>>(1);
    let (outcome, written) = std::thread::scope(|scope| {
        let reader = std::thread::Builder::new()
            .name("zkmr-batch-reader".into())
            .spawn_scoped(scope, move || {
                for chunk in chunks {
                    let failed = chunk.is_err();
                    if next.send(chunk).is_err() || failed {
                        break;
                    }
                }
            })
            .map_err(|e| Error::Format(format!("starting the batch reader: {e}")))?;
        let chunks = ready.into_iter();
        let mut outcome = None;
        let written = fsio::write_atomically(out, |file| {
            let proved = prove_batch(
                store,
                chunks,
                BufWriter::new(file),
                progress,
                |_, x, proved| {
                    let Some(y_file) = y_file.as_mut() else {
                        return Ok(());
                    };
                    let scale = matrix_scale + x.encoding.scale_bits;
                    let y = zkmr_core::fixed_point::decode_all(&proved.y, scale);
                    y.chunks(rows.max(1)).try_for_each(|row| y_file.push(row))
                },
            )
            .and_then(|proved| match y_file.take() {
                Some(y_file) => y_file.finish().map(|()| proved),
                None => Ok(proved),
            });
            // The reader has stopped: its channel closed when `prove_batch` returned. A reader
            // that died midway ended the chunks early, so nothing is written.
            let proved = match reader.join() {
                Ok(()) => proved,
                Err(_) => Err(Error::Format(format!(
                    "{}: reading the batch stopped midway",
                    batch.path.display()
                ))),
            };
            let failed = proved.is_err();
            outcome = Some(proved);
            if failed {
                Err(std::io::Error::other("the batch was not proved"))
            } else {
                Ok(())
            }
        });
        Ok::<_, Error>((outcome, written))
    })?;
    // A proving error first (the write failed because of it), then the write's own.
    let proved = outcome.transpose()?;
    written?;
    Ok(proved.expect("the batch proof is written only after proving"))
}

/// Verifies the batch proof at `path` for the matrix behind `commitment`: every chunk, the
/// root, `expected_root` when given, and, when `inputs` names the batch file, every chunk's
/// `x` against it (read a chunk at a time) and that it holds no more inputs. The messages name
/// no flag: the CLI and Python both show them. A proof that
/// cannot be read or does not hold is [`Error::Rejected`], naming the chunk at fault.
pub fn verify_batch_file(
    path: &Path,
    commitment: &[u8; 32],
    inputs: Option<&Path>,
    expected_root: Option<[u8; 32]>,
) -> Result<BatchVerified> {
    let mut inputs = inputs.map(|p| vector_chunks(p, 1)).transpose()?;
    // A file that is not a batch proof is a rejection; one that cannot be read stays an error.
    let mut reader = BatchReader::open(path).map_err(|e| match e {
        Error::Format(_) => Error::rejected_bundle(e.to_string()),
        other => other,
    })?;
    let verified = verify_batch(&mut reader, commitment, |chunk| {
        let Some(inputs) = inputs.as_mut() else {
            return Ok(());
        };
        let v = &chunk.verified;
        let asked = inputs
            .by_ref()
            .take(v.vectors)
            .map(|one| one.map(|mut vectors| vectors.remove(0)))
            .collect::<Result<Vec<_>>>()?;
        let cols = v.x.len() / v.vectors.max(1);
        check_x(
            &v.x,
            v.vectors,
            v.x_encoding,
            cols,
            &Expected {
                x: Some(ExpectedX::Vectors(asked)),
                job_root: None,
            },
        )
        .map_err(|e| in_chunk(chunk.index, chunk.first, e))
    })?;
    if expected_root.is_some_and(|root| root != verified.root) {
        return Err(Error::rejected_bundle(format!(
            "the batch root is {}, not the one expected",
            zkmr_core::store::digest_to_hex(&verified.root)
        )));
    }
    if inputs.as_mut().and_then(Iterator::next).is_some() {
        return Err(Error::rejected_bundle(format!(
            "the batch proves {} inputs, but the inputs given hold more",
            verified.inputs
        )));
    }
    Ok(verified)
}
