//! The EVM verifier of an aggregated proof.
//!
//! snark-verifier's EVM loader writes the verifier as Solidity (one contract of inline
//! assembly) with the root verifying key and the SRS points built in. Any `solc` compiles it;
//! the project's tests use solc-js from npm (`tools/solc`), named by `ZKMR_SOLC`. The calldata
//! is the public inputs as 32-byte words followed by the proof.

use halo2_proofs::{halo2curves::bn256::G1Affine, plonk::VerifyingKey};
use snark_verifier_sdk::{
    evm::{encode_calldata, gen_evm_verifier_sol_code},
    halo2::aggregation::AggregationCircuit,
    SHPLONK,
};
use zkmr_core::halo2::srs::VerifierSrs;

pub use zkmr_scheme::solidity::compile;

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

/// Deploys `bytecode` in an in-memory EVM (revm) and calls it with `calldata`; the gas of the
/// call when the verifier accepts, the revert reason when it does not.
pub fn call(bytecode: Vec<u8>, calldata: Vec<u8>) -> std::result::Result<u64, String> {
    snark_verifier::loader::evm::deploy_and_call(bytecode, calldata)
}
