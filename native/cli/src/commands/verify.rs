//! `zkmr verify`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use serde::Serialize;
use zkmr_core::{bundle, field, Error, Result};

use crate::inputs::SrsArgs;
use crate::output;

/// What either kind of proof established.
struct Outcome {
    job_root: field::F,
    partitions: usize,
    y: Vec<i128>,
    y_scale_bits: u32,
    aggregated: bool,
}

/// Checks an aggregated proof; the time excludes rebuilding the aggregation key.
fn verify_aggregated(
    path: &std::path::Path,
    commitment: field::F,
    srs: &SrsArgs,
) -> Result<(Result<Outcome>, f64)> {
    use zkmr_aggregate::{aggregator::partition_params, keys, plan::Plan, verifier, Aggregated};
    let agg = match Aggregated::read(path) {
        Ok(agg) => agg,
        Err(Error::Format(reason)) => return Ok((Err(Error::rejected_bundle(reason)), 0.0)),
        Err(other) => return Err(other),
    };
    let (params, _) = srs.choice().params(agg.settings.k)?;
    if zkmr_core::srs::VerifierSrs::of(&params) != agg.srs {
        return Ok((
            Err(Error::rejected_bundle(
                "the aggregated proof was made under another SRS than the one given",
            )),
            0.0,
        ));
    }
    let context = agg.context()?;
    let plan = Plan::new(agg.partitions, agg.settings.fan_in).map_err(Error::Usage)?;
    let small = partition_params(&params, agg.header.k)?;
    let vk = keys::cached_root_verifying_key(
        &zkmr_core::srs::default_cache_dir(),
        &params,
        &small,
        &context,
        &plan,
    )?;
    let started = Instant::now();
    let result = verifier::verify(&agg, commitment, &vk).map(|v| Outcome {
        job_root: v.job_root,
        partitions: v.partitions,
        y: v.y,
        y_scale_bits: v.y_scale_bits,
        aggregated: true,
    });
    Ok((result, started.elapsed().as_secs_f64() * 1e3))
}

#[derive(clap::Args)]
pub struct Args {
    /// Bundle written by `zkmr prove`.
    #[arg(
        long,
        value_name = "BUNDLE",
        required_unless_present = "aggregated",
        conflicts_with = "aggregated"
    )]
    pub bundle: Option<PathBuf>,
    /// Aggregated proof written by `zkmr aggregate`.
    #[arg(long, value_name = "AGG")]
    pub aggregated: Option<PathBuf>,
    /// The matrix commitment you trust (64 hex digits).
    #[arg(long, value_name = "HEX")]
    pub commitment: String,
    /// Also require this job root (64 hex digits).
    #[arg(long, value_name = "HEX")]
    pub job_root: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// With --aggregated (one of this and --dev-srs is required there): the SRS file the
    /// proof was made under. The verifier rebuilds the aggregation key from it once, then
    /// keeps it in $ZKMR_CACHE_DIR. A bundle needs no SRS: it carries the points its check uses.
    #[arg(
        long,
        value_name = "FILE",
        requires = "aggregated",
        conflicts_with = "dev_srs"
    )]
    pub srs: Option<PathBuf>,
    /// With --aggregated: the insecure development SRS.
    #[arg(long, requires = "aggregated")]
    pub dev_srs: bool,
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
    let (result, verify_ms) = match (&args.bundle, &args.aggregated) {
        (Some(path), _) => {
            let bundle = bundle::read(path)?;
            let started = Instant::now();
            let result = zkmr_core::verify::verify(&bundle, commitment).map(|v| Outcome {
                job_root: v.job_root,
                partitions: v.partitions,
                y: v.y,
                y_scale_bits: v.y_scale_bits,
                aggregated: false,
            });
            (result, started.elapsed().as_secs_f64() * 1e3)
        }
        (None, Some(path)) => {
            if args.srs.is_none() && !args.dev_srs {
                return Err(Error::Usage(
                    "--aggregated needs the SRS: --srs FILE or --dev-srs".into(),
                ));
            }
            let srs = SrsArgs {
                srs: args.srs.clone(),
                dev_srs: args.dev_srs,
            };
            verify_aggregated(path, commitment, &srs)?
        }
        (None, None) => unreachable!("clap requires --bundle or --aggregated"),
    };
    let result = result.and_then(|v| match expected_root {
        Some(root) if root != v.job_root => Err(Error::rejected_bundle(
            "the job root is not the one given with --job-root",
        )),
        _ => Ok(v),
    });
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
                    "verified{}: {} partitions in {verify_ms:.1} ms; job root {}",
                    if v.aggregated {
                        " (one aggregated proof)"
                    } else {
                        ""
                    },
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
