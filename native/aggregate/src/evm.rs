//! The EVM verifier of an aggregated proof.
//!
//! snark-verifier's EVM loader writes the verifier as Solidity (one contract of inline
//! assembly) with the root verifying key and the SRS points built in. Any `solc` compiles it;
//! the project's tests use solc-js from npm (`tools/solc`), named by `ZKMR_SOLC`. The calldata
//! is the public inputs as 32-byte words followed by the proof.

use std::io::Write;
use std::process::{Command, Stdio};

use halo2_proofs::{halo2curves::bn256::G1Affine, plonk::VerifyingKey};
use snark_verifier_sdk::{
    evm::{encode_calldata, gen_evm_verifier_sol_code},
    halo2::aggregation::AggregationCircuit,
    SHPLONK,
};
use zkmr_core::halo2::srs::VerifierSrs;
use zkmr_core::{Error, Result};

use crate::artifact::Aggregated;

/// The Solidity source of the verifier for proofs under the root key `vk`.
pub fn solidity(
    srs: &VerifierSrs,
    k: u32,
    vk: &VerifyingKey<G1Affine>,
    instances: usize,
) -> String {
    gen_evm_verifier_sol_code::<AggregationCircuit, SHPLONK>(&srs.params(k), vk, vec![instances])
}

/// The calldata that asks the verifier about `agg`.
pub fn calldata(agg: &Aggregated) -> Vec<u8> {
    encode_calldata(&[agg.instances()], &agg.proof)
}

/// Compiles Solidity to deployment bytecode with `$ZKMR_SOLC` (default `solc`), which must
/// read the source on stdin and print the bytecode in hex as its last token, as
/// `solc --bin -` does.
pub fn compile(source: &str) -> Result<Vec<u8>> {
    let compiler = std::env::var("ZKMR_SOLC").unwrap_or_else(|_| "solc".into());
    let not_run = |e: std::io::Error| {
        Error::Usage(format!(
            "cannot run the Solidity compiler `{compiler}` ({e}); install solc or set ZKMR_SOLC"
        ))
    };
    let mut child = Command::new(&compiler)
        .args(["--bin", "-"])
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

/// Deploys `bytecode` in an in-memory EVM (revm) and calls it with `calldata`; the gas of the
/// call when the verifier accepts, the revert reason when it does not.
pub fn call(bytecode: Vec<u8>, calldata: Vec<u8>) -> std::result::Result<u64, String> {
    snark_verifier::loader::evm::deploy_and_call(bytecode, calldata)
}
