//! The zkmr command line: commit a matrix, prove `y = A x`, verify, benchmark.
//!
//! A library so that the `zkmr` binary and the Python package's `zkmr` command run the same
//! CLI: [`main_with`] takes the arguments and how to start the CLI again (the benchmarks
//! measure each size in a fresh process) and returns the exit status: 0 success, 1 a proof was
//! read and rejected, 2 usage, an input that cannot be read (a proof that does not decode
//! included) or an output that cannot be written.

mod commands;
mod device;
mod inputs;
mod output;
mod paths;
mod progress;
#[cfg(feature = "sql")]
mod render;

use std::ffi::OsString;
use std::process::ExitCode;
use std::sync::OnceLock;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// The version, and which build this is: scripts/zkmr keeps a full build once there is one.
const VERSION: &str = if cfg!(all(feature = "halo2", feature = "sql")) {
    concat!(
        env!("CARGO_PKG_VERSION"),
        " (full build: pedersen, halo2, cqlin, sql)"
    )
} else if cfg!(feature = "halo2") {
    concat!(
        env!("CARGO_PKG_VERSION"),
        " (pedersen, halo2, cqlin; without sql)"
    )
} else if cfg!(feature = "sql") {
    concat!(
        env!("CARGO_PKG_VERSION"),
        " (pedersen, cqlin, sql; without halo2)"
    )
} else {
    concat!(
        env!("CARGO_PKG_VERSION"),
        " (quick build: pedersen, cqlin; without halo2, sql)"
    )
};

#[derive(Parser)]
#[command(
    name = "zkmr",
    version = VERSION,
    about = "Verifiable matrix-vector products: Pedersen commitments or halo2 proofs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Cut a matrix into partitions, make their keys and print the matrix commitment.
    Commit(commands::commit::Args),
    /// Prove y = A x for every partition of a key store and write a bundle.
    Prove(commands::prove::Args),
    /// Fold a bundle's partition proofs into one proof, verifiable on-chain.
    #[cfg(feature = "halo2")]
    Aggregate(commands::aggregate::Args),
    /// Fold a bundle's partition proofs into one proof (needs the `halo2` feature).
    #[cfg(not(feature = "halo2"))]
    Aggregate(commands::left_out::Args),
    /// Verify a bundle, an aggregated proof or a partition opening against a trusted matrix
    /// commitment, and (with --vector, --vectors or --x-digest) against the x you asked about.
    ///
    /// Every verdict names its x: the line shows the digest of the x the proof is about, and
    /// --json shows x itself. Exit codes: 0 verified; 1 the file was read and the proof rejected
    /// (the reason names the partition or x at fault); 2 the file cannot be read or the flags are
    /// wrong.
    ///
    /// What a verdict means: y = A x for the one matrix A over the field that the commitment binds
    /// (jobs, batches and partition openings of one commitment never disagree). It does not show
    /// that A's entries are integers within the encoding the header declares: a committer who
    /// committed other field elements can make chosen inputs unprovable, never make a wrong y
    /// verify (docs/pedersen.md, sections 4 and 7).
    Verify(commands::verify::Args),
    /// Show one partition of a verified job on its own, for a third party (pedersen).
    Open(commands::open::Args),
    /// Prove or verify a chain: products whose inputs are earlier outputs after public step
    /// functions (PageRank iterations, an MLP's layers).
    #[command(subcommand)]
    Chain(commands::chain::Command),
    /// Commit, prove and verify one input in one go.
    Run(commands::run::Args),
    /// Run SQL with the zkmr functions (zkCommitMatrix, zkMatMul, zkCommit, zkVerify) locally.
    #[cfg(feature = "sql")]
    Sql(commands::sql::Args),
    /// Run SQL with the zkmr functions locally (needs the `sql` feature).
    #[cfg(not(feature = "sql"))]
    Sql(commands::left_out::Args),
    /// Write a random matrix as Parquet (and a vector as JSON).
    Generate(commands::generate::Args),
    /// Measure setup, proving and verification against a plain f64 matvec.
    Bench(commands::bench::Args),
    /// Measure aggregation per number of partitions against per-partition verification.
    #[cfg(feature = "halo2")]
    BenchAggregate(commands::bench_aggregate::Args),
    /// Measure aggregation per number of partitions (needs the `halo2` feature).
    #[cfg(not(feature = "halo2"))]
    BenchAggregate(commands::left_out::Args),
    /// One aggregation benchmark in a fresh process.
    #[cfg(feature = "halo2")]
    #[command(hide = true)]
    BenchAggregateOne(commands::bench_aggregate::OneArgs),
    /// One benchmark size in a fresh process (so peak memory is per size).
    #[command(hide = true)]
    BenchOne(commands::bench::OneArgs),
}

