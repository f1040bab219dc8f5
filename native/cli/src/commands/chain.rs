//! `zkmr chain prove` and `zkmr chain verify`: several products, each input the previous
//! output after the spec's public step function, proved and verified as one artifact.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use prost::Message;
use serde::Serialize;
use serde_json::Value;
use zkmr_core::chain::spec::ChainSpec;
use zkmr_core::chain::{prove, verify, Outcome, StageOutcome};
use zkmr_core::job::JobRunner;
use zkmr_core::store::digest_to_hex;
use zkmr_core::{fsio, Error, Result};

use crate::inputs;
use crate::output::{self, say};
use crate::paths::Paths;
use crate::progress::Bar;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Prove a chain over its stages' key stores.
    Prove(ProveArgs),
    /// Verify a chain proof against the spec you trust.
    Verify(VerifyArgs),
}

#[derive(clap::Args)]
pub struct ProveArgs {
    /// The chain spec (JSON): the stages' matrix commitments and step functions.
    #[arg(long, value_name = "FILE")]
    pub spec: PathBuf,
    /// A key store of the chain's matrices; repeat it for each (matched by commitment).
    #[arg(long, value_name = "DIR", required = true)]
    pub keys: Vec<PathBuf>,
    /// The first input, a batch of vectors (JSON array of vectors, or Parquet or Arrow IPC
    /// rows), encoded as the spec says; none when the spec makes it ("uniform").
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Chain proof file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Also write the chain's output as JSON here.
    #[arg(long, value_name = "FILE")]
    pub output_out: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct VerifyArgs {
    /// The chain spec you trust (JSON).
    #[arg(long, value_name = "FILE")]
    pub spec: PathBuf,
    /// Chain proof written by `zkmr chain prove`.
    #[arg(long, value_name = "FILE")]
    pub proof: PathBuf,
    /// Also require the chain's first input to be this one (as `chain prove --input`).
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Also write the verified output as JSON here.
    #[arg(long, value_name = "FILE")]
    pub output_out: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct ProveReport {
    proof: String,
    proof_bytes: usize,
    steps: usize,
    vectors: usize,
    output_len: usize,
    output_scale_bits: u32,
    stages: Vec<StageOutcome>,
    prove_seconds: f64,
    step_seconds: Vec<f64>,
    job_roots: Vec<String>,
}

#[derive(Serialize)]
struct VerifyReport {
    verified: bool,
    steps: Option<usize>,
    vectors: Option<usize>,
    stages: Option<Vec<StageOutcome>>,
    error: Option<String>,
    verify_seconds: f64,
}

/// The chain's output as written by `--output-out`: decoded (one array per vector) and the
/// exact encoded integers.
#[derive(Serialize)]
struct OutputFile {
    output: Value,
    encoded: Vec<String>,
    scale_bits: u32,
}

fn read_spec(path: &Path) -> Result<ChainSpec> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    ChainSpec::from_json(&text, &path.display().to_string())
}

/// The first input, encoded as the spec says.
fn read_input(path: &Path, spec: &ChainSpec) -> Result<inputs::Vector> {
    inputs::vectors(
        path,
        Some(spec.input.scale_bits),
        Some(spec.input.value_bits),
    )
}

fn output_file(outcome: &Outcome) -> Vec<u8> {
    let decoded = outcome.decoded();
    let file = OutputFile {
        output: Value::from(
            decoded
                .chunks(outcome.len.max(1))
                .map(<[f64]>::to_vec)
                .collect::<Vec<_>>(),
        ),
        encoded: outcome.output.iter().map(i128::to_string).collect(),
        scale_bits: outcome.scale_bits,
    };
    serde_json::to_vec(&file).expect("the output serialises")
}

fn run_prove(args: ProveArgs) -> Result<ExitCode> {
    let out = output::path(&args.out);
    let output_out = args.output_out.as_deref().map(output::path);
    let paths = Paths::default()
        .read("--spec", &*args.spec)
        .read("--input", args.input.as_deref());
    args.keys
        .iter()
        .fold(paths, |p, k| p.store("--keys", k))
        .write("--out", &*out)
        .write("--output-out", output_out.as_deref())
        .check()?;
    let spec = read_spec(&args.spec)?;
    warn_of_long_chains(&spec);
    let stores = args
        .keys
        .iter()
        .map(|k| JobRunner::open(k))
        .collect::<Result<Vec<_>>>()?;
    let input = args
        .input
        .as_deref()
        .map(|p| read_input(p, &spec))
        .transpose()?;
    let bar = Bar::counting("chain", "steps at most");
    let started = Instant::now();
    let proved = prove::prove(&spec, &stores, input.as_ref().map(|v| &v.x), &bar)?;
    let seconds = started.elapsed().as_secs_f64();
    bar.finish();
    let bytes = proved.proof.encode_to_vec();
    let output = output_out.as_ref().map(|_| output_file(&proved.outcome));
    let mut files = vec![(out.as_path(), bytes.as_slice())];
    if let (Some(path), Some(bytes)) = (&output_out, &output) {
        files.push((path.as_path(), bytes.as_slice()));
    }
    fsio::write_all(&files)?;
    let o = &proved.outcome;
    let report = ProveReport {
        proof: out.display().to_string(),
        proof_bytes: bytes.len(),
        steps: o.steps,
        vectors: o.vectors,
        output_len: o.len,
        output_scale_bits: o.scale_bits,
        stages: o.stages.clone(),
        prove_seconds: seconds,
        step_seconds: proved.step_seconds.clone(),
        job_roots: o.job_roots.iter().map(digest_to_hex).collect(),
    };
    if args.json {
        output::json(&report);
    } else {
        say!(
            "proved a chain of {} steps over {} vector(s) in {seconds:.3} s; proof {} ({} bytes)",
            o.steps,
            o.vectors,
            report.proof,
            bytes.len()
        );
        print_stages(&o.stages);
        say!("output = {}", output::preview(&o.decoded()));
    }
    Ok(ExitCode::SUCCESS)
}

/// Steps beyond which a chain warns before it starts: each step is a proof of its own, so
/// a spec that repeats a stage this often makes a proof of gigabytes if it never converges.
const LONG_CHAIN: u64 = 10_000;

/// Warns of a spec whose repeats allow more than [`LONG_CHAIN`] steps.
fn warn_of_long_chains(spec: &ChainSpec) {
    for stage in &spec.stages {
        if let Some(repeat) = stage.repeat.filter(|r| u64::from(r.max) > LONG_CHAIN) {
            eprintln!(
                "zkmr: warning: stage {} repeats up to {} times until its change is at most {}; \
                 every step adds a proof, so a chain that does not converge takes that long and \
                 grows that large (lower its max to bound it)",
                stage.name, repeat.max, repeat.tolerance
            );
        }
    }
}

fn print_stages(stages: &[StageOutcome]) {
    for s in stages {
        match (s.converged, s.last_change) {
            (Some(c), Some(change)) => say!(
                "  {}: {} steps, {} (last change {change:.3e})",
                s.name,
                s.steps,
                if c { "converged" } else { "did not converge" }
            ),
            _ => say!("  {}: {} step(s)", s.name, s.steps),
        }
    }
}

fn run_verify(args: VerifyArgs) -> Result<ExitCode> {
    let output_out = args.output_out.as_deref().map(output::path);
    Paths::default()
        .read("--spec", &*args.spec)
        .read("--proof", &*args.proof)
        .read("--input", args.input.as_deref())
        .write("--output-out", output_out.as_deref())
        .check()?;
    let spec = read_spec(&args.spec)?;
    let input = args
        .input
        .as_deref()
        .map(|p| read_input(p, &spec))
        .transpose()?;
    let bytes = fsio::read_bytes(&args.proof)?;
    let started = Instant::now();
    let result = verify::decode(&bytes, &args.proof.display().to_string())
        .and_then(|proof| verify::verify(&proof, &spec))
        .and_then(|outcome| match &input {
            Some(x) if x.x.values != outcome.first_input => Err(Error::rejected_bundle(
                "the chain's first input is not the one given with --input",
            )),
            _ => Ok(outcome),
        });
    let seconds = started.elapsed().as_secs_f64();
    match result {
        Ok(outcome) => {
            if let Some(path) = &output_out {
                fsio::write_bytes(path, &output_file(&outcome))?;
            }
            if args.json {
                output::json(&VerifyReport {
                    verified: true,
                    steps: Some(outcome.steps),
                    vectors: Some(outcome.vectors),
                    stages: Some(outcome.stages.clone()),
                    error: None,
                    verify_seconds: seconds,
                });
            } else {
                say!(
                    "verified: a chain of {} steps over {} vector(s) ({seconds:.3} s)",
                    outcome.steps,
                    outcome.vectors
                );
                print_stages(&outcome.stages);
                say!("output = {}", output::preview(&outcome.decoded()));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ Error::Rejected { .. }) => {
            if args.json {
                output::json(&VerifyReport {
                    verified: false,
                    steps: None,
                    vectors: None,
                    stages: None,
                    error: Some(e.to_string()),
                    verify_seconds: seconds,
                });
            }
            eprintln!("zkmr: {e}");
            Ok(ExitCode::from(1))
        }
        Err(other) => Err(other),
    }
}

pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Prove(args) => run_prove(args),
        Command::Verify(args) => run_verify(args),
    }
}
