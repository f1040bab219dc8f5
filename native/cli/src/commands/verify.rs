//! `zkmr verify`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use serde::Serialize;
use zkmr_core::{bundle, field, Error, Result};

use crate::output;

#[derive(clap::Args)]
pub struct Args {
    /// Bundle written by `zkmr prove`.
    #[arg(long, value_name = "BUNDLE")]
    pub bundle: PathBuf,
    /// The matrix commitment you trust (64 hex digits).
    #[arg(long, value_name = "HEX")]
    pub commitment: String,
    /// Also require this job root (64 hex digits).
    #[arg(long, value_name = "HEX")]
    pub job_root: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct VerifyReport {
    verified: bool,
    job_root: Option<String>,
    partitions: Option<usize>,
    y: Option<Vec<f64>>,
    error: Option<String>,
    rejected_partition: Option<u32>,
    verify_ms: f64,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let commitment = field::from_hex(&args.commitment, "--commitment")
        .map_err(|e| Error::Usage(e.to_string()))?;
    let expected_root = args
        .job_root
        .as_deref()
        .map(|h| field::from_hex(h, "--job-root"))
        .transpose()
        .map_err(|e| Error::Usage(e.to_string()))?;
    let bundle = bundle::read(&args.bundle)?;
    let started = Instant::now();
    let result = zkmr_core::verify::verify(&bundle, commitment).and_then(|v| match expected_root {
        Some(root) if root != v.job_root => Err(Error::rejected_bundle(
            "the job root is not the one given with --job-root",
        )),
        _ => Ok(v),
    });
    let verify_ms = started.elapsed().as_secs_f64() * 1e3;
    match result {
        Ok(v) => {
            let y = zkmr_core::fixed_point::decode_all(&v.y, v.y_scale_bits);
            if args.json {
                output::json(&VerifyReport {
                    verified: true,
                    job_root: Some(field::to_hex(&v.job_root)),
                    partitions: Some(v.partitions),
                    y: Some(y),
                    error: None,
                    rejected_partition: None,
                    verify_ms,
                });
            } else {
                println!(
                    "verified: {} partitions in {verify_ms:.1} ms; job root {}",
                    v.partitions,
                    field::to_hex(&v.job_root)
                );
                println!("y = {}", output::preview(&y));
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
                    job_root: None,
                    partitions: None,
                    y: None,
                    error: Some(err.to_string()),
                    rejected_partition: partition,
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