/// The command that starts this CLI again: the binary, or `python -m zkmr`.
static RELAUNCH: OnceLock<Vec<OsString>> = OnceLock::new();

/// The command that starts this CLI again, for a measurement in a fresh process.
pub(crate) fn relaunch() -> std::process::Command {
    let argv = RELAUNCH
        .get()
        .expect("main_with sets the relaunch command first");
    let mut command = std::process::Command::new(&argv[0]);
    command.args(&argv[1..]);
    command
}

/// Runs the CLI on `args` (the program name first, as `std::env::args_os` gives them) and
/// returns its exit status. `relaunch` starts this CLI again in a fresh process: the binary's
/// path, or the Python interpreter with `-m zkmr`.
pub fn main_with(args: Vec<OsString>, relaunch: Vec<OsString>) -> u8 {
    assert!(!relaunch.is_empty(), "the relaunch command names a program");
    let _ = RELAUNCH.set(relaunch);
    // A host process (Python) may have set a subscriber already; then its logging stands.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("ZKMR_LOG").unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; usage errors exit 2.
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let result = match cli.command {
        Command::Commit(args) => commands::commit::run(args),
        Command::Prove(args) => commands::prove::run(args),
        #[cfg(feature = "halo2")]
        Command::Aggregate(args) => commands::aggregate::run(args),
        #[cfg(not(feature = "halo2"))]
        Command::Aggregate(_) => commands::left_out::run("`zkmr aggregate`", "halo2"),
        Command::Verify(args) => commands::verify::run(args),
        Command::Open(args) => commands::open::run(args),
        Command::Chain(command) => commands::chain::run(command),
        Command::Run(args) => commands::run::run(args),
        #[cfg(feature = "sql")]
        Command::Sql(args) => commands::sql::run(args),
        #[cfg(not(feature = "sql"))]
        Command::Sql(_) => commands::left_out::run("`zkmr sql`", "sql"),
        Command::Generate(args) => commands::generate::run(args),
        Command::Bench(args) => commands::bench::run(args),
        Command::BenchOne(args) => commands::bench::run_one(args),
        #[cfg(feature = "halo2")]
        Command::BenchAggregate(args) => commands::bench_aggregate::run(args),
        #[cfg(not(feature = "halo2"))]
        Command::BenchAggregate(_) => commands::left_out::run("`zkmr bench-aggregate`", "halo2"),
        #[cfg(feature = "halo2")]
        Command::BenchAggregateOne(args) => commands::bench_aggregate::run_one(args),
    };
    let result = result.and_then(|code| match output::failure() {
        // The work is done, but its report did not reach stdout (a full disk behind it).
        Some(e) => Err(zkmr_core::Error::io("stdout", e)),
        None => Ok(code),
    });
    match result {
        // Commands end with 0 or 1 (a proof read and rejected).
        Ok(code) => u8::from(code != ExitCode::SUCCESS),
        Err(err) => {
            eprintln!("zkmr: {err}");
            match err {
                zkmr_core::Error::Rejected { .. } => 1,
                _ => 2,
            }
        }
    }
}
