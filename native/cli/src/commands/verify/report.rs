//! What `verify` prints for a bundle or an aggregated proof: the verdict line (or one JSON
//! object), `x` and `y`; a rejection is exit 1 with its reason.

use std::process::ExitCode;

use serde::Serialize;
use serde_json::Value;
use zkmr_core::store::digest_to_hex;
use zkmr_core::{Error, Result, Scheme};

use super::outcome::{x_value, Outcome};
use super::Args;
use crate::output::{self, say};

#[derive(Serialize)]
struct VerifyReport {
    verified: bool,
    scheme: Option<String>,
    job_root: Option<String>,
    partitions: Option<usize>,
    vectors: Option<usize>,
    /// The x the verdict is about: its digest, its values decoded and its scale.
    x_digest: Option<String>,
    x: Option<Value>,
    x_scale_bits: Option<u32>,
    y: Option<Value>,
    error: Option<String>,
    rejected_partition: Option<u32>,
    /// Made under the development SRS, whose secret is public: the check proves nothing.
    srs_unsafe: bool,
    verify_ms: f64,
}

/// Prints the verdict on what `args` asked to verify (`scheme`'s, checked in `verify_ms`).
pub(super) fn print(
    args: &Args,
    scheme: Option<Scheme>,
    result: Result<Outcome>,
    verify_ms: f64,
) -> Result<ExitCode> {
    match result {
        Ok(v) if args.partition.is_some() => {
            let index = args.partition.unwrap_or_default();
            if args.json {
                output::json(&VerifyReport {
                    verified: true,
                    scheme: scheme.map(|s| s.to_string()),
                    job_root: None,
                    partitions: Some(v.partitions),
                    vectors: Some(v.vectors),
                    x_digest: Some(digest_to_hex(&v.x_digest())),
                    x: Some(x_value(&v.x, v.x_encoding, v.vectors)),
                    x_scale_bits: Some(v.x_encoding.scale_bits),
                    y: None,
                    error: None,
                    rejected_partition: None,
                    srs_unsafe: v.srs_unsafe,
                    verify_ms,
                });
            } else {
                say!(
                    "verified: partition {index} is the product of its committed block for x {} \
                     ({verify_ms:.1} ms)",
                    digest_to_hex(&v.x_digest())
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Ok(v) => {
            let y = zkmr_core::fixed_point::decode_all(&v.y, v.y_scale_bits);
            let rows = y.len() / v.vectors.max(1);
            let y = crate::commands::prove::y_value(&y, rows, v.vectors > 1);
            if args.json {
                output::json(&VerifyReport {
                    verified: true,
                    scheme: scheme.map(|s| s.to_string()),
                    job_root: Some(digest_to_hex(&v.job_root)),
                    partitions: Some(v.partitions),
                    vectors: Some(v.vectors),
                    x_digest: Some(digest_to_hex(&v.x_digest())),
                    x: Some(x_value(&v.x, v.x_encoding, v.vectors)),
                    x_scale_bits: Some(v.x_encoding.scale_bits),
                    y: Some(y),
                    error: None,
                    rejected_partition: None,
                    srs_unsafe: v.srs_unsafe,
                    verify_ms,
                });
            } else {
                say!(
                    "verified{}: {} partitions in {verify_ms:.1} ms; x {}; job root {}",
                    if v.aggregated {
                        " (one aggregated proof)"
                    } else {
                        ""
                    },
                    v.partitions,
                    digest_to_hex(&v.x_digest()),
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
        Err(err @ Error::Rejected { .. }) => {
            if args.json {
                let partition = match &err {
                    Error::Rejected { partition, .. } => *partition,
                    _ => None,
                };
                output::json(&VerifyReport {
                    verified: false,
                    scheme: scheme.map(|s| s.to_string()),
                    job_root: None,
                    partitions: None,
                    vectors: None,
                    x_digest: None,
                    x: None,
                    x_scale_bits: None,
                    y: None,
                    error: Some(err.to_string()),
                    rejected_partition: partition,
                    srs_unsafe: false,
                    verify_ms,
                });
                eprintln!("zkmr: {err}");
                Ok(ExitCode::from(1))
            } else {
                Err(err)
            }
        }
        Err(other) => Err(other),
    }
}
