//! The `zkmr` command of the Python package: the CLI itself (`zkmr_cli`), so a `pip install`
//! gives the same commands, flags, output and exit codes as the checkout's binary.

use std::ffi::OsString;

use pyo3::prelude::*;

/// Runs the CLI on `argv` (the program name first) and returns its exit status; `relaunch`
/// starts it again in a fresh process (the interpreter with `-m zkmr`). The GIL is released
/// for the whole command.
#[pyfunction]
pub fn cli(py: Python<'_>, argv: Vec<OsString>, relaunch: Vec<OsString>) -> u8 {
    py.detach(|| zkmr_cli::main_with(argv, relaunch))
}
