//! `zkmr open`: one partition of a verified job, shown alone to a third party.

use std::path::PathBuf;
use std::process::ExitCode;

use prost::Message;
use serde::Serialize;
use zkmr_core::{bundle, fsio, Result};

use crate::inputs::StoreArgs;
use crate::output::{self, say};
use crate::paths::Paths;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The job's bundle; it must verify against the key store.
    #[arg(long, value_name = "BUNDLE")]
    pub bundle: PathBuf,
    /// The partition to show.
    #[arg(long, value_name = "P")]
    pub partition: u32,
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

pub fn run(args: Args) -> Result<ExitCode> {
    let out = output::path(&args.out);
    Paths::default()
        .store("--keys", &args.store.keys)
        .read("--bundle", &*args.bundle)
        .write("--out", &*out)
        .check()?;
    let store = args.store.open(zkmr_core::device::Device::select(
        zkmr_core::device::DeviceChoice::from_env(),
    ))?;
    let job = bundle::read(&args.bundle)?;
    let opening = store.open_partition(&job, args.partition)?;
    let bytes = opening.encode_to_vec();
    fsio::write_bytes(&out, &bytes)?;
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
