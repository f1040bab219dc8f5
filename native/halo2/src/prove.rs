//! Proving: one partition against `x`, and the assembly of proved partitions into a bundle.
//!
//! [`prove_partition`] runs where the rows are and [`assemble`] where the results meet; the
//! job layer (`zkmr-core`'s `job`) drives both, in one process or across tasks.

use std::time::Instant;

use crate::circuit::{MatVecCircuit, Witness};
use crate::keys::{proving_key, vk_from_bytes};
use crate::shape::CircuitShape;
use crate::srs::{ProverParams, VerifierSrs};
use crate::statement::job_root_of;
use crate::transcript;
use zkmr_math::device::Device;
use zkmr_math::error::{Error, Result};
use zkmr_math::field::{from_i64, pack_i128, to_bytes, F};
use zkmr_math::fixed_point::FixedPoint;
use zkmr_math::matrix::dot;
use zkmr_scheme::store::KeyStore;
use zkmr_scheme::PartitionProved;

/// Proves one partition whose key (verifying key and block) has been read from the store.
pub fn prove_partition(
    device: Device,
    params: &ProverParams,
    shape: CircuitShape,
    key: zkmr_proto::PartitionKey,
    x: &[i64],
) -> Result<PartitionProved> {
    let started = Instant::now();
    let index = key.index;
    let vk = vk_from_bytes(&key.verifying_key, shape, index)?;
    let pk = proving_key(params, vk, shape, &key.block, index)?;
    let y: Vec<i128> = key
        .block
        .chunks(shape.cols)
        .map(|row| dot(row, x))
        .collect();
    let circuit = MatVecCircuit::for_proof(shape, &key.block, Witness { x, y: &y });
    let x_field: Vec<F> = x.iter().map(|v| from_i64(*v)).collect();
    let instances = shape.instance_columns(&x_field, &y);
    let proof = transcript::prove(device, params, &pk, circuit, &instances).map_err(|reason| {
        Error::Proving {
            partition: index,
            reason,
        }
    })?;
    Ok(PartitionProved {
        y,
        proof: zkmr_proto::PartitionProof {
            index,
            row_start: key.row_start,
            row_end: key.row_end,
            verifying_key: key.verifying_key,
            y: Vec::new(),
            proof,
        },
        device: device.name().into(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Puts every partition of `store`, proved for `x`, into a bundle with its job root.
///
/// `partitions` come in partition order, each once (the job layer checks it). The proofs are
/// not checked here: a reducer that did not prove them itself verifies the bundle (see
/// [`crate::verify::verify`]).
pub fn assemble(
    store: &KeyStore,
    params: &ProverParams,
    x: &[i64],
    x_encoding: FixedPoint,
    partitions: Vec<PartitionProved>,
) -> Result<zkmr_proto::Bundle> {
    let manifest = &store.manifest;
    let ids = crate::store::partition_ids(manifest)?;
    let commitment =
        zkmr_math::field::from_bytes(&manifest.commitment()?, "manifest matrix_commitment")?;
    let root = job_root_of(
        commitment,
        x,
        x_encoding,
        &ids,
        partitions.iter().map(|p| p.y.as_slice()),
    );
    let partitions = partitions
        .into_iter()
        .map(|p| zkmr_proto::PartitionProof {
            y: pack_i128(&p.y),
            ..p.proof
        })
        .collect();
    let header = crate::store::header(manifest)?;
    Ok(zkmr_proto::Bundle {
        version: zkmr_proto::BUNDLE_VERSION,
        matrix: Some(crate::meta::meta_to_proto(&header)),
        srs: Some(VerifierSrs::of(params).to_proto()),
        matrix_commitment: to_bytes(&commitment).to_vec(),
        x: x.to_vec(),
        x_encoding: Some(zkmr_scheme::bundle::encoding_to_proto(x_encoding)),
        partitions,
        job_root: to_bytes(&root).to_vec(),
        scheme: zkmr_scheme::Scheme::Halo2.to_proto(),
        vectors: 1,
        pedersen: None,
        cqlin: None,
    })
}
