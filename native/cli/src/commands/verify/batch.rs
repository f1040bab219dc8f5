//! `verify --bundle` of a batch proof (`zkmr prove --chunk`): every chunk verified, the batch
//! root recomputed (docs/batches.md), the inputs compared with `--vectors` when given.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use serde::Serialize;
use zkmr_core::batch::BatchVerified;
use zkmr_core::store::digest_to_hex;
use zkmr_core::{Error, Result};

use super::Args;
use crate::output::{self, say};

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
    let started = Instant::now();
    let result =
        zkmr_io::verify_batch_file(path, commitment, args.vectors.as_deref(), expected_root);
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
