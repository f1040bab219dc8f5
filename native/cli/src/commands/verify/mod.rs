//! `zkmr verify`: a bundle (the whole job, or one partition with its store), an aggregated
//! proof, or a partition opening, against a trusted matrix commitment and the `x` asked about.

#[cfg(feature = "halo2")]
mod aggregated;
mod batch;
mod bundle;
mod input;
mod opening;
mod outcome;
mod report;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use zkmr_core::store::digest_from_hex;
use zkmr_core::verify::{Expected, ExpectedX};
use zkmr_core::{Error, Result};

use crate::output;

/// `zkmr verify`'s flags (its help is the subcommand's doc in `main.rs`).
#[derive(clap::Args)]
pub struct Args {
    /// Bundle written by `zkmr prove`, or a batch proof written by `zkmr prove --chunk`.
    #[arg(
        long,
        value_name = "BUNDLE",
        required_unless_present_any = ["aggregated", "opening"],
        conflicts_with_all = ["aggregated", "opening"]
    )]
    pub bundle: Option<PathBuf>,
    /// An opening written by `zkmr open`: one partition's y block, checked against the matrix
    /// commitment and the job root without the rest of the job; or one input of a batch, its
    /// chunk verified and its path to the batch root checked.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["aggregated", "keys"])]
    pub opening: Option<PathBuf>,
    /// Aggregated proof written by `zkmr aggregate`.
    #[arg(long, value_name = "AGG")]
    pub aggregated: Option<PathBuf>,
    /// The matrix commitment you trust (64 hex digits).
    #[arg(long, value_name = "HEX")]
    pub commitment: String,
    /// Also require this job root (64 hex digits): the bundle's, for a batch proof or an
    /// input's opening the batch root, or for a partition's opening the root of its job.
    #[arg(long, value_name = "HEX")]
    pub job_root: Option<String>,
    /// The vector x you asked about (JSON, Parquet or Arrow, as for `zkmr prove`; for an
    /// input's opening, your input): a proof for any other x is rejected, naming the first
    /// entry that differs.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["vectors", "x_digest"])]
    pub vector: Option<PathBuf>,
    /// The batch X you asked about (as for `zkmr prove --vectors`); a batch proof's inputs
    /// are read from it a vector at a time.
    #[arg(long, value_name = "FILE", conflicts_with = "x_digest")]
    pub vectors: Option<PathBuf>,
    /// The digest of the x you asked about (64 hex digits, as a verdict prints it).
    #[arg(long, value_name = "HEX")]
    pub x_digest: Option<String>,
    /// The key store the bundle was proved from: when the job check fails, each partition's
    /// block of y is recomputed from the committed block to name the one at fault.
    #[arg(long, value_name = "DIR", conflicts_with = "aggregated")]
    pub keys: Option<PathBuf>,
    /// Check this partition alone: with --keys, against the block the store committed (the
    /// holder's check of its own workers); with --opening, require the opening to be of this
    /// partition.
    #[arg(long, value_name = "P")]
    pub partition: Option<u32>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// With --aggregated (one of this and --dev-srs is required there): the SRS file the
    /// proof was made under. The verifier rebuilds the aggregation key from it once, then
    /// keeps it in $ZKMR_CACHE_DIR. A bundle needs no SRS: it carries the points its check uses.
    #[arg(
        long,
        value_name = "FILE",
        requires = "aggregated",
        conflicts_with = "dev_srs"
    )]
    pub srs: Option<PathBuf>,
    /// With --aggregated: the insecure development SRS.
    #[arg(long, requires = "aggregated")]
    pub dev_srs: bool,
}

fn expected_x(args: &Args) -> Result<Option<ExpectedX>> {
    Ok(match (&args.vector, &args.vectors, &args.x_digest) {
        (Some(path), _, _) => Some(ExpectedX::Vectors(vec![zkmr_io::read_vector(path)?])),
        (_, Some(path), _) => Some(ExpectedX::Vectors(zkmr_io::read_vectors(path)?)),
        (_, _, Some(hex)) => Some(ExpectedX::Digest(
            digest_from_hex(hex, "--x-digest").map_err(|e| Error::Usage(e.to_string()))?,
        )),
        _ => None,
    })
}

/// Whether the file at `path` starts with `magic`: a batch proof or an input's opening, which
/// carry one, rather than a bundle or a partition's opening, which are bare messages.
fn starts_with(path: &Path, magic: &[u8; 8]) -> Result<bool> {
    let mut head = [0u8; 8];
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let read = file.read(&mut head).map_err(|e| Error::io(path, e))?;
    Ok(&head[..read] == magic)
}

pub fn run(args: Args) -> Result<ExitCode> {
    let commitment = digest_from_hex(&args.commitment, "--commitment")
        .map_err(|e| Error::Usage(e.to_string()))?;
    let expected_root = args
        .job_root
        .as_deref()
        .map(|h| digest_from_hex(h, "--job-root"))
        .transpose()
        .map_err(|e| Error::Usage(e.to_string()))?;
    if let Some(path) = args
        .bundle
        .as_deref()
        .filter(|p| starts_with(p, zkmr_core::batch::MAGIC).unwrap_or(false))
    {
        return batch::verify(&args, path, &commitment, expected_root);
    }
    let expected = Expected {
        x: expected_x(&args)?,
        job_root: expected_root,
    };
    if let Some(path) = &args.opening {
        if starts_with(path, zkmr_core::batch::INPUT_MAGIC)? {
            return input::verify(&args, path, &commitment, &expected);
        }
        return opening::verify(&args, path, &commitment, &expected);
    }
    if args.partition.is_some() && args.keys.is_none() {
        return Err(Error::Usage(
            "--partition needs --keys (the store) or --opening (a third party's check)".into(),
        ));
    }
    if args.partition.is_some() && expected_root.is_some() {
        return Err(Error::Usage(
            "--job-root is the root of a whole verified job, and --keys --partition checks one \
             partition's block only: drop --partition to verify the bundle and its root, or \
             drop --job-root"
                .into(),
        ));
    }
    let (scheme, result, verify_ms) = match (&args.bundle, &args.aggregated) {
        (Some(path), _) => bundle::verify(&args, path, &commitment, &expected)?,
        #[cfg(feature = "halo2")]
        (None, Some(path)) => aggregated::verify(&args, path, &commitment, &expected)?,
        #[cfg(not(feature = "halo2"))]
        (None, Some(_)) => {
            return Err(zkmr_core::registry::not_built(
                "`zkmr verify --aggregated`",
                "halo2",
            ))
        }
        (None, None) => unreachable!("clap requires --bundle or --aggregated"),
    };
    let result = result.and_then(|v| match expected_root {
        Some(root) if root != v.job_root => Err(Error::rejected_bundle(
            "the job root is not the one given with --job-root",
        )),
        _ => Ok(v),
    });
    if let Ok(v) = &result {
        if v.srs_unsafe {
            eprintln!("{}", output::UNSAFE_SRS);
        }
    }
    report::print(&args, scheme, result, verify_ms)
}
