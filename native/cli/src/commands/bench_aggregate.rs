//! `zkmr bench-aggregate`: aggregation time, peak memory and verification time per number
//! of partitions, each in a fresh process, with the bundle's own per-partition verification
//! of the same job as the baseline.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use zkmr_aggregate::aggregator::{partition_params, DEFAULT_FAN_IN, DEFAULT_K};
use zkmr_aggregate::{aggregate, keys, plan::Plan, verifier, Aggregated, Settings, VerifiedJob};
use zkmr_core::device::Device;
use zkmr_core::field::{from_hex, to_hex, F};
use zkmr_core::fixed_point::FixedPoint;
use zkmr_core::halo2::srs;
use zkmr_core::halo2::srs::ProverParams;
use zkmr_core::halo2::statement::{outputs_digest, vector_digest};
use zkmr_core::job::JobRunner;
use zkmr_core::matrix::{IntMatrix, Partitioning};
use zkmr_core::progress::Silent;
use zkmr_core::setup::SrsChoice;
use zkmr_core::setup::{self, CommitOptions};
use zkmr_core::Scheme;
use zkmr_core::Vectors;
use zkmr_core::{Error, Result};

use super::bench::{in_fresh_process, peak_rss_mib};
use crate::output::{self, say};

#[derive(clap::Args, Clone)]
pub struct Args {
    /// Comma-separated numbers of partitions.
    #[arg(long, default_value = "2,8,32")]
    pub partitions: String,
    #[arg(long, default_value_t = 4)]
    pub rows_per_partition: usize,
    #[arg(long, default_value_t = 16)]
    pub cols: usize,
    #[arg(long, default_value_t = DEFAULT_FAN_IN)]
    pub fan_in: usize,
    #[arg(long, default_value_t = DEFAULT_K)]
    pub k: u32,
    /// Keep each job under DIR/<partitions>/ (job.bundle, job.agg, commitment.hex), so
    /// that `zkmr verify --aggregated` can be timed on it later, apart from aggregation.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
    /// Aggregate nothing: time verification again of the jobs a `--keep DIR` run left, for
    /// the given numbers of partitions.
    #[arg(long, value_name = "DIR", conflicts_with = "keep")]
    pub reverify: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct OneArgs {
    #[arg(long)]
    pub partitions: usize,
    #[arg(long)]
    pub rows_per_partition: usize,
    #[arg(long)]
    pub cols: usize,
    #[arg(long)]
    pub fan_in: usize,
    #[arg(long)]
    pub k: u32,
    #[arg(long)]
    pub keep: Option<PathBuf>,
}

#[derive(Serialize, Deserialize)]
struct Row {
    nodes: usize,
    levels: usize,
    k: u32,
    aggregate_s: f64,
    peak_rss_mib: f64,
    #[serde(flatten)]
    verification: Verification,
}

/// Verification of one job both ways, what both the full run and `--reverify` report.
#[derive(Serialize, Deserialize)]
struct Verification {
    partitions: usize,
    aggregated_verify_ms: f64,
    /// The part of `aggregated_verify_ms` spent hashing `x` and `y` to check them against
    /// the proven digests: the only part that grows with the job.
    digests_ms: f64,
    bundle_verify_ms: f64,
    proof_bytes: usize,
}

impl Verification {
    const HEADER: &'static str = "aggregated verify ms | of which x, y digests ms | bundle verify ms | bundle / aggregated | proof bytes";

