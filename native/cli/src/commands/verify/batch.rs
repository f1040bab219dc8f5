//! `verify --bundle` of a batch proof (`zkmr prove --chunk`): every chunk verified, the batch
//! root recomputed (docs/batches.md), the inputs compared with `--vectors` when given.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use serde::Serialize;
use zkmr_core::batch::{in_chunk, verify_batch, BatchReader, BatchVerified, MAGIC};
use zkmr_core::store::digest_to_hex;
use zkmr_core::verify::{check_x, Expected, ExpectedX};
use zkmr_core::{Error, Result};

use super::Args;
use crate::output::{self, say};

/// Whether the file at `path` is a batch proof.
pub(super) fn is_batch(path: &Path) -> Result<bool> {
    let mut head = [0u8; MAGIC.len()];
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let read = file.read(&mut head).map_err(|e| Error::io(path, e))?;
    Ok(zkmr_core::batch::is_batch(&head[..read]))
}

#[derive(Serialize)]
struct BatchReport {
    verified: bool,
    batch_root: Option<String>,
    chunks: Option<u32>,
    vectors: Option<u64>,
    /// Each chunk's `x` was compared with the batch given with --vectors.
    inputs_checked: bool,
    error: Option<String>,
    /// A chunk was made under the development SRS, whose secret is public: nothing is proved.
    srs_unsafe: bool,
    verify_ms: f64,
}

/// Verifies the batch proof at `path` against `commitment` (and `expected_root`, if given),
/// printing the verdict; a rejection is exit 1 with its reason.
pub(super) fn verify(
    args: &Args,
    path: &Path,
    commitment: &[u8; 32],
    expected_root: Option<[u8; 32]>,
) -> Result<ExitCode> {
    if args.keys.is_some()
        || args.partition.is_some()
        || args.vector.is_some()
        || args.x_digest.is_some()
    {
        return Err(Error::Usage(
            "a batch proof is checked whole: --keys, --partition, --vector and --x-digest are \
             for bundles (give the batch's inputs with --vectors)"
                .into(),
        ));
    }
    let len = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let origin = path.display().to_string();
    let mut inputs = args
        .vectors
        .as_deref()
        .map(|p| zkmr_io::vector_chunks(p, 1))
        .transpose()?;
    let started = Instant::now();
    let result = BatchReader::new(BufReader::new(file), len, &origin)
        .map_err(|e| Error::rejected_bundle(e.to_string()))
        .and_then(|mut reader| {
            verify_batch(&mut reader, commitment, |chunk| {
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
            })
        })
        .and_then(|verified| match expected_root {
            Some(root) if root != verified.root => Err(Error::rejected_bundle(
                "the batch root is not the one given with --job-root",
            )),
            _ => Ok(verified),
        })
        .and_then(|verified| match inputs.as_mut().and_then(Iterator::next) {
            Some(_) => Err(Error::rejected_bundle(format!(
                "the batch proves {} inputs, but --vectors holds more",
                verified.inputs
            ))),
            None => Ok(verified),
        });
    let verify_ms = started.elapsed().as_secs_f64() * 1e3;
    print(args, result, verify_ms)
}

fn print(args: &Args, result: Result<BatchVerified>, verify_ms: f64) -> Result<ExitCode> {
    let inputs_checked = args.vectors.is_some();
    match result {
        Ok(v) => {
            if v.srs_unsafe {
                eprintln!("{}", output::UNSAFE_SRS);
            }
            if args.json {
                output::json(&BatchReport {
                    verified: true,
                    batch_root: Some(digest_to_hex(&v.root)),
                    chunks: Some(v.chunks),
                    vectors: Some(v.inputs),
                    inputs_checked,
                    error: None,
                    srs_unsafe: v.srs_unsafe,
                    verify_ms,
                });
            } else {
                say!(
                    "verified: batch of {} vectors in {} chunks{}, batch root {} ({verify_ms:.1} ms)",
                    v.inputs,
                    v.chunks,
                    if inputs_checked { ", x as given" } else { "" },
                    digest_to_hex(&v.root)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ Error::Rejected { .. }) => {
            if args.json {
                output::json(&BatchReport {
                    verified: false,
                    batch_root: None,
                    chunks: None,
                    vectors: None,
                    inputs_checked,
                    error: Some(e.to_string()),
                    srs_unsafe: false,
                    verify_ms,
                });
                eprintln!("zkmr: {e}");
                Ok(ExitCode::from(1))
            } else {
                Err(e)
            }
        }
        Err(e) => Err(e),
    }
}
