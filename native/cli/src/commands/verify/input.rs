//! `verify --opening` of one input of a batch (`zkmr open --batch`): its chunk verified, the
//! input's place and the path to the batch root checked, its `x` compared with `--vector`.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;
use zkmr_core::batch::{read_input_opening, verify_input_expecting, InputVerified};
use zkmr_core::store::digest_to_hex;
use zkmr_core::verify::Expected;
use zkmr_core::{Error, Result};

use super::outcome::x_value;
use super::Args;
use crate::output::{self, say};

#[derive(Serialize)]
struct InputReport {
    verified: bool,
    input: Option<u64>,
    chunk: Option<u32>,
    chunks: Option<u32>,
    inputs: Option<u64>,
    batch_root: Option<String>,
    x: Option<Value>,
    x_scale_bits: Option<u32>,
    y: Option<Value>,
    /// `x` was compared with the vector given with --vector.
    input_checked: bool,
    error: Option<String>,
    srs_unsafe: bool,
    verify_ms: f64,
}

/// Checks the input opening at `path` against `commitment`, `expected`'s x (one vector) and
/// root; a rejection is exit 1 with its reason.
pub(super) fn verify(
    args: &Args,
    path: &Path,
    commitment: &[u8; 32],
    expected: &Expected,
) -> Result<ExitCode> {
    if args.partition.is_some() || args.vectors.is_some() || args.x_digest.is_some() {
        return Err(Error::Usage(
            "an input's opening shows one input: give it with --vector (--partition, \
             --vectors and --x-digest are for jobs and batches)"
                .into(),
        ));
    }
    let bytes = zkmr_core::fsio::read_bytes(path)?;
    let opening = read_input_opening(&bytes, &path.display().to_string())?;
    let started = Instant::now();
    let result = verify_input_expecting(&opening, commitment, expected);
    let verify_ms = started.elapsed().as_secs_f64() * 1e3;
    print(args, expected, result, verify_ms)
}

fn print(
    args: &Args,
    expected: &Expected,
    result: Result<InputVerified>,
    verify_ms: f64,
) -> Result<ExitCode> {
    let input_checked = expected.x.is_some();
    match result {
        Ok(v) => {
            if v.srs_unsafe {
                eprintln!("{}", output::UNSAFE_SRS);
            }
            let x = x_value(&v.x, v.x_encoding, 1);
            let y = zkmr_core::fixed_point::decode_all(&v.y, v.y_scale_bits);
            let y = crate::commands::prove::y_value(&y, y.len(), false);
            let root = digest_to_hex(&v.root);
            if args.json {
                output::json(&InputReport {
                    verified: true,
                    input: Some(v.input),
                    chunk: Some(v.chunk),
                    chunks: Some(v.chunks),
                    inputs: Some(v.inputs),
                    batch_root: Some(root),
                    x: Some(x),
                    x_scale_bits: Some(v.x_encoding.scale_bits),
                    y: Some(y),
                    input_checked,
                    error: None,
                    srs_unsafe: v.srs_unsafe,
                    verify_ms,
                });
            } else {
                say!(
                    "verified: input {} of {} (chunk {} of {}) in {verify_ms:.1} ms; batch root \
                     {root}{}",
                    v.input,
                    v.inputs,
                    v.chunk,
                    v.chunks,
                    if expected.job_root.is_some() {
                        ", the one given"
                    } else {
                        " (compare it with the published one, or pass --job-root)"
                    }
                );
                say!("x = {}", output::preview_value(&x));
                say!("y = {}", output::preview_value(&y));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err @ Error::Rejected { .. }) if args.json => {
            output::json(&InputReport {
                verified: false,
                input: None,
                chunk: None,
                chunks: None,
                inputs: None,
                batch_root: None,
                x: None,
                x_scale_bits: None,
                y: None,
                input_checked,
                error: Some(err.to_string()),
                srs_unsafe: false,
                verify_ms,
            });
            eprintln!("zkmr: {err}");
            Ok(ExitCode::from(1))
        }
        Err(err) => Err(err),
    }
}
