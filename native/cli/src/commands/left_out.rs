//! The subcommands of a build compiled without the feature they need (the quick build
//! scripts/zkmr makes first): they stay in `--help`, take any arguments, and say which
//! feature they need and how to build it, instead of clap's "unrecognized subcommand".

use std::ffi::OsString;
use std::process::ExitCode;

use zkmr_core::Result;

#[derive(clap::Args)]
pub struct Args {
    /// Whatever the full command takes.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    _args: Vec<OsString>,
}

/// Refuses `command`, naming the cargo `feature` it needs.
pub fn run(command: &str, feature: &str) -> Result<ExitCode> {
    Err(zkmr_core::registry::not_built(command, feature))
}
