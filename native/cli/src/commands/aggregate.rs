//! `zkmr aggregate`: one proof for a whole bundle.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use zkmr_aggregate::aggregator::{DEFAULT_FAN_IN, DEFAULT_K};
use zkmr_aggregate::{aggregate, evm, Settings, VerifiedJob};
use zkmr_core::{bundle, field, Error, Result};

use crate::inputs::SrsArgs;
use crate::output::{self, say};
use crate::paths::Paths;

#[derive(clap::Args)]
pub struct Args {
    /// Bundle written by `zkmr prove`, `zkmr sql` or a Spark/Hadoop job.
    #[arg(long, value_name = "BUNDLE")]
    pub bundle: PathBuf,
    /// Where to write the aggregated proof.
    #[arg(long, value_name = "AGG")]
    pub out: PathBuf,
    /// Proofs per aggregation node (a power of two).
    #[arg(long, default_value_t = DEFAULT_FAN_IN)]
    pub fan_in: usize,
    /// Aggregation circuit size, 2^k rows; the SRS must reach it.
    #[arg(long, default_value_t = DEFAULT_K)]
    pub k: u32,
    /// The SRS the partitions were proved under (or --dev-srs), at least of size k.
    #[command(flatten)]
    pub srs: SrsArgs,
    /// Also write the Solidity verifier of the aggregated proof.
    #[arg(long, value_name = "FILE")]
    pub solidity: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let settings = Settings {
        fan_in: args.fan_in,
        k: args.k,
    };
    settings
        .check()
        .map_err(|e| Error::Usage(format!("--k, --fan-in: {e}")))?;
    // Aggregation takes minutes: an output that cannot be written is found first, and a
    // bundle that cannot be aggregated before the SRS is made.
    let out = output::path(&args.out);
    let solidity_out = args.solidity.as_deref().map(output::path);
    Paths::default()
        .read("--bundle", &*args.bundle)
        .read("--srs", args.srs.srs.as_deref())
        .write("--out", &*out)
        .write("--solidity", solidity_out.as_deref())
        .check()?;
    let bundle = bundle::read(&args.bundle)?;
    if bundle.scheme != zkmr_proto::Scheme::Halo2 as i32 {
        return Err(Error::Usage(format!(
            "{}: aggregation folds halo2 partition proofs, and this bundle is not halo2 (its \
             key store was committed under another scheme)",
            args.bundle.display()
        )));
    }
    let (params, source) = zkmr_aggregate::load_srs(&args.srs.choice(), args.k)?;
    if source.is_unsafe() {
        eprintln!("zkmr: warning: development SRS (insecure, for testing only)");
    }
    let job = VerifiedJob::new(&bundle, &params)?;
    let partitions = job.context.partitions;
    let bar = ProgressBar::with_draw_target(
        None,
        if args.quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    bar.set_style(
        ProgressStyle::with_template("aggregate [{bar:40}] {pos}/{len} nodes {elapsed}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let started = Instant::now();
    let (aggregated, vk) = aggregate(job, &params, settings, &|done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    let proof = prost::Message::encode_to_vec(&aggregated.to_proto());
    let solidity = solidity_out
        .as_ref()
        .map(|_| evm::solidity(&aggregated.srs, args.k, &vk, aggregated.instances().len()));
    let mut files = vec![(out.as_path(), proof.as_slice())];
    if let (Some(path), Some(source)) = (&solidity_out, &solidity) {
        files.push((path.as_path(), source.as_bytes()));
    }
    zkmr_core::fsio::write_all(&files)?;
    say!(
        "aggregated {partitions} partitions in {seconds:.1} s (k = {}, fan-in {}) into {}",
        args.k,
        args.fan_in,
        out.display()
    );
    say!(
        "matrix commitment {}\njob root {}",
        field::to_hex(&aggregated.matrix_commitment),
        field::to_hex(&aggregated.job_root)
    );
    Ok(ExitCode::SUCCESS)
}
