//! `zkmr`: commit a matrix, prove `y = A x`, verify, benchmark (the CLI is the `zkmr_cli`
//! library, which the Python package's `zkmr` command runs too).

use std::process::ExitCode;

fn main() -> ExitCode {
    let relaunch = std::env::current_exe()
        .map(|exe| vec![exe.into_os_string()])
        .unwrap_or_else(|_| vec!["zkmr".into()]);
    ExitCode::from(zkmr_cli::main_with(std::env::args_os().collect(), relaunch))
}
