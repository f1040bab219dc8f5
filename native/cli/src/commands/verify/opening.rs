//! `verify --opening`: one partition, checked without the rest of the job.

use std::process::ExitCode;
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;
use zkmr_core::store::digest_to_hex;
use zkmr_core::verify::Expected;
use zkmr_core::{Error, Result};

use super::outcome::x_value;
use super::Args;
use crate::output::{self, say};

#[derive(Serialize)]
struct OpeningReport {
    verified: bool,
    partition: u32,
    row_start: u64,
    row_end: u64,
    job_root: Option<String>,
    vectors: Option<usize>,
    x_digest: Option<String>,
    x: Option<Value>,
    x_scale_bits: Option<u32>,
    y: Option<Value>,
    error: Option<String>,
    verify_ms: f64,
}

/// Checks the opening at `path`.
pub(super) fn verify(
    args: &Args,
    path: &std::path::Path,
    commitment: &[u8; 32],
    expected: &Expected,
) -> Result<ExitCode> {
    let what = path.display().to_string();
    let bytes = zkmr_core::fsio::read_bytes(path)?;
    // A file that is not an opening cannot be read (exit 2); only a decoded one is rejected.
    let opening = zkmr_core::verify::read_opening(&bytes, &what)?;
    let started = Instant::now();
    let result =
        zkmr_core::verify::verify_opening(&opening, commitment, expected).and_then(|v| match args
            .partition
        {
            Some(p) if p != v.index => Err(Error::rejected(
                v.index,
                format!("the opening is of partition {}, not {p}", v.index),
            )),
            _ => Ok(v),
        });
    let verify_ms = started.elapsed().as_secs_f64() * 1e3;
    match result {
        Ok(v) => {
            let y = zkmr_core::fixed_point::decode_all(&v.y, v.y_scale_bits);
            let rows = (v.row_end - v.row_start) as usize;
            let y = crate::commands::prove::y_value(&y, rows, v.vectors > 1);
            if args.json {
                output::json(&OpeningReport {
                    verified: true,
                    partition: v.index,
                    row_start: v.row_start,
                    row_end: v.row_end,
                    job_root: Some(digest_to_hex(&v.job_root)),
                    vectors: Some(v.vectors),
                    x_digest: Some(digest_to_hex(&v.x_digest)),
                    x: Some(x_value(&v.x, v.x_encoding, v.vectors)),
                    x_scale_bits: Some(v.x_encoding.scale_bits),
                    y: Some(y),
                    error: None,
                    verify_ms,
                });
            } else {
                say!(
                    "verified: partition {} (rows {}..{}) in {verify_ms:.1} ms; x {}; job root {}",
                    v.index,
                    v.row_start,
                    v.row_end,
                    digest_to_hex(&v.x_digest),
                    digest_to_hex(&v.job_root)
                );
                say!(
                    "x = {}",
                    output::preview_value(&x_value(&v.x, v.x_encoding, v.vectors))
                );
                say!("y = {}", output::preview_value(&y));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) if args.json => {
            let partition = match &err {
                Error::Rejected {
                    partition: Some(p), ..
                } => *p,
                _ => args.partition.unwrap_or_default(),
            };
            output::json(&OpeningReport {
                verified: false,
                partition,
                row_start: 0,
                row_end: 0,
                job_root: None,
                vectors: None,
                x_digest: None,
                x: None,
                x_scale_bits: None,
                y: None,
                error: Some(err.to_string()),
                verify_ms,
            });
            eprintln!("zkmr: {err}");
            Ok(ExitCode::from(1))
        }
        Err(err) => Err(err),
    }
}
