//! `zkmr commit`.

use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;
use zkmr_core::setup::{self, CommitOptions, DEFAULT_ROWS_PER_PARTITION};
use zkmr_core::store::digest_to_hex;
use zkmr_core::{Error, Result};
use zkmr_io::{EncodedMatrix, FileCommit};

use crate::inputs::SchemeArgs;
use crate::output::{self, say};
use crate::paths::Paths;
use crate::progress::Bar;

#[derive(clap::Args)]
pub struct Args {
    /// Matrix file: rows in JSON, Parquet or Arrow IPC, or coordinate entries (row, col,
    /// value) in CSV, JSON ({"entries": [...]}), Parquet or Arrow IPC, kept sparse.
    #[arg(long, value_name = "FILE")]
    pub matrix: PathBuf,
    /// The shape of a matrix in coordinate form, ROWSxCOLS (default: one past the largest
    /// row and column index).
    #[arg(long, value_name = "ROWSxCOLS", value_parser = parse_shape)]
    pub shape: Option<(u64, u64)>,
    /// Key store directory to create.
    #[arg(long, value_name = "DIR")]
    pub keys: PathBuf,
    #[command(flatten)]
    pub partitioning: PartitionArgs,
    #[command(flatten)]
    pub scheme: SchemeArgs,
    /// Replace an existing key store.
    #[arg(long)]
    pub force: bool,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// How the matrix is encoded and cut; shared by `commit` and `run`.
#[derive(clap::Args, Clone, Copy)]
pub struct PartitionArgs {
    /// Matrix rows per partition (one proof each), 1 to 2^24.
    #[arg(
        long,
        default_value_t = DEFAULT_ROWS_PER_PARTITION as u32,
        value_parser = clap::value_parser!(u32).range(1..=1 << 24)
    )]
    pub rows_per_partition: u32,
    /// Matrix fixed-point scale in bits (default: 0 for integers, 16 otherwise).
    #[arg(long = "scale", value_name = "BITS")]
    pub scale: Option<u32>,
    /// Bound on encoded matrix magnitudes, in bits (default 32).
    #[arg(long, value_name = "BITS")]
    pub value_bits: Option<u32>,
    /// halo2: matrix columns folded into one circuit row (default: chosen by size).
    #[arg(long, hide = true)]
    pub fold: Option<usize>,
}

impl PartitionArgs {
    /// The options for committing into `keys`, refused with the flag to change where the
    /// scheme or the destination does not take them.
    pub fn options(
        &self,
        scheme: &SchemeArgs,
        replace: bool,
        keys: &std::path::Path,
    ) -> Result<CommitOptions> {
        scheme.check()?;
        check_destination(keys, replace)?;
        Ok(CommitOptions {
            scheme: scheme.scheme,
            rows_per_partition: self.rows_per_partition as usize,
            srs: scheme.srs(),
            fold: self.fold,
            replace,
        })
    }
}

/// Refuses a non-empty `keys` without `--force`, and with it anything but a key store, naming
/// the flag (the store's own check says the same without it).
fn check_destination(keys: &std::path::Path, replace: bool) -> Result<()> {
    let occupied = zkmr_core::store::is_occupied(keys);
    if occupied && !replace {
        return Err(Error::Usage(format!(
            "{} already exists and is not empty; pass --force to replace the key store there",
            keys.display()
        )));
    }
    if occupied && !zkmr_core::store::is_key_store(keys) {
        return Err(Error::Usage(format!(
            "{} is not a key store (no zkmr manifest.json): --force replaces only a key store, \
             never other files",
            keys.display()
        )));
    }
    Ok(())
}

#[derive(Serialize)]
pub struct CommitReport {
    pub scheme: String,
    pub matrix_commitment: String,
    pub keys: String,
    pub rows: u64,
    pub cols: u64,
    pub partitions: usize,
    pub rows_per_partition: u32,
    pub scale_bits: u32,
    pub value_bits: u32,
    /// halo2: circuit size and fold; absent under pedersen.
    pub k: Option<u32>,
    pub fold: Option<u32>,
    pub srs_unsafe: bool,
    pub srs_seconds: f64,
    pub keygen_seconds: f64,
    /// Stored entries of a matrix in coordinate form; absent for rows.
    pub nonzeros: Option<usize>,
}

pub fn commit(
    matrix: &EncodedMatrix,
    args: PartitionArgs,
    scheme: &SchemeArgs,
    keys: &std::path::Path,
    replace: bool,
) -> Result<CommitReport> {
    let bar = Bar::new("commit");
    let done = setup::commit(
        &matrix.encoded,
        matrix.encoding,
        &args.options(scheme, replace, keys)?,
        keys,
        &bar,
    )?;
    bar.finish();
    Ok(report(
        &done.store,
        &done.commitment,
        done.srs_seconds,
        done.setup_seconds,
    ))
}

/// What a commit made, as printed.
fn report(
    store: &zkmr_core::store::KeyStore,
    commitment: &[u8; 32],
    srs_seconds: f64,
    keygen_seconds: f64,
) -> CommitReport {
    let m = &store.manifest;
    CommitReport {
        scheme: m.scheme.to_string(),
        matrix_commitment: digest_to_hex(commitment),
        keys: store.dir().display().to_string(),
        rows: m.rows,
        cols: m.cols,
        partitions: m.partitions.len(),
        rows_per_partition: m.rows_per_partition,
        scale_bits: m.encoding.scale_bits,
        value_bits: m.encoding.value_bits,
        k: m.setting_u32("k"),
        fold: m.setting_u32("fold"),
        srs_unsafe: m.is_unsafe(),
        srs_seconds,
        keygen_seconds,
        nonzeros: None,
    }
}

fn parse_shape(s: &str) -> std::result::Result<(u64, u64), String> {
    let (m, n) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("\"{s}\" is not ROWSxCOLS"))?;
    let dim = |d: &str| {
        d.trim()
            .parse::<u64>()
            .ok()
            .filter(|v| *v > 0)
            .ok_or_else(|| format!("\"{s}\" is not ROWSxCOLS of positive integers"))
    };
    Ok((dim(m)?, dim(n)?))
}

pub fn run(args: Args) -> Result<ExitCode> {
    Paths::default()
        .read("--matrix", &*args.matrix)
        .makes_dir("--keys", &args.keys)
        .check()?;
    let spec = FileCommit {
        shape: args.shape,
        scale: args.partitioning.scale,
        value_bits: args.partitioning.value_bits,
        options: args
            .partitioning
            .options(&args.scheme, args.force, &args.keys)?,
    };
    let bar = Bar::new("commit");
    let done = zkmr_io::commit_file(&args.matrix, &spec, &args.keys, &bar)?;
    bar.finish();
    let c = &done.committed;
    let report = CommitReport {
        nonzeros: done.nonzeros,
        ..report(&c.store, &c.commitment, c.srs_seconds, c.setup_seconds)
    };
    if args.json {
        output::json(&report);
    } else {
        if report.srs_unsafe {
            eprintln!("{}", output::UNSAFE_SRS);
        }
        let sparse = report
            .nonzeros
            .map(|n| format!(" ({n} non-zeros)"))
            .unwrap_or_default();
        say!(
            "committed {}x{} matrix{sparse} in {} partitions under {} ({:.2} s) to {}",
            report.rows,
            report.cols,
            report.partitions,
            report.scheme,
            report.keygen_seconds,
            report.keys
        );
        say!("matrix commitment: {}", report.matrix_commitment);
    }
    Ok(ExitCode::SUCCESS)
}
