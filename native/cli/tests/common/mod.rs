//! Helpers shared by the CLI test binaries.

use assert_cmd::Command;
use serde_json::Value;

/// Runs `cmd`, which must succeed, and parses its one JSON object.
pub fn json_out(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON object")
}
