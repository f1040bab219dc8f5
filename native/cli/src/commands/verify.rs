//! `zkmr verify`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;
use zkmr_core::fixed_point::FixedPoint;
use zkmr_core::job::JobRunner;
use zkmr_core::store::{digest_from_hex, digest_to_hex};
use zkmr_core::verify::{check_x, x_digest, Expected, ExpectedX};
use zkmr_core::{bundle, Error, Result};

use crate::inputs::SrsArgs;
use crate::output::{self, say};

/// What either kind of proof established.
struct Outcome {
    job_root: [u8; 32],
    partitions: usize,
    /// The vectors the verdict is about, and their encoding.
    x: Vec<i64>,
    x_encoding: FixedPoint,
    y: Vec<i128>,
    vectors: usize,
    y_scale_bits: u32,
    aggregated: bool,
    /// Verified under the development SRS: anyone could have forged it.
    srs_unsafe: bool,
}

impl Outcome {
    fn x_digest(&self) -> [u8; 32] {
        x_digest(&self.x, self.vectors, self.x_encoding)
    }
}

/// `x` decoded, as a batch (one array per vector) or a single vector, as `y` is shown.
fn x_value(x: &[i64], encoding: FixedPoint, vectors: usize) -> Value {
    let decoded: Vec<f64> = x.iter().map(|v| encoding.decode(*v as i128)).collect();
    let cols = decoded.len() / vectors.max(1);
    super::prove::y_value(&decoded, cols, vectors > 1)
}

/// Checks an aggregated proof; the time excludes rebuilding the aggregation key.
fn verify_aggregated(
    path: &std::path::Path,
    commitment: &[u8; 32],
    srs: &SrsArgs,
    expected: &Expected,
) -> Result<(Result<Outcome>, f64)> {
    let (result, verify_ms) =
        zkmr_aggregate::verifier::verify_file(path, commitment, &srs.choice(), expected)?;
    let result = result.map(|v| Outcome {
        job_root: v.job_root,
        partitions: v.partitions,
        x: v.x,
        x_encoding: v.x_encoding,
        y: v.y,
        vectors: 1,
        y_scale_bits: v.y_scale_bits,
        aggregated: true,
        srs_unsafe: v.srs_unsafe,
    });
    Ok((result, verify_ms))
}

/// `zkmr verify`'s flags (its help is the subcommand's doc in `main.rs`).
#[derive(clap::Args)]
pub struct Args {
    /// Bundle written by `zkmr prove`.
    #[arg(
        long,
        value_name = "BUNDLE",
        required_unless_present_any = ["aggregated", "opening"],
        conflicts_with_all = ["aggregated", "opening"]
    )]
    pub bundle: Option<PathBuf>,
    /// A partition opening written by `zkmr open`: one partition's y block, checked against
    /// the matrix commitment and the job root without the rest of the job.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["aggregated", "keys"])]
    pub opening: Option<PathBuf>,
    /// Aggregated proof written by `zkmr aggregate`.
    #[arg(long, value_name = "AGG")]
    pub aggregated: Option<PathBuf>,
    /// The matrix commitment you trust (64 hex digits).
    #[arg(long, value_name = "HEX")]
    pub commitment: String,
    /// Also require this job root (64 hex digits): the bundle's, or for --opening the root of
    /// the job the partition belongs to.
    #[arg(long, value_name = "HEX")]
    pub job_root: Option<String>,
    /// The vector x you asked about (JSON, Parquet or Arrow, as for `zkmr prove`): a proof
    /// for any other x is rejected, naming the first entry that differs.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["vectors", "x_digest"])]
    pub vector: Option<PathBuf>,
    /// The batch X you asked about (as for `zkmr prove --vectors`).
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

#[derive(Serialize)]
struct VerifyReport {
    verified: bool,
    scheme: Option<String>,
    job_root: Option<String>,
    partitions: Option<usize>,
    vectors: Option<usize>,
    /// The x the verdict is about: its digest, its values decoded and its scale.
    x_digest: Option<String>,
    x: Option<Value>,
    x_scale_bits: Option<u32>,
    y: Option<Value>,
    error: Option<String>,
    rejected_partition: Option<u32>,
    /// Made under the development SRS, whose secret is public: the check proves nothing.
    srs_unsafe: bool,
    verify_ms: f64,
}

/// The x the user expects, from --vector, --vectors or --x-digest.
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

