//! The CUDA backend of [`crate::transcript::prove`]: `halo2-axiom-gpu`'s `create_proof` over
//! the same circuit, proving key and transcript as the CPU prover.
//!
//! Only the SRS needs translating: the GPU crate keeps its own `ParamsKZG` (with device
//! mirrors of the points), so the host parameters are re-read into it once per process and
//! SRS, and the device copy is then reused by every proof.

use std::sync::{Arc, Mutex};

use halo2_axiom_gpu::plonk::create_proof;
use halo2_axiom_gpu::poly::kzg::{
    commitment::{KZGCommitmentScheme, ParamsKZG},
    multiopen::ProverSHPLONK,
};
use halo2_axiom_gpu::SerdeFormat;
use halo2_proofs::halo2curves::bn256::{Bn256, G2Affine};
use rand::rngs::OsRng;

use crate::circuit::MatVecCircuit;
use crate::keys::Pk;
use crate::poseidon::Transcript;
use crate::srs::ProverParams;
use zkmr_math::field::F;

type GpuParams = ParamsKZG<Bn256>;

/// The translated SRS, identified by its size and `s·G2` (which fixes the secret).
static PARAMS: Mutex<Option<(u32, G2Affine, Arc<GpuParams>)>> = Mutex::new(None);

/// One proof at a time per process: the GPU crate's streams and memory pool are shared, and
/// the kernels already occupy the whole device.
static DEVICE: Mutex<()> = Mutex::new(());

fn device_params(params: &ProverParams) -> Result<Arc<GpuParams>, String> {
    use halo2_proofs::poly::commitment::Params;

    let mut cached = PARAMS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((k, s_g2, gpu)) = cached.as_ref() {
        if *k == params.k() && *s_g2 == params.s_g2() {
            return Ok(Arc::clone(gpu));
        }
    }
    let mut bytes = Vec::new();
    params
        .write_custom(&mut bytes, SerdeFormat::RawBytesUnchecked)
        .map_err(|e| format!("cannot serialise the SRS for the GPU: {e}"))?;
    let gpu = Arc::new(
        GpuParams::read_custom(&mut bytes.as_slice(), SerdeFormat::RawBytesUnchecked)
            .map_err(|e| format!("cannot read the SRS into the GPU prover: {e}"))?,
    );
    *cached = Some((params.k(), params.s_g2(), Arc::clone(&gpu)));
    Ok(gpu)
}

/// Proves one circuit on the GPU into `transcript`.
pub fn prove(
    params: &ProverParams,
    pk: &Pk,
    circuit: MatVecCircuit<'_>,
    columns: &[&[F]],
    transcript: &mut Transcript<Vec<u8>>,
) -> Result<(), String> {
    let gpu = device_params(params)?;
    let _device = DEVICE.lock().unwrap_or_else(|e| e.into_inner());
    create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
        &gpu,
        pk,
        &[circuit],
        &[columns],
        OsRng,
        transcript,
    )
    .map_err(|e| format!("GPU prover: {e:?}"))
}
