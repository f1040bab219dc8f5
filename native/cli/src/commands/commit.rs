//! `zkmr commit`.

use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;
use zkmr_core::fixed_point::FixedPoint;
use zkmr_core::keystore::digest_to_hex;
use zkmr_core::matrix::{encode_row, PartitionAssembler, Partitioning};
use zkmr_core::pedersen::statement::Header;
use zkmr_core::setup::{self, CommitOptions, DEFAULT_ROWS_PER_PARTITION};
use zkmr_core::sparse::{Block, SparseMatrix};
use zkmr_core::{Result, Scheme};
use zkmr_io::InputFormat;

use crate::inputs::{self, SchemeArgs};
use crate::output;
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
    pub fn options(&self, scheme: &SchemeArgs, replace: bool) -> CommitOptions {
        CommitOptions {
            scheme: scheme.scheme,
            rows_per_partition: self.rows_per_partition as usize,
            srs: scheme.srs(),
            fold: self.fold,
            replace,
        }
    }
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
    matrix: &inputs::Matrix,
    args: PartitionArgs,
    scheme: &SchemeArgs,
    keys: &std::path::Path,
    replace: bool,
    quiet: bool,
) -> Result<CommitReport> {
    let bar = Bar::new("commit", quiet);
    let done = setup::commit(
        &matrix.encoded,
        matrix.encoding,
        &args.options(scheme, replace),
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
    store: &zkmr_core::keystore::KeyStore,
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
        k: m.halo2.as_ref().map(|h| h.k),
        fold: m.halo2.as_ref().map(|h| h.fold),
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

/// Commits a matrix in coordinate form, kept as compressed rows (pedersen).
fn commit_coordinates(args: &Args) -> Result<CommitReport> {
    let path = &args.matrix;
    let coordinates = zkmr_io::read_coordinates(path)?;
    let (rows, cols) = args
        .shape
        .or(coordinates.shape)
        .unwrap_or_else(|| coordinates.shape());
    let encoding = FixedPoint::for_values(
        coordinates.entries.iter().map(|(_, _, v)| *v),
        args.partitioning.scale,
        args.partitioning.value_bits,
    )?;
    let matrix = SparseMatrix::encode(rows, cols, &coordinates.entries, encoding)
        .map_err(|e| inputs::with_file(path, e))?;
    let bar = Bar::new("commit", args.json);
    let done = setup::commit_sparse(
        &matrix,
        encoding,
        &args.partitioning.options(&args.scheme, args.force),
        &args.keys,
        &bar,
    )?;
    bar.finish();
    Ok(CommitReport {
        nonzeros: Some(matrix.nonzeros()),
        ..report(&done.store, &done.commitment, 0.0, done.setup_seconds)
    })
}

/// Commits a Parquet matrix under the pedersen scheme partition by partition as it is read:
/// memory holds the partitions in flight, not the matrix. A first pass over the file finds
/// the shape and, unless `--scale` is given, whether every value is an integer.
fn commit_streamed(args: &Args) -> Result<CommitReport> {
    let path = &args.matrix;
    let survey = zkmr_io::ParquetRows::survey(path)?;
    let encoding = FixedPoint::for_integrality(
        survey.integral,
        args.partitioning.scale,
        args.partitioning.value_bits,
    )?;
    let rows_per_partition = (args.partitioning.rows_per_partition as u64).min(survey.rows);
    let partitioning = Partitioning::new(survey.rows as usize, rows_per_partition as usize)?;
    let header = Header {
        rows: survey.rows,
        cols: survey.cols as u64,
        encoding,
        rows_per_partition: rows_per_partition as u32,
    };
    let mut assembler = PartitionAssembler::new(partitioning, survey.cols);
    let mut rows = zkmr_io::ParquetRows::open(path)?;
    let mut ended = false;
    let blocks = std::iter::from_fn(move || loop {
        if ended {
            return None;
        }
        let Some(row) = rows.next() else {
            ended = true;
            return assembler
                .finish()
                .err()
                .map(|e| Err(inputs::with_file(path, e)));
        };
        let whole = row.and_then(|(i, numbers)| {
            let encoded = encode_row(&numbers, i, encoding)?;
            assembler.add(i, encoded)
        });
        match whole {
            Ok(None) => continue,
            Ok(Some((p, block))) => return Some(Ok((p, Block::Dense(block)))),
            Err(e) => {
                ended = true;
                return Some(Err(inputs::with_file(path, e)));
            }
        }
    });
    let bar = Bar::new("commit", args.json);
    // Integers encode exactly at any scale; fractions are counted as rounded.
    let exact = survey.integral;
    let done =
        zkmr_core::pedersen::setup::commit(header, blocks, exact, &args.keys, args.force, &bar)?;
    bar.finish();
    Ok(report(&done.store, &done.commitment, 0.0, done.seconds))
}

pub fn run(args: Args) -> Result<ExitCode> {
    let coordinates = zkmr_io::is_coordinates(&args.matrix)?;
    if args.shape.is_some() && !coordinates {
        return Err(zkmr_core::Error::Usage(format!(
            "--shape is for a matrix in coordinate form; {} holds rows",
            args.matrix.display()
        )));
    }
    let streamed = !coordinates
        && args.scheme.scheme == Scheme::Pedersen
        && args.scheme.srs().is_none()
        && args.partitioning.fold.is_none()
        && InputFormat::detect(&args.matrix)? == InputFormat::Parquet;
    let report = if coordinates {
        commit_coordinates(&args)?
    } else if streamed {
        commit_streamed(&args)?
    } else {
        let matrix = inputs::matrix(
            &args.matrix,
            args.partitioning.scale,
            args.partitioning.value_bits,
        )?;
        commit(
            &matrix,
            args.partitioning,
            &args.scheme,
            &args.keys,
            args.force,
            args.json,
        )?
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
        println!(
            "committed {}x{} matrix{sparse} in {} partitions under {} ({:.2} s) to {}",
            report.rows,
            report.cols,
            report.partitions,
            report.scheme,
            report.keygen_seconds,
            report.keys
        );
        println!("matrix commitment: {}", report.matrix_commitment);
    }
    Ok(ExitCode::SUCCESS)
}
