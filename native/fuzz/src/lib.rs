//! What zkmr reads from untrusted hands, one function per fuzz target: each takes the bytes an
//! attacker controls and does with them what zkmr does (decode a bundle and verify it, open a
//! key store and prove from it, read a matrix as the CLI does).
//!
//! The functions run in two builds. libFuzzer explores them from `fuzz/` (`scripts/fuzz.sh`,
//! an instrumented build of its own); this crate's test replays the saved seeds, every input
//! that once crashed a target and a fixed set of mutations of the seeds through them in the
//! workspace's ordinary build, which is what the test command runs.
//!
//! Every function swallows errors: a target fails only by panicking, aborting, running out of
//! memory or stalling. Rejecting malformed input is the expected outcome.

mod decoders;
pub mod keystore;
mod proofs;
mod readers;
mod scratch;

pub use decoders::let_decoder_panics_unwind;
pub use proofs::{bundle, chain};
pub use readers::{arrow_ipc, csv, json, parquet};
pub use scratch::{replace_file, scratch_dir};

/// A target: the name of its binary in `fuzz/` (and of its directories under `fuzz/corpus/`
/// and `fuzz/regressions/`) and its body.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
}

/// Every target, in the order `scripts/fuzz.sh` runs them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "bundle",
        run: bundle,
    },
    Target {
        name: "chain",
        run: chain,
    },
    Target {
        name: "keystore",
        run: keystore::run,
    },
    Target {
        name: "json",
        run: json,
    },
    Target {
        name: "csv",
        run: csv,
    },
    Target {
        name: "parquet",
        run: parquet,
    },
    Target {
        name: "arrow_ipc",
        run: arrow_ipc,
    },
];
