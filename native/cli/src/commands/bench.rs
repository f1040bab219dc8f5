//! `zkmr bench`: setup, proving and verification per size, each size in a fresh process so
//! its peak memory is its own, against a plain f64 matvec of the same data in the same run.

use std::hint::black_box;
use std::process::{Command, ExitCode};
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use zkmr_core::device::{Device, DeviceChoice};
use zkmr_core::fixed_point::{FixedPoint, QuantizationError};
use zkmr_core::matrix::IntMatrix;
use zkmr_core::progress::Silent;
use zkmr_core::setup::{self, CommitOptions, SrsChoice, DEFAULT_ROWS_PER_PARTITION};
use zkmr_core::{srs, Error, Result};

use crate::device::DeviceArg;
use crate::output;

const DEFAULT_SIZES: &str = "256x256,1024x1024,4096x1024,4096x4096";
/// Encoding of the benchmark data: floats in [-1, 1) at 16 fractional bits.
const SCALE_BITS: u32 = 16;

#[derive(clap::Args)]
pub struct Args {
    /// Comma-separated ROWSxCOLS sizes.
    #[arg(long, default_value = DEFAULT_SIZES)]
    pub sizes: String,
    #[arg(long, default_value_t = DEFAULT_ROWS_PER_PARTITION)]
    pub rows_per_partition: usize,
    /// On the GPU, every size is also measured on the CPU for the ratio.
    #[command(flatten)]
    pub device: DeviceArg,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct OneArgs {
    #[arg(long)]
    pub rows: usize,
    #[arg(long)]
    pub cols: usize,
    #[arg(long)]
    pub rows_per_partition: usize,
    #[arg(long, value_parser = str::parse::<DeviceChoice>)]
    pub device: DeviceChoice,
}

/// One size's measurements.
#[derive(Serialize, Deserialize)]
struct Row {
    rows: usize,
    cols: usize,
    device: String,
    partitions: usize,
    k: u32,
    setup_s: f64,
    prove_s: f64,
    verify_ms: f64,
    macs_per_s: f64,
    proof_bytes: usize,
    bundle_bytes: usize,
    peak_rss_mib: f64,
    matvec_f64_s: f64,
    prove_over_matvec: f64,
    max_abs_error: f64,
}

#[derive(Serialize)]
struct Report {
    threads: usize,
    srs: &'static str,
    rows_per_partition: usize,
    results: Vec<Row>,
}

fn parse_sizes(sizes: &str) -> Result<Vec<(usize, usize)>> {
    sizes
        .split(',')
        .map(|s| {
            let (m, n) = s
                .trim()
                .split_once(['x', 'X'])
                .ok_or_else(|| Error::Usage(format!("--sizes: \"{s}\" is not ROWSxCOLS")))?;
            let parse = |v: &str| {
                v.parse::<usize>()
                    .ok()
                    .filter(|v| *v > 0)
                    .ok_or_else(|| Error::Usage(format!("--sizes: \"{s}\" is not ROWSxCOLS")))
            };
            Ok((parse(m)?, parse(n)?))
        })
        .collect()
}

/// Runs this executable with `args` and reads the one JSON row it prints: each measurement in
/// a fresh process, so peak memory is its own.
pub fn in_fresh_process<T: serde::de::DeserializeOwned>(args: &[String], what: &str) -> Result<T> {
    let exe = std::env::current_exe().map_err(|e| Error::io("zkmr", e))?;
    let out = Command::new(&exe)
        .args(args)
        .output()
        .map_err(|e| Error::io(&exe, e))?;
    if !out.status.success() {
        return Err(Error::Usage(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| Error::Format(format!("{what} output: {e}")))
}

pub fn run(args: Args) -> Result<ExitCode> {
    let sizes = parse_sizes(&args.sizes)?;
    let devices = match args.device.select() {
        Device::Cuda => vec![Device::Cuda, Device::Cpu],
        Device::Cpu => vec![Device::Cpu],
    };
    let mut results = Vec::new();
    for (rows, cols) in sizes {
        for device in &devices {
            if !args.json {
                eprintln!("bench {rows}x{cols} on the {device} ...");
            }
            let row: Row = in_fresh_process(
                &[
                    "bench-one".into(),
                    "--rows".into(),
                    rows.to_string(),
                    "--cols".into(),
                    cols.to_string(),
                    "--rows-per-partition".into(),
                    args.rows_per_partition.to_string(),
                    "--device".into(),
                    device.name().into(),
                ],
                &format!("bench {rows}x{cols} on the {device}"),
            )?;
            results.push(row);
        }
    }
    let report = Report {
        threads: rayon::current_num_threads(),
        srs: "development (unsafe)",
        rows_per_partition: args.rows_per_partition,
        results,
    };
    if args.json {
        output::json(&report);
    } else {
        print_table(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(report: &Report) {
    println!(
        "| A (rows×cols) | device | partitions | k | setup s | prove s | verify ms | MACs/s | proof bytes | peak RSS MiB | f64 matvec ms | prove / matvec |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for r in &report.results {
        println!(
            "| {}×{} | {} | {} | {} | {:.2} | {:.2} | {:.1} | {:.0} k | {} | {:.0} | {:.3} | {:.0}× |",
            r.rows,
            r.cols,
            r.device,
            r.partitions,
            r.k,
            r.setup_s,
            r.prove_s,
            r.verify_ms,
            r.macs_per_s / 1e3,
            r.proof_bytes,
            r.peak_rss_mib,
            r.matvec_f64_s * 1e3,
            r.prove_over_matvec
        );
    }
    println!(
        "({} threads, {} SRS, {} rows per partition)",
        report.threads, report.srs, report.rows_per_partition
    );
    for gpu in report.results.iter().filter(|r| r.device == "cuda") {
        let cpu = report
            .results
            .iter()
            .find(|r| r.device == "cpu" && (r.rows, r.cols) == (gpu.rows, gpu.cols));
        if let Some(cpu) = cpu {
            println!(
                "{}×{}: proving on the GPU {:.2} s vs the CPU {:.2} s: {:.1}× faster",
                gpu.rows,
                gpu.cols,
                gpu.prove_s,
                cpu.prove_s,
                cpu.prove_s / gpu.prove_s
            );
        }
    }
}

/// Seconds per plain f64 matvec, timed over enough repetitions to be measurable.
fn time_matvec(a: &[f64], x: &[f64], cols: usize) -> f64 {
    let mut reps = 0u32;
    let started = Instant::now();
    while reps < 3 || started.elapsed().as_secs_f64() < 0.2 {
        let y: Vec<f64> = a
            .chunks(cols)
            .map(|row| row.iter().zip(x).map(|(a, x)| a * x).sum())
            .collect();
        black_box(y);
        reps += 1;
    }
    started.elapsed().as_secs_f64() / reps as f64
}

pub fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

pub fn run_one(args: OneArgs) -> Result<ExitCode> {
    let (rows, cols) = (args.rows, args.cols);
    let device = Device::select(args.device);
    let mut rng = ChaCha8Rng::seed_from_u64((rows * 1_000_003 + cols) as u64);
    let a: Vec<f64> = (0..rows * cols).map(|_| rng.gen_range(-1.0..1.0)).collect();
    let x: Vec<f64> = (0..cols).map(|_| rng.gen_range(-1.0..1.0)).collect();
    let encoding = FixedPoint::new(SCALE_BITS, 32)?;
    let encode = |v: &[f64]| -> Vec<i64> {
        v.iter()
            .map(|v| (v * (SCALE_BITS as f64).exp2()).round() as i64)
            .collect()
    };
    let matrix = IntMatrix::new(rows, cols, encode(&a))?;
    let x_encoded = encode(&x);
    let matvec_f64_s = time_matvec(&a, &x, cols);

    let dir = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let srs = SrsChoice::Development {
        cache_dir: srs::default_cache_dir(),
    };
    let options = CommitOptions {
        rows_per_partition: args.rows_per_partition,
        ..CommitOptions::default()
    };
    let committed = setup::commit(
        &matrix,
        encoding,
        options,
        &srs,
        &dir.path().join("keys"),
        &Silent,
    )?;
    let proved = zkmr_core::prove::prove(device, &committed.store, &x_encoded, encoding, &Silent)?;
    let started = Instant::now();
    let verified = zkmr_core::verify::verify(&proved.bundle, committed.commitment)?;
    let verify_ms = started.elapsed().as_secs_f64() * 1e3;

    let reference: Vec<f64> = a
        .chunks(cols)
        .map(|row| row.iter().zip(&x).map(|(a, x)| a * x).sum())
        .collect();
    let y = zkmr_core::fixed_point::decode_all(&verified.y, verified.y_scale_bits);
    let row = Row {
        rows,
        cols,
        device: device.name().into(),
        partitions: verified.partitions,
        k: committed.store.manifest.k,
        setup_s: committed.keygen_seconds,
        prove_s: proved.seconds,
        verify_ms,
        macs_per_s: (rows * cols) as f64 / proved.seconds,
        proof_bytes: proved.bundle.partitions.iter().map(|p| p.proof.len()).sum(),
        bundle_bytes: prost::Message::encoded_len(&proved.bundle),
        peak_rss_mib: peak_rss_mib(),
        matvec_f64_s,
        prove_over_matvec: proved.seconds / matvec_f64_s,
        max_abs_error: QuantizationError::measure(&y, &reference).max_abs_error,
    };
    println!("{}", serde_json::to_string(&row).expect("row serialises"));
    Ok(ExitCode::SUCCESS)
}
