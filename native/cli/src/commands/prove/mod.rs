//! `zkmr prove`: one vector or a batch into one bundle, or a batch of any size in chunks into a
//! batch proof (`chunked`).

mod chunked;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use prost::Message;
use serde::Serialize;
use serde_json::Value;
use zkmr_core::device::Device;
use zkmr_core::job::JobRunner;
use zkmr_core::store::digest_to_hex;
use zkmr_core::{fsio, Result};

use crate::device::DeviceArg;
use crate::inputs::{self, StoreArgs};
use crate::output::{self, say};
use crate::paths::Paths;
use crate::progress::Bar;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Vector file: JSON (array or {"vector": [...]}), Parquet or Arrow IPC.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "vectors",
        conflicts_with = "vectors"
    )]
    pub vector: Option<PathBuf>,
    /// A batch of vectors proved as one job: a JSON array of vectors, or Parquet or Arrow IPC
    /// with one vector per row (`row`, `values`). Needs a pedersen key store.
    #[arg(long, value_name = "FILE")]
    pub vectors: Option<PathBuf>,
    /// Prove the batch in chunks of this many vectors, one chunk in memory at a time (Parquet
    /// is read a row group at a time), into a batch proof instead of one bundle: for batches
    /// of any size (docs/batches.md). With --y-out, y is written as Parquet (`row`, `values`).
    #[arg(long, value_name = "VECTORS", requires = "vectors")]
    pub chunk: Option<usize>,
    /// Bundle file to write (with --chunk, the batch proof).
    #[arg(long, value_name = "BUNDLE")]
    pub out: PathBuf,
    /// Also write y as JSON here.
    #[arg(long, value_name = "FILE")]
    pub y_out: Option<PathBuf>,
    /// Vector fixed-point scale in bits (default: 0 for integers, 16 otherwise).
    #[arg(long = "scale", value_name = "BITS")]
    pub scale: Option<u32>,
    /// Bound on encoded vector magnitudes, in bits (default 32).
    #[arg(long, value_name = "BITS")]
    pub value_bits: Option<u32>,
    #[command(flatten)]
    pub device: DeviceArg,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
pub struct ProveReport {
    pub scheme: String,
    pub bundle: String,
    pub job_root: String,
    pub matrix_commitment: String,
    pub partitions: usize,
    pub vectors: usize,
    /// Where the partitions were proved.
    pub device: &'static str,
    /// `y`: one array, or one array per vector for a batch.
    pub y: Value,
    pub y_scale_bits: u32,
    /// A bound on `|y − A·x|` for the unrounded inputs, from rounding them to their scales.
    pub y_error_bound: f64,
    pub prove_seconds: f64,
    pub bundle_bytes: usize,
}

/// y as written by `--y-out`: decoded values and the exact encoded integers.
#[derive(Serialize)]
struct YFile<'a> {
    y: &'a Value,
    y_encoded: Vec<String>,
    scale_bits: u32,
}

/// `y` decoded, as a batch (one array per vector) or a single vector.
pub fn y_value(y: &[f64], rows: usize, batch: bool) -> Value {
    if batch {
        Value::from(
            y.chunks(rows.max(1))
                .map(|c| c.to_vec())
                .collect::<Vec<_>>(),
        )
    } else {
        Value::from(y.to_vec())
    }
}

