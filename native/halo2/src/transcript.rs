//! The proof system instantiation every partition uses: KZG on BN254, SHPLONK multi-opening,
//! and a Poseidon Fiat-Shamir transcript. Kept in one place so prover and verifier cannot
//! drift.
//!
//! The transcript is snark-verifier's Poseidon transcript with the same sponge as
//! [`crate::poseidon`] (width 3, rate 2): a circuit can replay it cheaply, which is what
//! lets the aggregation circuit verify partition proofs in-circuit. A Blake2b transcript
//! would be as sound natively but far too costly to recompute there.

use std::io::Cursor;

use halo2_proofs::{
    halo2curves::bn256::Bn256,
    plonk::{create_proof, verify_proof},
    poly::kzg::{
        commitment::KZGCommitmentScheme,
        multiopen::{ProverSHPLONK, VerifierSHPLONK},
        strategy::SingleStrategy,
    },
};
use rand::rngs::OsRng;

use crate::circuit::MatVecCircuit;
use crate::keys::{Pk, Vk};
use crate::poseidon::Transcript;
use crate::srs::ProverParams;
use zkmr_math::device::Device;
use zkmr_math::field::F;

/// Proves one circuit on `device`; blinding randomness comes from the OS.
pub fn prove(
    device: Device,
    params: &ProverParams,
    pk: &Pk,
    circuit: MatVecCircuit<'_>,
    instances: &[Vec<F>],
) -> Result<Vec<u8>, String> {
    let columns: Vec<&[F]> = instances.iter().map(Vec::as_slice).collect();
    let mut transcript = Transcript::new::<0>(Vec::new());
    match device {
        Device::Cpu => create_proof::<
            KZGCommitmentScheme<Bn256>,
            ProverSHPLONK<'_, Bn256>,
            _,
            _,
            _,
            _,
        >(params, pk, &[circuit], &[&columns], OsRng, &mut transcript)
        .map_err(|e| e.to_string())?,
        #[cfg(feature = "cuda")]
        Device::Cuda => crate::gpu::prove(params, pk, circuit, &columns, &mut transcript)?,
        #[cfg(not(feature = "cuda"))]
        Device::Cuda => return Err("this build of zkmr has no CUDA prover".into()),
    }
    Ok(transcript.finalize())
}

/// Verifies one proof; the proof must be consumed exactly, trailing bytes are refused.
pub fn verify(
    params: &ProverParams,
    vk: &Vk,
    instances: &[Vec<F>],
    proof: &[u8],
) -> Result<(), String> {
    let columns: Vec<&[F]> = instances.iter().map(Vec::as_slice).collect();
    let mut cursor = Cursor::new(proof);
    let mut transcript = Transcript::new::<0>(&mut cursor);
    verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
        params,
        vk,
        SingleStrategy::new(params),
        &[&columns],
        &mut transcript,
    )
    .map_err(|e| format!("proof does not verify: {e}"))?;
    let read = cursor.position() as usize;
    if read != proof.len() {
        return Err(format!(
            "proof has {} trailing bytes after {read}",
            proof.len() - read
        ));
    }
    Ok(())
}
