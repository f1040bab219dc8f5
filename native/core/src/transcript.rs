//! The proof system instantiation every partition uses: KZG on BN254, SHPLONK multi-opening,
//! Blake2b Fiat-Shamir transcript. Kept in one place so prover and verifier cannot drift.

use std::io::Cursor;

use halo2_proofs::{
    halo2curves::bn256::{Bn256, G1Affine},
    plonk::{create_proof, verify_proof},
    poly::kzg::{
        commitment::KZGCommitmentScheme,
        multiopen::{ProverSHPLONK, VerifierSHPLONK},
        strategy::SingleStrategy,
    },
    transcript::{
        Blake2bRead, Blake2bWrite, Challenge255, TranscriptReadBuffer, TranscriptWriterBuffer,
    },
};
use rand::rngs::OsRng;

use crate::circuit::MatVecCircuit;
use crate::field::F;
use crate::keys::{Pk, Vk};
use crate::srs::ProverParams;

/// Proves one circuit; blinding randomness comes from the OS.
pub fn prove(
    params: &ProverParams,
    pk: &Pk,
    circuit: MatVecCircuit<'_>,
    instances: &[Vec<F>],
) -> Result<Vec<u8>, halo2_proofs::plonk::Error> {
    let columns: Vec<&[F]> = instances.iter().map(Vec::as_slice).collect();
    let mut transcript = Blake2bWrite::<_, G1Affine, Challenge255<_>>::init(vec![]);
    create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
        params,
        pk,
        &[circuit],
        &[&columns],
        OsRng,
        &mut transcript,
    )?;
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
    let mut transcript = Blake2bRead::<_, G1Affine, Challenge255<_>>::init(&mut cursor);
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