pub fn prove(
    device: Device,
    store: &JobRunner,
    vector: &inputs::Vector,
    batch: bool,
    out: &Path,
    y_out: Option<&Path>,
) -> Result<ProveReport> {
    fsio::check_writable(out)?;
    if let Some(path) = y_out {
        fsio::check_writable(path)?;
    }
    let bar = Bar::new("prove");
    let proved = store.prove(&vector.x, &bar)?;
    bar.finish();
    let y_scale_bits = store.store.manifest.encoding.scale_bits + vector.x.encoding.scale_bits;
    let decoded = zkmr_core::fixed_point::decode_all(&proved.y, y_scale_bits);
    let y = y_value(&decoded, store.store.manifest.rows as usize, batch);
    let y_file = y_out.map(|_| {
        let file = YFile {
            y: &y,
            y_encoded: proved.y.iter().map(i128::to_string).collect(),
            scale_bits: y_scale_bits,
        };
        serde_json::to_vec_pretty(&file).expect("y serialises")
    });
    let bundle_bytes = proved.bundle.encode_to_vec();
    let mut files = vec![(out, bundle_bytes.as_slice())];
    if let (Some(path), Some(bytes)) = (y_out, &y_file) {
        files.push((path, bytes.as_slice()));
    }
    fsio::write_all(&files)?;
    Ok(ProveReport {
        scheme: store.scheme().to_string(),
        bundle: out.display().to_string(),
        job_root: digest_to_hex(&proved.job_root),
        matrix_commitment: store.store.manifest.matrix_commitment.clone(),
        partitions: proved.bundle.partitions.len(),
        vectors: vector.x.count,
        device: device.name(),
        y,
        y_scale_bits,
        y_error_bound: store.y_error_bound(&vector.x, vector.is_exact()),
        prove_seconds: proved.seconds,
        bundle_bytes: bundle_bytes.len(),
    })
}

pub fn run(args: Args) -> Result<ExitCode> {
    let out = output::path(&args.out);
    let y_out = args.y_out.as_deref().map(output::path);
    Paths::default()
        .store("--keys", &args.store.keys)
        .read("--vector", args.vector.as_deref())
        .read("--vectors", args.vectors.as_deref())
        .write("--out", &*out)
        .write("--y-out", y_out.as_deref())
        .check()?;
    let device = args.device.select();
    let store = args.store.open(device)?;
    if let (Some(chunk), Some(path)) = (args.chunk, &args.vectors) {
        let batch = zkmr_io::BatchFile {
            path,
            chunk,
            scale: args.scale,
            value_bits: args.value_bits,
        };
        let report = chunked::prove(device, &store, &batch, &out, y_out.as_deref())?;
        if args.json {
            output::json(&report);
        } else {
            if store.is_unsafe() {
                eprintln!("{}", output::UNSAFE_SRS);
            }
            say!(
                "proved {} vectors in {} chunks ({}) in {:.3} s; batch proof {} ({} bytes)",
                report.vectors,
                report.chunks,
                report.scheme,
                report.prove_seconds,
                report.proof,
                report.proof_bytes
            );
            if let Some(path) = &report.y_out {
                say!("y: {path}");
            }
            say!("batch root: {}", report.batch_root);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (vector, batch, path) = match (&args.vector, &args.vectors) {
        (Some(path), _) => (
            inputs::vector(path, args.scale, args.value_bits)?,
            false,
            path,
        ),
        (None, Some(path)) => (
            inputs::vectors(path, args.scale, args.value_bits)?,
            true,
            path,
        ),
        (None, None) => unreachable!("clap requires --vector or --vectors"),
    };
    if vector.x.count > 1
        && !zkmr_core::registry::scheme(store.scheme())?
            .capabilities()
            .batches
    {
        return Err(zkmr_core::Error::Usage(format!(
            "{} vectors at once: batches need a key store made with --scheme pedersen; {} uses {}",
            vector.x.count,
            args.store.keys.display(),
            store.scheme()
        )));
    }
    store
        .check_vectors(&vector.x)
        .map_err(|e| inputs::with_file(path, e))?;
    let report = prove(device, &store, &vector, batch, &out, y_out.as_deref())?;
    if args.json {
        output::json(&report);
    } else {
        if store.is_unsafe() {
            eprintln!("{}", output::UNSAFE_SRS);
        }
        say!(
            "proved {} vector(s) over {} partitions ({}) in {:.3} s; bundle {}",
            report.vectors,
            report.partitions,
            report.scheme,
            report.prove_seconds,
            report.bundle
        );
        say!("y = {}", output::preview_value(&report.y));
        say!("rounding error bound: {:.3e}", report.y_error_bound);
        say!("job root: {}", report.job_root);
    }
    Ok(ExitCode::SUCCESS)
}
