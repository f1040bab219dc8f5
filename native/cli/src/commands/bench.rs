//! `zkmr bench`: setup, proving and verification per scheme and size, each in a fresh process
//! so its peak memory is its own, against a plain f64 product of the same data in the same
//! run (a matvec for one vector, an f64 GEMM for a batch).

use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use zkmr_core::device::{Device, DeviceChoice};
use zkmr_core::fixed_point::{FixedPoint, QuantizationError};
use zkmr_core::job::JobRunner;
use zkmr_core::matrix::IntMatrix;
use zkmr_core::progress::Silent;
use zkmr_core::registry;
use zkmr_core::setup::{self, srs_choice, CommitOptions, DEFAULT_ROWS_PER_PARTITION};
use zkmr_core::Vectors;
use zkmr_core::{Error, Result, Scheme};

use crate::device::DeviceArg;
use crate::output::{self, say};

const DEFAULT_SIZES: &str = "256x256,1024x1024,4096x1024,4096x4096";
/// Encoding of the benchmark data: floats in [-1, 1) at 16 fractional bits.
const SCALE_BITS: u32 = 16;
/// Verification is timed as the median of this many checks (fewer when one takes seconds).
const VERIFY_RUNS: usize = 21;

/// Every scheme this build has.
const DEFAULT_SCHEMES: &str = if cfg!(feature = "halo2") {
    "pedersen,halo2,cqlin"
} else {
    "pedersen,cqlin"
};

#[derive(clap::Args)]
pub struct Args {
    /// Comma-separated ROWSxCOLS sizes, or ROWSxCOLSxVECTORS for a batch.
    #[arg(long, default_value = DEFAULT_SIZES)]
    pub sizes: String,
    /// Comma-separated schemes, each measured on every size.
    #[arg(long, default_value = DEFAULT_SCHEMES)]
    pub scheme: String,
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
    pub vectors: usize,
    #[arg(long, value_parser = str::parse::<Scheme>)]
    pub scheme: Scheme,
    #[arg(long)]
    pub rows_per_partition: usize,
    #[arg(long, value_parser = str::parse::<DeviceChoice>)]
    pub device: DeviceChoice,
}

/// One size's measurements.
#[derive(Serialize, Deserialize)]
struct Row {
    scheme: String,
    rows: usize,
    cols: usize,
    vectors: usize,
    device: String,
    partitions: usize,
    /// halo2: circuit size.
    k: Option<u32>,
    /// Loading or deriving the SRS (halo2's parameters, cqlin's per-shape tables).
    srs_s: f64,
    setup_s: f64,
    /// Proving with the key store open (its blocks read): the cost per job of a prover that
    /// stays up.
    prove_s: f64,
    /// The first proof after opening the store, reading it included.
    prove_cold_s: f64,
    /// Median over up to 21 checks in this process.
    verify_ms: f64,
    macs_per_s: f64,
    bundle_bytes: usize,
    /// The bundle without `x` and `y`: what the proof adds to the statement.
    proof_bytes: usize,
    peak_rss_mib: f64,
    /// The plain f64 product of the same data: a matvec, or a GEMM for a batch.
    matvec_f64_s: f64,
    prove_over_matvec: f64,
    max_abs_error: f64,
}

#[derive(Serialize)]
struct Report {
    threads: usize,
    rows_per_partition: usize,
    results: Vec<Row>,
}

fn parse_sizes(sizes: &str) -> Result<Vec<(usize, usize, usize)>> {
    sizes
        .split(',')
        .map(|s| {
            let bad = || Error::Usage(format!("--sizes: \"{s}\" is not ROWSxCOLS[xVECTORS]"));
            let parts: Vec<usize> = s
                .trim()
                .split(['x', 'X'])
                .map(|v| v.parse::<usize>().ok().filter(|v| *v > 0).ok_or_else(bad))
                .collect::<Result<_>>()?;
            match parts[..] {
                [m, n] => Ok((m, n, 1)),
                [m, n, b] => Ok((m, n, b)),
                _ => Err(bad()),
            }
        })
        .collect()
}

