//! Compiling the Solidity verifiers schemes generate (the halo2 aggregation's, cqlin's) with
//! `$ZKMR_SOLC` (default `solc`); the project's tests use solc-js from npm (`tools/solc`).

use std::io::Write;
use std::process::{Command, Stdio};

use zkmr_math::error::{Error, Result};

/// Compiles Solidity to deployment bytecode with `$ZKMR_SOLC` (default `solc`), which must
/// read the source on stdin and print the bytecode in hex as its last token, as
/// `solc --bin -` does.
pub fn compile(source: &str) -> Result<Vec<u8>> {
    run_compiler(source, &["--bin", "-"])
}

/// [`compile`] with the optimizer on (`--optimize`): for hand-written verifiers, whose inline
/// assembly the optimizer makes several times cheaper to run.
pub fn compile_optimized(source: &str) -> Result<Vec<u8>> {
    run_compiler(source, &["--optimize", "--bin", "-"])
}

fn run_compiler(source: &str, args: &[&str]) -> Result<Vec<u8>> {
    let compiler = std::env::var("ZKMR_SOLC").unwrap_or_else(|_| "solc".into());
    let not_run = |e: std::io::Error| {
        Error::Usage(format!(
            "cannot run the Solidity compiler `{compiler}` ({e}); install solc or set ZKMR_SOLC"
        ))
    };
    let mut child = Command::new(&compiler)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(not_run)?;
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(source.as_bytes())
        .map_err(not_run)?;
    let output = child.wait_with_output().map_err(not_run)?;
    if !output.status.success() {
        return Err(Error::Usage(format!(
            "`{compiler}` failed on the verifier: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let hex_code = stdout.split_whitespace().last().unwrap_or_default();
    hex::decode(hex_code)
        .ok()
        .filter(|code| !code.is_empty())
        .ok_or_else(|| Error::Usage(format!("`{compiler}` printed no bytecode")))
}
