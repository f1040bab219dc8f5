//! `zkmr prove`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Serialize;
use zkmr_core::device::Device;
use zkmr_core::keystore::KeyStore;
use zkmr_core::{bundle, field, Result};

use crate::device::DeviceArg;
use crate::inputs;
use crate::output;
use crate::progress::Bar;

#[derive(clap::Args)]
pub struct Args {
    /// Key store made by `zkmr commit`.
    #[arg(long, value_name = "DIR")]
    pub keys: PathBuf,
    /// Vector file: JSON (array or {"vector": [...]}), Parquet or Arrow IPC.
    #[arg(long, value_name = "FILE")]
    pub vector: PathBuf,
    /// Bundle file to write.
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
    pub bundle: String,
    pub job_root: String,
    pub matrix_commitment: String,
    pub partitions: usize,
    /// Where the partitions were proved.
    pub device: &'static str,
    pub y: Vec<f64>,
    pub y_scale_bits: u32,
    pub prove_seconds: f64,
    pub proof_bytes: usize,
}

/// y as written by `--y-out`: decoded values and the exact encoded integers.
#[derive(Serialize)]
struct YFile<'a> {
    y: &'a [f64],
    y_encoded: Vec<String>,
    scale_bits: u32,
}

pub fn prove(
    device: Device,
    store: &KeyStore,
    vector: &inputs::Vector,
    out: &Path,
    y_out: Option<&Path>,
    quiet: bool,
) -> Result<ProveReport> {
    let bar = Bar::new("prove", quiet);
    let proved = zkmr_core::prove::prove(device, store, &vector.encoded, vector.encoding, &bar)?;
    bar.finish();
    bundle::write(&proved.bundle, out)?;
    let y_scale_bits = store.manifest.encoding.scale_bits + vector.encoding.scale_bits;
    let y = zkmr_core::fixed_point::decode_all(&proved.y, y_scale_bits);
    if let Some(path) = y_out {
        let file = YFile {
            y: &y,
            y_encoded: proved.y.iter().map(i128::to_string).collect(),
            scale_bits: y_scale_bits,
        };
        let bytes = serde_json::to_vec_pretty(&file).expect("y serialises");
        zkmr_core::fsio::write_bytes(path, &bytes)?;
    }
    Ok(ProveReport {
        bundle: out.display().to_string(),
        job_root: field::to_hex(&proved.job_root),
        matrix_commitment: store.manifest.matrix_commitment.clone(),
        partitions: proved.bundle.partitions.len(),
        device: device.name(),
        y,
        y_scale_bits,
        prove_seconds: proved.seconds,
        proof_bytes: proved.bundle.partitions.iter().map(|p| p.proof.len()).sum(),
    })
}

pub fn run(args: Args) -> Result<ExitCode> {
    let store = KeyStore::open(&args.keys)?;
    let vector = inputs::vector(&args.vector, args.scale, args.value_bits)?;
    let report = prove(
        args.device.select(),
        &store,
        &vector,
        &args.out,
        args.y_out.as_deref(),
        args.json,
    )?;
    if args.json {
        output::json(&report);
    } else {
        if store.manifest.srs.is_unsafe() {
            eprintln!("{}", output::UNSAFE_SRS);
        }
        println!(
            "proved {} partitions on the {} in {:.2} s; bundle {}",
            report.partitions,
            report.device.to_uppercase(),
            report.prove_seconds,
            report.bundle
        );
        println!("y = {}", output::preview(&report.y));
        println!("job root: {}", report.job_root);
    }
    Ok(ExitCode::SUCCESS)
}