/// Runs this CLI again with `args` and reads the one JSON row it prints: each measurement in
/// a fresh process, so peak memory is its own.
pub fn in_fresh_process<T: serde::de::DeserializeOwned>(args: &[String], what: &str) -> Result<T> {
    let mut command = crate::relaunch();
    let program = PathBuf::from(command.get_program());
    let out = command
        .args(args)
        .output()
        .map_err(|e| Error::io(program, e))?;
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
    let schemes: Vec<Scheme> = args
        .scheme
        .split(',')
        .map(str::parse)
        .collect::<Result<_>>()?;
    let devices = match args.device.select() {
        Device::Cuda => vec![Device::Cuda, Device::Cpu],
        Device::Cpu => vec![Device::Cpu],
    };
    let mut results = Vec::new();
    for (rows, cols, vectors) in sizes {
        for scheme in &schemes {
            if !registry::scheme(*scheme)?.capabilities().batches && vectors > 1 {
                eprintln!(
                    "bench: {scheme} proves one vector at a time; skipping {rows}x{cols}x{vectors}"
                );
                continue;
            }
            for device in &devices {
                let what = format!("bench {scheme} {rows}x{cols}x{vectors} on the {device}");
                if !args.json {
                    eprintln!("{what} ...");
                }
                let row: Row = in_fresh_process(
                    &[
                        "bench-one".into(),
                        "--rows".into(),
                        rows.to_string(),
                        "--cols".into(),
                        cols.to_string(),
                        "--vectors".into(),
                        vectors.to_string(),
                        "--scheme".into(),
                        scheme.to_string(),
                        "--rows-per-partition".into(),
                        args.rows_per_partition.to_string(),
                        "--device".into(),
                        device.name().into(),
                    ],
                    &what,
                )?;
                results.push(row);
            }
        }
    }
    let report = Report {
        threads: rayon::current_num_threads(),
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
    say!(
        "| scheme | A (rows×cols) | vectors | device | partitions | SRS s | setup s | prove s | prove (cold) s | verify ms | bundle bytes | proof bytes | peak RSS MiB | f64 product ms | prove / product |"
    );
    say!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for r in &report.results {
        say!(
            "| {} | {}×{} | {} | {} | {} | {:.2} | {:.2} | {:.4} | {:.4} | {:.1} | {} | {} | {:.0} | {:.3} | {:.2}× |",
            r.scheme,
            r.rows,
            r.cols,
            r.vectors,
            r.device,
            r.partitions,
            r.srs_s,
            r.setup_s,
            r.prove_s,
            r.prove_cold_s,
            r.verify_ms,
            r.bundle_bytes,
            r.proof_bytes,
            r.peak_rss_mib,
            r.matvec_f64_s * 1e3,
            r.prove_over_matvec
        );
    }
    say!(
        "({} threads, {} rows per partition; halo2 and cqlin under the development SRS; proof \
         bytes: the bundle without x and y)",
        report.threads,
        report.rows_per_partition
    );
    for gpu in report.results.iter().filter(|r| r.device == "cuda") {
        let cpu = report.results.iter().find(|r| {
            r.device == "cpu"
                && r.scheme == gpu.scheme
                && (r.rows, r.cols, r.vectors) == (gpu.rows, gpu.cols, gpu.vectors)
        });
        if let Some(cpu) = cpu {
            say!(
                "{} {}×{}: proving on the GPU {:.2} s vs the CPU {:.2} s: {:.1}× faster",
                gpu.scheme,
                gpu.rows,
                gpu.cols,
                gpu.prove_s,
                cpu.prove_s,
                cpu.prove_s / gpu.prove_s
            );
        }
    }
}

/// Seconds per plain f64 product on one core, timed over enough repetitions to be measurable:
/// a matvec for one vector, an f64 GEMM (the `matrixmultiply` crate) for a batch. Written here
/// rather than shared with the prover, so the baseline does not move with the code it rates.
fn time_product(a: &[f64], xs: &[f64], rows: usize, cols: usize, vectors: usize) -> f64 {
    let mut reps = 0u32;
    let started = Instant::now();
    while reps < 3 || started.elapsed().as_secs_f64() < 0.2 {
        if vectors == 1 {
            let y: Vec<f64> = a
                .chunks(cols)
                .map(|row| row.iter().zip(xs).map(|(a, x)| a * x).sum())
                .collect();
            black_box(y);
        } else {
            let mut y = vec![0f64; vectors * rows];
            // SAFETY: the slices hold vectors×cols, rows×cols and vectors×rows values.
            unsafe {
                matrixmultiply::dgemm(
                    vectors,
                    cols,
                    rows,
                    1.0,
                    xs.as_ptr(),
                    cols as isize,
                    1,
                    a.as_ptr(),
                    1,
                    cols as isize,
                    0.0,
                    y.as_mut_ptr(),
                    rows as isize,
                    1,
                )
            };
            black_box(y);
        }
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

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

pub fn run_one(args: OneArgs) -> Result<ExitCode> {
    let (rows, cols, vectors) = (args.rows, args.cols, args.vectors);
    let device = Device::select(args.device);
    let mut rng = ChaCha8Rng::seed_from_u64((rows * 1_000_003 + cols) as u64);
    let a: Vec<f64> = (0..rows * cols).map(|_| rng.gen_range(-1.0..1.0)).collect();
    let xs: Vec<f64> = (0..vectors * cols)
        .map(|_| rng.gen_range(-1.0..1.0))
        .collect();
    let encoding = FixedPoint::new(SCALE_BITS, 32)?;
    let encode = |v: &[f64]| -> Vec<i64> {
        v.iter()
            .map(|v| (v * (SCALE_BITS as f64).exp2()).round() as i64)
            .collect()
    };
    let matrix = IntMatrix::new(rows, cols, encode(&a))?;
    let x = Vectors {
        values: encode(&xs),
        count: vectors,
        encoding,
    };
    let matvec_f64_s = time_product(&a, &xs, rows, cols, vectors);

    let dir = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let capabilities = registry::scheme(args.scheme)?.capabilities();
    let options = CommitOptions {
        scheme: args.scheme,
        rows_per_partition: args.rows_per_partition,
        srs: srs_choice(None, capabilities.srs)?,
        ..CommitOptions::default()
    };
    let keys = dir.path().join("keys");
    let committed = setup::commit(&matrix, encoding, &options, &keys, &Silent)?;
    drop(matrix);
    let store = JobRunner::open_on(&keys, device)?;
    // The first proof reads the store's blocks; the one timed has them in memory, as a prover
    // that stays up does. The halo2 scheme rebuilds its keys per proof, so it proves once.
    let first = store.prove(&x, &Silent)?;
    let proved = if capabilities.warm_prover {
        store.prove(&x, &Silent)?
    } else {
        first
    };
    let mut times = Vec::new();
    let started = Instant::now();
    let mut verified = None;
    while times.len() < VERIFY_RUNS && (times.len() < 3 || started.elapsed().as_secs_f64() < 10.0) {
        let t = Instant::now();
        verified = Some(zkmr_core::verify::verify(
            &proved.bundle,
            &committed.commitment,
        )?);
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let verified = verified.expect("verified at least once");

    let reference: Vec<f64> = xs
        .chunks(cols)
        .flat_map(|x| {
            a.chunks(cols)
                .map(move |row| row.iter().zip(x).map(|(a, x)| a * x).sum::<f64>())
        })
        .collect();
    let y = zkmr_core::fixed_point::decode_all(&verified.y, verified.y_scale_bits);
    let prove_s = proved.seconds;
    let row = Row {
        scheme: args.scheme.to_string(),
        rows,
        cols,
        vectors,
        device: device.name().into(),
        partitions: verified.partitions,
        k: store.store.manifest.setting_u32("k"),
        srs_s: committed.srs_seconds,
        setup_s: committed.setup_seconds,
        prove_s,
        prove_cold_s: if capabilities.warm_prover {
            cold_seconds(&store, &x)?
        } else {
            prove_s
        },
        verify_ms: median(times),
        macs_per_s: (rows * cols * vectors) as f64 / prove_s,
        bundle_bytes: prost::Message::encoded_len(&proved.bundle),
        proof_bytes: proof_bytes(&proved.bundle),
        peak_rss_mib: peak_rss_mib(),
        matvec_f64_s,
        prove_over_matvec: prove_s / matvec_f64_s,
        max_abs_error: QuantizationError::measure(&y, &reference).max_abs_error,
    };
    say!("{}", serde_json::to_string(&row).expect("row serialises"));
    Ok(ExitCode::SUCCESS)
}

/// The bundle's bytes without `x` and the partitions' `y`: what a scheme adds to the statement.
fn proof_bytes(bundle: &zkmr_proto::Bundle) -> usize {
    let mut proof = bundle.clone();
    proof.x.clear();
    proof.partitions.iter_mut().for_each(|p| p.y.clear());
    prost::Message::encoded_len(&proof)
}

/// A proof from a freshly opened store: reading its blocks included.
fn cold_seconds(store: &JobRunner, x: &Vectors) -> Result<f64> {
    let started = Instant::now();
    let fresh = JobRunner::open(store.store.dir())?;
    fresh.prove(x, &Silent)?;
    Ok(started.elapsed().as_secs_f64())
}
