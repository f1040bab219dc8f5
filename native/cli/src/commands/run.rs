//! `zkmr run`: commit, prove and verify one input, the whole job in one command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;
use zkmr_core::fixed_point::QuantizationError;
use zkmr_core::job::JobRunner;
use zkmr_core::store::digest_to_hex;
use zkmr_core::{bundle, Result};

use super::commit::{self, PartitionArgs};
use super::prove;
use crate::device::DeviceArg;
use crate::inputs::{self, SchemeArgs};
use crate::output::{self, say};
use crate::paths::Paths;

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
    /// The bound `max_abs_error` stays within.
    y_error_bound: f64,
    srs_unsafe: bool,
    bundle_bytes: usize,
    seconds: Seconds,
    out: Option<String>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let started = Instant::now();
    // A new --out directory holds nothing yet, so only an existing one can clash.
    if let Some(out) = args.out.as_ref().filter(|d| d.is_dir()) {
        let [keys, bundle, y] = OUTPUTS.map(|name| out.join(name));
        Paths::default()
            .read("--input", args.input.as_deref())
            .read("--matrix", args.matrix.as_deref())
            .read("--vector", args.vector.as_deref())
            .read("--vectors", args.vectors.as_deref())
            .makes_dir("--out", &keys)
            .write("--out", &*bundle)
            .write("--out", &*y)
            .check()?;
    }
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
    let matrix = zkmr_io::read_encoded_matrix(
        matrix_path,
        args.partitioning.scale,
        args.partitioning.value_bits,
    )?;
    let vector = if batch {
        inputs::vectors(vector_path, args.vector_scale, None)?
    } else {
        inputs::vector(vector_path, args.vector_scale, None)?
    };
    let cols = matrix.encoded.cols();
    if vector.x.values.len() != vector.x.count * cols {
        let what = match vector.x.count {
            1 => format!("the vector has {} entries", vector.x.values.len()),
            n => format!("{n} vectors hold {} entries in all", vector.x.values.len()),
        };
        return Err(zkmr_core::Error::Input(format!(
            "{}: {what} but the matrix has {cols} columns",
            vector_path.display()
        )));
    }
    let read = started.elapsed().as_secs_f64();

    // Everything is made in a staging directory (inside --out, or a temporary one) and moved
    // into --out only once the job has verified: a failure leaves --out as it was.
    let _created = CreatedDir(args.out.as_ref().filter(|d| !d.exists()).cloned());
    // Held until the outputs are in place; declared after `_created` so it is released first.
    let _lock = match &args.out {
        Some(dir) => {
            check_out_dir(dir)?;
            std::fs::create_dir_all(dir).map_err(|e| zkmr_core::Error::io(dir, e))?;
            Some(lock_out_dir(dir)?)
        }
        None => None,
    };
    let staging = match &args.out {
        Some(dir) => tempfile::Builder::new()
            .prefix(STAGING)
            .tempdir_in(dir)
            .map_err(|e| zkmr_core::Error::io(dir, e))?,
        None => tempfile::tempdir().map_err(|e| zkmr_core::Error::io(std::env::temp_dir(), e))?,
    };
    let dir = staging.path().to_path_buf();
    let keys = dir.join("keys");
    let t = Instant::now();
    let committed = commit::commit(&matrix, args.partitioning, &args.scheme, &keys, true)?;
    let commit_seconds = t.elapsed().as_secs_f64() - committed.srs_seconds;

    let device = args.device.select();
    let store = JobRunner::open_on(&keys, device)?;
    let bundle_path = dir.join("job.bundle");
    let proved = prove::prove(
        device,
        &store,
        &vector,
        batch,
        &bundle_path,
        Some(&dir.join("y.json")),
    )?;

    let t = Instant::now();
    let verified = zkmr_core::verify::verify(&bundle::read(&bundle_path)?, &store.commitment()?)?;
    let verify_seconds = t.elapsed().as_secs_f64();

    if let Some(out) = &args.out {
        publish(&dir, out)?;
    }
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
        y_error_bound: proved.y_error_bound,
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
        say!("y = {}", output::preview_value(&report.y));
        say!(
            "verified: {} partitions under {}, proved on the {}",
            report.partitions,
            report.scheme,
            report.device.to_uppercase()
        );
        say!("matrix commitment: {}", report.matrix_commitment);
        say!("job root:          {}", report.job_root);
        say!(
            "quantization error: max {:.3e}, mean {:.3e} (bound {:.3e})",
            report.max_abs_error,
            report.mean_abs_error,
            report.y_error_bound
        );
        let s = &report.seconds;
        say!(
            "seconds: read {:.3}, srs {:.3}, commit {:.3}, prove {:.3}, verify {:.3}, total {:.3}",
            s.read,
            s.srs,
            s.commit,
            s.prove,
            s.verify,
            s.total
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The staging directory inside `--out`: `.zkmr-run-XXXXXX`.
const STAGING: &str = ".zkmr-run-";

/// Locks `out` against a second `run` into it, and removes what a run killed there
/// (`kill -9`) left: with the lock held, every staging directory found belongs to a dead run.
fn lock_out_dir(out: &Path) -> Result<std::fs::File> {
    let lock = zkmr_core::fsio::lock_dir(out, "another zkmr run is writing this directory")?;
    zkmr_core::fsio::remove_staging(out, STAGING);
    Ok(lock)
}

/// What `run --out` writes: the key store, the bundle and `y`.
const OUTPUTS: [&str; 3] = ["keys", "job.bundle", "y.json"];

/// Refuses an output directory whose entries `run` would replace but cannot: a `keys` that
/// is not a key store (a user's files), a bundle or `y` path that is a directory.
fn check_out_dir(out: &Path) -> Result<()> {
    if zkmr_core::store::is_key_store(out) {
        return Err(zkmr_core::Error::Usage(format!(
            "{} is a key store: run --out DIR keeps its own store in DIR/keys, so name the \
             directory above it or another one",
            out.display()
        )));
    }
    let keys = out.join("keys");
    if keys.exists() && !zkmr_core::store::is_key_store(&keys) {
        return Err(zkmr_core::Error::Usage(format!(
            "{} exists and is not a key store; run --out replaces only its own outputs",
            keys.display()
        )));
    }
    for name in &OUTPUTS[1..] {
        let path = out.join(name);
        if path.is_dir() {
            return Err(zkmr_core::Error::Usage(format!(
                "{}: is a directory, not a file to write",
                path.display()
            )));
        }
    }
    Ok(())
}

/// Moves the verified outputs from `staging` into `out`; a key store already there is moved
/// into the staging directory (and removed with it).
fn publish(staging: &Path, out: &Path) -> Result<()> {
    let old_keys = out.join("keys");
    if old_keys.exists() {
        let aside = staging.join("replaced-keys");
        std::fs::rename(&old_keys, &aside).map_err(|e| zkmr_core::Error::io(&old_keys, e))?;
    }
    for name in OUTPUTS {
        let (from, to) = (staging.join(name), out.join(name));
        std::fs::rename(&from, &to).map_err(|e| zkmr_core::Error::io(&to, e))?;
    }
    Ok(())
}

/// An output directory this run created: removed again if the run leaves it empty (it
/// failed before publishing anything).
struct CreatedDir(Option<PathBuf>);

impl Drop for CreatedDir {
    fn drop(&mut self) {
        if let Some(dir) = &self.0 {
            // Fails, and keeps it, once the outputs are in.
            let _ = std::fs::remove_dir(dir);
        }
    }
}
