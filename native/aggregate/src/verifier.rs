//! Verification of an aggregated proof: one SHPLONK proof and its accumulator, whatever the
//! number of partitions.
//!
//! The verifier trusts the matrix commitment and the SRS, nothing else from the prover. The
//! root verifying key comes from [`crate::keys::root_verifying_key`] (rebuilt from the shape,
//! then cached by the caller); the public inputs are rebuilt from the trusted commitment and
//! the artifact's `x` and `y`, so a proof about other values cannot pass.

use std::panic::{catch_unwind, AssertUnwindSafe};

use halo2_proofs::halo2curves::bn256::G1Affine;
use halo2_proofs::plonk::VerifyingKey;
use halo2_proofs::poly::commitment::ParamsProver;
use snark_verifier::{
    loader::native::NativeLoader,
    system::halo2::{compile, transcript::evm::EvmTranscript, Config},
    verifier::SnarkVerifier,
};
use snark_verifier_sdk::{
    halo2::aggregation::AggregationCircuit, CircuitExt, PlonkVerifier, SHPLONK,
};
use zkmr_core::field::{to_hex, F};
use zkmr_core::matrix::Partitioning;
use zkmr_core::statement::{outputs_digest, vector_digest};
use zkmr_core::{Error, Result};

use crate::artifact::Aggregated;

/// What an accepted aggregated proof establishes.
#[derive(Clone, Debug)]
pub struct VerifiedAggregate {
    pub job_root: F,
    pub partitions: usize,
    /// `y = A x` at scale `s_A + s_x`.
    pub y: Vec<i128>,
    pub y_scale_bits: u32,
}

impl VerifiedAggregate {
    pub fn line(&self) -> String {
        format!(
            "verified: aggregated proof over {} partitions, job root {}",
            self.partitions,
            to_hex(&self.job_root)
        )
    }
}

/// Verifies `agg` for the matrix behind `trusted_commitment` under the root key `vk`.
pub fn verify(
    agg: &Aggregated,
    trusted_commitment: F,
    vk: &VerifyingKey<G1Affine>,
) -> Result<VerifiedAggregate> {
    if agg.matrix_commitment != trusted_commitment {
        return Err(Error::rejected_bundle(
            "the aggregated proof is about a different matrix than the trusted commitment",
        ));
    }
    if agg.srs.digest() != agg.header.srs_digest {
        return Err(Error::rejected_bundle(
            "the SRS in the aggregated proof is not the one the matrix header names",
        ));
    }
    if vector_digest(&agg.x) != agg.x_digest {
        return Err(Error::rejected_bundle(
            "x does not match the proof's digest of x",
        ));
    }
    let partitioning = Partitioning::new(
        agg.header.rows as usize,
        agg.header.rows_per_partition as usize,
    )
    .map_err(|e| Error::rejected_bundle(e.to_string()))?;
    if agg.y.len() as u64 != agg.header.rows || partitioning.count() != agg.partitions {
        return Err(Error::rejected_bundle(format!(
            "y has {} entries and {} partitions, the matrix {} rows in {} partitions",
            agg.y.len(),
            agg.partitions,
            agg.header.rows,
            partitioning.count()
        )));
    }
    let blocks = (0..agg.partitions).map(|p| &agg.y[partitioning.range(p)]);
    if outputs_digest(blocks) != agg.y_digest {
        return Err(Error::rejected_bundle(
            "y does not match the proof's digest of y",
        ));
    }
    check_proof(
        vk,
        &agg.instances(),
        &agg.proof,
        agg.srs.params(agg.settings.k),
    )?;
    Ok(VerifiedAggregate {
        job_root: agg.job_root,
        partitions: agg.partitions,
        y: agg.y.clone(),
        y_scale_bits: agg.header.encoding.scale_bits + agg.x_encoding.scale_bits,
    })
}

/// The SHPLONK proof (Keccak transcript) and its KZG accumulator, in one pairing check.
fn check_proof(
    vk: &VerifyingKey<G1Affine>,
    instances: &[F],
    proof: &[u8],
    params: zkmr_core::srs::ProverParams,
) -> Result<()> {
    let protocol = compile(
        &params,
        vk,
        Config::kzg()
            .with_num_instance(vec![instances.len()])
            .with_accumulator_indices(AggregationCircuit::accumulator_indices()),
    );
    let dk = (params.get_g()[0], params.g2(), params.s_g2()).into();
    let instances = vec![instances.to_vec()];
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut transcript = EvmTranscript::<G1Affine, NativeLoader, _, _>::new(proof);
        let read =
            PlonkVerifier::<SHPLONK>::read_proof(&dk, &protocol, &instances, &mut transcript)
                .map_err(|e| format!("{e:?}"))?;
        PlonkVerifier::<SHPLONK>::verify(&dk, &protocol, &instances, &read)
            .map_err(|e| format!("{e:?}"))
    }));
    match outcome {
        Ok(Ok(())) => Ok(()),
        Ok(Err(reason)) => Err(Error::rejected_bundle(format!(
            "the aggregated proof does not verify: {reason}"
        ))),
        Err(_) => Err(Error::rejected_bundle(
            "the aggregated proof does not verify: malformed proof bytes",
        )),
    }
}
