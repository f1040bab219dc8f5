//! `zkmr open`: one partition of a verified job, or one input of a batch, shown alone to a
//! third party.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use prost::Message;
use serde::Serialize;
use zkmr_core::batch::{encode_input_opening, open_input, BatchReader};
use zkmr_core::store::digest_from_hex;
use zkmr_core::{bundle, fsio, Error, Result};

use crate::inputs::StoreArgs;
use crate::output::{self, say};
use crate::paths::Paths;

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["bundle", "batch"])))]
pub struct Args {
    /// Key store made by `zkmr commit`, the one the bundle was proved from (its secret makes
    /// a partition opening's proof). An input of a batch needs none.
    #[arg(long, value_name = "DIR", requires = "bundle")]
    pub keys: Option<PathBuf>,
    /// The matrix commitment you published (64 hex digits): a store or a batch for another
    /// matrix is refused.
    #[arg(long, value_name = "HEX")]
    pub commitment: Option<String>,
    /// The job's bundle; it must verify against the key store.
    #[arg(long, value_name = "BUNDLE", requires_all = ["keys", "partition"])]
    pub bundle: Option<PathBuf>,
    /// The partition to show.
    #[arg(long, value_name = "P", requires = "bundle")]
    pub partition: Option<u32>,
    /// A batch proof (`zkmr prove --chunk`, or a Spark batch job's): show one of its inputs
    /// with its chunk and the path to the batch root, for the input's owner.
    #[arg(long, value_name = "FILE", requires = "input")]
    pub batch: Option<PathBuf>,
    /// The batch's index of the input to show (0 for the first).
    #[arg(long, value_name = "I", requires = "batch")]
    pub input: Option<u64>,
    /// Opening file to write, for `zkmr verify --opening`.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct OpenReport {
    opening: String,
    partition: u32,
    row_start: u64,
    row_end: u64,
    opening_bytes: usize,
}

#[derive(Serialize)]
struct InputReport {
    opening: String,
    input: u64,
    chunk: u32,
    chunks: u32,
    inputs: u64,
    opening_bytes: usize,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let out = output::path(&args.out);
    match (
        &args.bundle,
        &args.keys,
        args.partition,
        &args.batch,
        args.input,
    ) {
        (Some(bundle), Some(keys), Some(partition), _, _) => {
            open_partition(&args, bundle, keys, partition, &out)
        }
        (_, _, _, Some(batch), Some(input)) => open_batch_input(&args, batch, input, &out),
        _ => unreachable!("clap requires --bundle --keys --partition or --batch --input"),
    }
}

fn open_partition(
    args: &Args,
    bundle: &Path,
    keys: &Path,
    partition: u32,
    out: &Path,
) -> Result<ExitCode> {
    Paths::default()
        .store("--keys", keys)
        .read("--bundle", bundle)
        .write("--out", out)
        .check()?;
    let store = StoreArgs {
        keys: keys.to_path_buf(),
        commitment: args.commitment.clone(),
    }
    .open(zkmr_core::device::Device::select(
        zkmr_core::device::DeviceChoice::from_env(),
    ))?;
    let job = bundle::read(bundle)?;
    let opening = store.open_partition(&job, partition)?;
    let bytes = opening.encode_to_vec();
    fsio::write_bytes(out, &bytes)?;
    let report = OpenReport {
        opening: out.display().to_string(),
        partition: opening.index,
        row_start: opening.row_start,
        row_end: opening.row_end,
        opening_bytes: bytes.len(),
    };
    if args.json {
        output::json(&report);
    } else {
        say!(
            "opened partition {} (rows {}..{}): {} ({} bytes)",
            report.partition,
            report.row_start,
            report.row_end,
            report.opening,
            report.opening_bytes
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes input `input`'s opening of the batch at `path`: its chunk and the path from the
/// chunk's leaf to the batch root.
fn open_batch_input(args: &Args, path: &Path, input: u64, out: &Path) -> Result<ExitCode> {
    Paths::default()
        .read("--batch", path)
        .write("--out", out)
        .check()?;
    let mut reader = BatchReader::open(path)?;
    if let Some(hex) = &args.commitment {
        let trusted =
            digest_from_hex(hex, "--commitment").map_err(|e| Error::Usage(e.to_string()))?;
        if reader.claimed_commitment() != trusted {
            return Err(Error::Usage(format!(
                "{} is a batch for another matrix than --commitment {hex}",
                path.display()
            )));
        }
    }
    let opening = open_input(&mut reader, input)?;
    let bytes = encode_input_opening(&opening);
    fsio::write_bytes(out, &bytes)?;
    let report = InputReport {
        opening: out.display().to_string(),
        input,
        chunk: opening.chunk.as_ref().map_or(0, |c| c.index),
        chunks: opening.chunks,
        inputs: opening.inputs,
        opening_bytes: bytes.len(),
    };
    if args.json {
        output::json(&report);
    } else {
        say!(
            "opened input {} (chunk {} of {}, {} inputs): {} ({} bytes)",
            report.input,
            report.chunk,
            report.chunks,
            report.inputs,
            report.opening,
            report.opening_bytes
        );
    }
    Ok(ExitCode::SUCCESS)
}