    fn cells(&self) -> String {
        format!(
            "{:.2} | {:.2} | {:.2} | {:.1}× | {}",
            self.aggregated_verify_ms,
            self.digests_ms,
            self.bundle_verify_ms,
            self.bundle_verify_ms / self.aggregated_verify_ms,
            self.proof_bytes
        )
    }
}

fn partition_counts(list: &str) -> Result<Vec<usize>> {
    list.split(',')
        .map(|n| {
            n.trim()
                .parse()
                .map_err(|_| Error::Usage(format!("--partitions: \"{n}\" is not a number")))
        })
        .collect()
}

pub fn run(args: Args) -> Result<ExitCode> {
    if let Some(dir) = &args.reverify {
        return reverify(dir, &args);
    }
    let mut rows = Vec::new();
    for n in partition_counts(&args.partitions)? {
        if !args.json {
            eprintln!("bench-aggregate {n} partitions ...");
        }
        let mut child = vec![
            "bench-aggregate-one".into(),
            "--partitions".into(),
            n.to_string(),
            "--rows-per-partition".into(),
            args.rows_per_partition.to_string(),
            "--cols".into(),
            args.cols.to_string(),
            "--fan-in".into(),
            args.fan_in.to_string(),
            "--k".into(),
            args.k.to_string(),
        ];
        if let Some(keep) = &args.keep {
            child.push("--keep".into());
            child.push(keep.join(n.to_string()).display().to_string());
        }
        let row: Row = in_fresh_process(&child, &format!("bench-aggregate {n}"))?;
        rows.push(row);
    }
    if args.json {
        output::json(&rows);
        return Ok(ExitCode::SUCCESS);
    }
    say!(
        "| partitions | nodes | levels | k | aggregate s | peak RSS MiB | {} |",
        Verification::HEADER
    );
    say!("|---|---|---|---|---|---|---|---|---|---|---|");
    for r in &rows {
        say!(
            "| {} | {} | {} | {} | {:.1} | {:.0} | {} |",
            r.verification.partitions,
            r.nodes,
            r.levels,
            r.k,
            r.aggregate_s,
            r.peak_rss_mib,
            r.verification.cells()
        );
    }
    say!(
        "({} threads, development SRS (unsafe), {}×{} matrix blocks, fan-in {})",
        rayon::current_num_threads(),
        args.rows_per_partition,
        args.cols,
        args.fan_in
    );
    Ok(ExitCode::SUCCESS)
}

fn reverify(dir: &Path, args: &Args) -> Result<ExitCode> {
    let cache = zkmr_core::setup::default_cache_dir();
    let mut rows = Vec::new();
    for n in partition_counts(&args.partitions)? {
        let job = dir.join(n.to_string());
        let aggregated = Aggregated::read(&job.join("job.agg"))?;
        let bundle = zkmr_core::bundle::read(&job.join("job.bundle"))?;
        let hex = zkmr_core::fsio::read_bytes(&job.join("commitment.hex"))?;
        let commitment = from_hex(String::from_utf8_lossy(&hex).trim(), "commitment.hex")?;
        let params = srs::development(aggregated.settings.k, &cache)?;
        rows.push(time_verification(
            &bundle,
            &aggregated,
            commitment,
            &params,
        )?);
    }
    if args.json {
        output::json(&rows);
        return Ok(ExitCode::SUCCESS);
    }
    say!("| partitions | {} |", Verification::HEADER);
    say!("|---|---|---|---|---|---|");
    for r in &rows {
        say!("| {} | {} |", r.partitions, r.cells());
    }
    say!(
        "({} threads, kept jobs in {})",
        rayon::current_num_threads(),
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Verification of one job both ways: the aggregated proof (median of 21 runs, its root key
/// built or taken from the cache first) against every partition proof of the bundle (median
/// of 5).
fn time_verification(
    bundle: &zkmr_proto::Bundle,
    aggregated: &Aggregated,
    commitment: F,
    params: &ProverParams,
) -> Result<Verification> {
    let context = aggregated.context()?;
    let partitioning = Partitioning::new(
        context.header.rows as usize,
        context.header.rows_per_partition as usize,
    )?;
    let plan =
        Plan::new(aggregated.partitions, aggregated.settings.fan_in).map_err(Error::Usage)?;
    let small = partition_params(params, context.header.k)?;
    let vk = keys::cached_root_verifying_key(
        &zkmr_core::setup::default_cache_dir(),
        params,
        &small,
        &context,
        &plan,
    )?;
    Ok(Verification {
        partitions: aggregated.partitions,
        aggregated_verify_ms: median_ms(21, || {
            verifier::verify(aggregated, commitment, &vk).map(|_| ())
        })?,
        digests_ms: median_ms(21, || {
            vector_digest(&aggregated.x);
            outputs_digest(
                (0..aggregated.partitions).map(|p| &aggregated.y[partitioning.range(p)]),
            );
            Ok(())
        })?,
        bundle_verify_ms: median_ms(5, || {
            zkmr_core::halo2::verify::verify(bundle, commitment).map(|_| ())
        })?,
        proof_bytes: aggregated.proof.len(),
    })
}

/// Median wall time of `f` in milliseconds over `runs` runs.
fn median_ms(runs: usize, mut f: impl FnMut() -> Result<()>) -> Result<f64> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        f()?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[runs / 2])
}

/// Writes what `zkmr verify --aggregated` (and `--bundle`) need to check this job again.
fn keep_job(
    dir: &Path,
    bundle: &zkmr_proto::Bundle,
    aggregated: &Aggregated,
    commitment: F,
) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    zkmr_core::bundle::write(bundle, &dir.join("job.bundle"))?;
    aggregated.write(&dir.join("job.agg"))?;
    zkmr_core::fsio::write_bytes(
        &dir.join("commitment.hex"),
        format!("{}\n", to_hex(&commitment)).as_bytes(),
    )
}

pub fn run_one(args: OneArgs) -> Result<ExitCode> {
    let (rows, cols) = (args.partitions * args.rows_per_partition, args.cols);
    let mut rng = ChaCha8Rng::seed_from_u64(rows as u64);
    let data = (0..rows * cols)
        .map(|_| rng.gen_range(-1000..1000))
        .collect();
    let matrix = IntMatrix::new(rows, cols, data)?;
    let x: Vec<i64> = (0..cols).map(|_| rng.gen_range(-1000..1000)).collect();
    let encoding = FixedPoint::new(0, 16)?;
    let dir = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let cache = zkmr_core::setup::default_cache_dir();
    let options = CommitOptions {
        scheme: Scheme::Halo2,
        rows_per_partition: args.rows_per_partition,
        srs: Some(SrsChoice::Development {
            cache_dir: cache.clone(),
        }),
        ..CommitOptions::default()
    };
    let keys = dir.path().join("keys");
    let committed = setup::commit(&matrix, encoding, &options, &keys, &Silent)?;
    let commitment = zkmr_core::field::from_bytes(&committed.commitment, "commitment")?;
    let store = JobRunner::open_on(&keys, Device::Cpu)?;
    let proved = store.prove(&Vectors::one(x, encoding), &Silent)?;
    let params = srs::development(args.k, &cache)?;
    let settings = Settings {
        fan_in: args.fan_in,
        k: args.k,
    };
    let plan = Plan::new(args.partitions, args.fan_in).map_err(Error::Usage)?;
    let started = Instant::now();
    let job = VerifiedJob::new(&proved.bundle, &params)?;
    let (aggregated, _) = aggregate(job, &params, settings, &|_, _| {})?;
    let aggregate_s = started.elapsed().as_secs_f64();
    let peak = peak_rss_mib();

    if let Some(keep) = &args.keep {
        keep_job(keep, &proved.bundle, &aggregated, commitment)?;
    }
    let row = Row {
        nodes: plan.nodes(),
        levels: plan.levels.len(),
        k: args.k,
        aggregate_s,
        peak_rss_mib: peak,
        verification: time_verification(&proved.bundle, &aggregated, commitment, &params)?,
    };
    say!("{}", serde_json::to_string(&row).expect("row serialises"));
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A child's row reaches the parent whole, the verification columns included.
    #[test]
    fn a_row_survives_the_trip_between_processes() {
        let row = Row {
            nodes: 7,
            levels: 3,
            k: 21,
            aggregate_s: 1.5,
            peak_rss_mib: 100.0,
            verification: Verification {
                partitions: 8,
                aggregated_verify_ms: 3.5,
                digests_ms: 0.75,
                bundle_verify_ms: 50.0,
                proof_bytes: 2912,
            },
        };
        let text = serde_json::to_string(&row).unwrap();
        let back: Row = serde_json::from_str(&text).unwrap();
        assert_eq!(back.nodes, 7);
        assert_eq!(back.verification.partitions, 8);
        assert_eq!(back.verification.proof_bytes, 2912);
        assert_eq!(
            back.verification.cells(),
            "3.50 | 0.75 | 50.00 | 14.3× | 2912"
        );
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["aggregated_verify_ms"], 3.5);
    }
}
