//! `zkmr run`: commit, prove and verify one input, the whole job in one command.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;
use zkmr_core::fixed_point::QuantizationError;
use zkmr_core::job::OpenStore;
use zkmr_core::keystore::digest_to_hex;
use zkmr_core::{bundle, Result};

use super::commit::{self, PartitionArgs};
use super::prove;
use crate::device::DeviceArg;
use crate::inputs::{self, SchemeArgs};
use crate::output;

#[derive(clap::Args)]
pub struct Args {
    /// Input with both operands: {"matrix": [[...]], "vector": [...]}.
    #[arg(long, value_name = "FILE", required_unless_present = "matrix", conflicts_with_all = ["matrix", "vector", "vectors"])]
    pub input: Option<PathBuf>,
    /// The matrix alone: JSON, Parquet or Arrow IPC (with --vector).
    #[arg(long, value_name = "FILE", requires = "vector")]
    pub matrix: Option<PathBuf>,
    /// The vector alone: JSON, Parquet or Arrow IPC (with --matrix).
    #[arg(
        long,
        value_name = "FILE",
        requires = "matrix",
        conflicts_with = "vectors"
    )]
    pub vector: Option<PathBuf>,
    /// A batch of vectors (with --matrix): a JSON array of vectors, or Parquet or Arrow IPC
    /// with one vector per row. `y` is printed as one array per vector.
    #[arg(long, value_name = "FILE", requires = "matrix")]
    pub vectors: Option<PathBuf>,
    /// Keep the key store (DIR/keys), bundle (DIR/job.bundle) and y (DIR/y.json) here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub partitioning: PartitionArgs,
    /// Vector fixed-point scale in bits (default: 0 for integers, 16 otherwise).
    #[arg(long, value_name = "BITS")]
    pub vector_scale: Option<u32>,
    #[command(flatten)]
    pub scheme: SchemeArgs,
    #[command(flatten)]
    pub device: DeviceArg,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Seconds {
    read: f64,
    srs: f64,
    commit: f64,
    prove: f64,
    verify: f64,
    total: f64,
}

#[derive(Serialize)]
struct RunReport {
    scheme: String,
    y: Value,
    vectors: usize,
    y_scale_bits: u32,
    matrix_commitment: String,
    job_root: String,
    partitions: usize,
    device: &'static str,
    verified: bool,
    max_abs_error: f64,
    mean_abs_error: f64,
    srs_unsafe: bool,
    bundle_bytes: usize,
    seconds: Seconds,
    out: Option<String>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let started = Instant::now();
    let (matrix_path, vector_path, batch) =
        match (&args.input, &args.matrix, &args.vector, &args.vectors) {
            (Some(input), _, _, _) => (input, input, false),
            (None, Some(matrix), Some(vector), _) => (matrix, vector, false),
            (None, Some(matrix), None, Some(vectors)) => (matrix, vectors, true),
            _ => {
                return Err(zkmr_core::Error::Usage(
                    "--matrix needs --vector or --vectors".into(),
                ))
            }
        };
    let matrix = inputs::matrix(
        matrix_path,
        args.partitioning.scale,
        args.partitioning.value_bits,
    )?;
    let vector = if batch {
        inputs::vectors(vector_path, args.vector_scale, None)?
    } else {
        inputs::vector(vector_path, args.vector_scale, None)?
    };
    let read = started.elapsed().as_secs_f64();

    let tmp;
    let dir = match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| zkmr_core::Error::io(dir, e))?;
            dir.clone()
        }
        None => {
            tmp = tempfile::tempdir().map_err(|e| zkmr_core::Error::io(std::env::temp_dir(), e))?;
            tmp.path().to_path_buf()
        }
    };
    let keys = dir.join("keys");
    let t = Instant::now();
    let committed = commit::commit(
        &matrix,
        args.partitioning,
        &args.scheme,
        &keys,
        true,
        args.json,
    )?;
    let commit_seconds = t.elapsed().as_secs_f64() - committed.srs_seconds;

    let device = args.device.select();
    let store = OpenStore::open_on(&keys, device)?;
    let bundle_path = dir.join("job.bundle");
    let proved = prove::prove(
        device,
        &store,
        &vector,
        batch,
        &bundle_path,
        Some(&dir.join("y.json")),
        args.json,
    )?;

    let t = Instant::now();
    let verified = zkmr_core::verify::verify(&bundle::read(&bundle_path)?, &store.commitment()?)?;
    let verify_seconds = t.elapsed().as_secs_f64();

    let y = zkmr_core::fixed_point::decode_all(&verified.y, verified.y_scale_bits);
    let error = QuantizationError::measure(
        &y,
        &inputs::reference_product(&matrix.numbers, &vector.numbers),
    );
    let report = RunReport {
        scheme: committed.scheme,
        matrix_commitment: committed.matrix_commitment,
        job_root: digest_to_hex(&verified.job_root),
        partitions: verified.partitions,
        vectors: verified.vectors,
        device: proved.device,
        verified: true,
        max_abs_error: error.max_abs_error,
        mean_abs_error: error.mean_abs_error,
        srs_unsafe: committed.srs_unsafe,
        bundle_bytes: proved.bundle_bytes,
        y_scale_bits: verified.y_scale_bits,
        y: prove::y_value(&y, matrix.encoded.rows(), batch),
        seconds: Seconds {
            read,
            srs: committed.srs_seconds,
            commit: commit_seconds,
            prove: proved.prove_seconds,
            verify: verify_seconds,
            total: started.elapsed().as_secs_f64(),
        },
        out: args.out.map(|d| d.display().to_string()),
    };
    if args.json {
        output::json(&report);
    } else {
        if report.srs_unsafe {
            eprintln!("{}", output::UNSAFE_SRS);
        }
        println!("y = {}", output::preview_value(&report.y));
        println!(
            "verified: {} partitions under {}, proved on the {}",
            report.partitions,
            report.scheme,
            report.device.to_uppercase()
        );
        println!("matrix commitment: {}", report.matrix_commitment);
        println!("job root:          {}", report.job_root);
        println!(
            "quantization error: max {:.3e}, mean {:.3e}",
            report.max_abs_error, report.mean_abs_error
        );
        let s = &report.seconds;
        println!(
            "seconds: read {:.3}, srs {:.3}, commit {:.3}, prove {:.3}, verify {:.3}, total {:.3}",
            s.read, s.srs, s.commit, s.prove, s.verify, s.total
        );
    }
    Ok(ExitCode::SUCCESS)
}