pub fn run(args: Args) -> Result<ExitCode> {
    let commitment = digest_from_hex(&args.commitment, "--commitment")
        .map_err(|e| Error::Usage(e.to_string()))?;
    let expected_root = args
        .job_root
        .as_deref()
        .map(|h| digest_from_hex(h, "--job-root"))
        .transpose()
        .map_err(|e| Error::Usage(e.to_string()))?;
    let expected = Expected {
        x: expected_x(&args)?,
        job_root: expected_root,
    };
    if let Some(path) = &args.opening {
        return verify_opening(&args, path, &commitment, &expected);
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
    let scheme;
    let (result, verify_ms) = match (&args.bundle, &args.aggregated) {
        (Some(path), _) => {
            let bundle = bundle::read(path)?;
            scheme = zkmr_core::Scheme::from_proto(bundle.scheme, "bundle").ok();
            let store = args.keys.as_deref().map(JobRunner::open).transpose()?;
            if let Some(store) = &store {
                if store.commitment()? != commitment {
                    return Err(Error::Usage(format!(
                        "--keys {}: the store's matrix commitment is not --commitment",
                        store.store.dir().display()
                    )));
                }
            }
            let started = Instant::now();
            let result = match (&store, args.partition) {
                (Some(store), Some(index)) => {
                    let vectors = bundle.vectors.max(1) as usize;
                    let x_encoding = zkmr_core::bundle::encoding_from_proto(
                        bundle.x_encoding.as_ref(),
                        "x_encoding",
                    )
                    .map_err(|e| Error::rejected_bundle(e.to_string()))?;
                    let cols = store.store.manifest.cols as usize;
                    check_x(&bundle.x, vectors, x_encoding, cols, &expected)
                        .and_then(|()| store.check_partition(&bundle, index))
                        .map(|()| Outcome {
                            job_root: [0; 32],
                            partitions: 1,
                            x: bundle.x.clone(),
                            x_encoding,
                            y: Vec::new(),
                            vectors,
                            y_scale_bits: 0,
                            aggregated: false,
                            srs_unsafe: store.is_unsafe(),
                        })
                }
                _ => zkmr_core::verify::verify_expecting(&bundle, &commitment, &expected)
                    .map_err(|e| match &store {
                        Some(store) => store.locate(&bundle, e),
                        None => e,
                    })
                    .map(|v| Outcome {
                        job_root: v.job_root,
                        partitions: v.partitions,
                        x: v.x,
                        x_encoding: v.x_encoding,
                        y: v.y,
                        vectors: v.vectors,
                        y_scale_bits: v.y_scale_bits,
                        aggregated: false,
                        srs_unsafe: v.srs_unsafe,
                    }),
            };
            (result, started.elapsed().as_secs_f64() * 1e3)
        }
        (None, Some(path)) => {
            if args.srs.is_none() && !args.dev_srs {
                return Err(Error::Usage(
                    "--aggregated needs the SRS: --srs FILE or --dev-srs".into(),
                ));
            }
            let srs = SrsArgs {
                srs: args.srs.clone(),
                dev_srs: args.dev_srs,
            };
            scheme = Some(zkmr_core::Scheme::Halo2);
            verify_aggregated(path, &commitment, &srs, &expected)?
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
    match result {
        Ok(v) if args.partition.is_some() => {
            let index = args.partition.unwrap_or_default();
            if args.json {
                output::json(&VerifyReport {
                    verified: true,
                    scheme: scheme.map(|s| s.to_string()),
                    job_root: None,
                    partitions: Some(v.partitions),
                    vectors: Some(v.vectors),
                    x_digest: Some(digest_to_hex(&v.x_digest())),
                    x: Some(x_value(&v.x, v.x_encoding, v.vectors)),
                    x_scale_bits: Some(v.x_encoding.scale_bits),
                    y: None,
                    error: None,
                    rejected_partition: None,
                    srs_unsafe: v.srs_unsafe,
                    verify_ms,
                });
            } else {
                say!(
                    "verified: partition {index} is the product of its committed block for x {} \
                     ({verify_ms:.1} ms)",
                    digest_to_hex(&v.x_digest())
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Ok(v) => {
            let y = zkmr_core::fixed_point::decode_all(&v.y, v.y_scale_bits);
            let rows = y.len() / v.vectors.max(1);
            let y = super::prove::y_value(&y, rows, v.vectors > 1);
            if args.json {
                output::json(&VerifyReport {
                    verified: true,
                    scheme: scheme.map(|s| s.to_string()),
                    job_root: Some(digest_to_hex(&v.job_root)),
                    partitions: Some(v.partitions),
                    vectors: Some(v.vectors),
                    x_digest: Some(digest_to_hex(&v.x_digest())),
                    x: Some(x_value(&v.x, v.x_encoding, v.vectors)),
                    x_scale_bits: Some(v.x_encoding.scale_bits),
                    y: Some(y),
                    error: None,
                    rejected_partition: None,
                    srs_unsafe: v.srs_unsafe,
                    verify_ms,
                });
            } else {
                say!(
                    "verified{}: {} partitions in {verify_ms:.1} ms; x {}; job root {}",
                    if v.aggregated {
                        " (one aggregated proof)"
                    } else {
                        ""
                    },
                    v.partitions,
                    digest_to_hex(&v.x_digest()),
                    digest_to_hex(&v.job_root)
                );
                say!(
                    "x = {}",
                    output::preview_value(&x_value(&v.x, v.x_encoding, v.vectors))
                );
                say!("y = {}", output::preview_value(&y));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err @ Error::Rejected { .. }) => {
            if args.json {
                let partition = match &err {
                    Error::Rejected { partition, .. } => *partition,
                    _ => None,
                };
                output::json(&VerifyReport {
                    verified: false,
                    scheme: scheme.map(|s| s.to_string()),
                    job_root: None,
                    partitions: None,
                    vectors: None,
                    x_digest: None,
                    x: None,
                    x_scale_bits: None,
                    y: None,
                    error: Some(err.to_string()),
                    rejected_partition: partition,
                    srs_unsafe: false,
                    verify_ms,
                });
                eprintln!("zkmr: {err}");
                Ok(ExitCode::from(1))
            } else {
                Err(err)
            }
        }
        Err(other) => Err(other),
    }
}

#[derive(Serialize)]
struct OpeningReport {
    verified: bool,
    partition: u32,
    row_start: u64,
    row_end: u64,
    job_root: Option<String>,
    vectors: Option<usize>,
    x_digest: Option<String>,
    x: Option<Value>,
    x_scale_bits: Option<u32>,
    y: Option<Value>,
    error: Option<String>,
    verify_ms: f64,
}

/// `verify --opening`: one partition, checked without the rest of the job.
fn verify_opening(
    args: &Args,
    path: &std::path::Path,
    commitment: &[u8; 32],
    expected: &Expected,
) -> Result<ExitCode> {
    let what = path.display().to_string();
    let bytes = zkmr_core::fsio::read_bytes(path)?;
    // A file that is not an opening cannot be read (exit 2); only a decoded one is rejected.
    let opening = zkmr_core::verify::read_opening(&bytes, &what)?;
    let started = Instant::now();
    let result =
        zkmr_core::verify::verify_opening(&opening, commitment, expected).and_then(|v| match args
            .partition
        {
            Some(p) if p != v.index => Err(Error::rejected(
                v.index,
                format!("the opening is of partition {}, not {p}", v.index),
            )),
            _ => Ok(v),
        });
    let verify_ms = started.elapsed().as_secs_f64() * 1e3;
    match result {
        Ok(v) => {
            let y = zkmr_core::fixed_point::decode_all(&v.y, v.y_scale_bits);
            let rows = (v.row_end - v.row_start) as usize;
            let y = super::prove::y_value(&y, rows, v.vectors > 1);
            if args.json {
                output::json(&OpeningReport {
                    verified: true,
                    partition: v.index,
                    row_start: v.row_start,
                    row_end: v.row_end,
                    job_root: Some(digest_to_hex(&v.job_root)),
                    vectors: Some(v.vectors),
                    x_digest: Some(digest_to_hex(&v.x_digest)),
                    x: Some(x_value(&v.x, v.x_encoding, v.vectors)),
                    x_scale_bits: Some(v.x_encoding.scale_bits),
                    y: Some(y),
                    error: None,
                    verify_ms,
                });
            } else {
                say!(
                    "verified: partition {} (rows {}..{}) in {verify_ms:.1} ms; x {}; job root {}",
                    v.index,
                    v.row_start,
                    v.row_end,
                    digest_to_hex(&v.x_digest),
                    digest_to_hex(&v.job_root)
                );
                say!(
                    "x = {}",
                    output::preview_value(&x_value(&v.x, v.x_encoding, v.vectors))
                );
                say!("y = {}", output::preview_value(&y));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) if args.json => {
            let partition = match &err {
                Error::Rejected {
                    partition: Some(p), ..
                } => *p,
                _ => args.partition.unwrap_or_default(),
            };
            output::json(&OpeningReport {
                verified: false,
                partition,
                row_start: 0,
                row_end: 0,
                job_root: None,
                vectors: None,
                x_digest: None,
                x: None,
                x_scale_bits: None,
                y: None,
                error: Some(err.to_string()),
                verify_ms,
            });
            eprintln!("zkmr: {err}");
            Ok(ExitCode::from(1))
        }
        Err(err) => Err(err),
    }
}
