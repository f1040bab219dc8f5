//! Proving: one partition against `x`, and the assembly of proved partitions into a bundle.
//!
//! [`prove_partition`] runs where the rows are and [`assemble`] where the results meet; the
//! job layer ([`crate::job`]) drives both, in one process or across tasks.

use std::time::Instant;

use crate::device::Device;
use crate::error::{Error, Result};
use crate::field::{from_i64, pack_i128, to_bytes, F};
use crate::fixed_point::FixedPoint;
use crate::halo2::circuit::{MatVecCircuit, Witness};
use crate::halo2::keys::{proving_key, vk_from_bytes};
use crate::halo2::shape::CircuitShape;
use crate::halo2::srs::{ProverParams, VerifierSrs};
use crate::halo2::statement::job_root_of;
use crate::halo2::transcript;
use crate::keystore::KeyStore;
use crate::matrix::dot;
use crate::scheme::PartitionProved;

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
/// [`crate::halo2::verify::verify`]).
pub fn assemble(
    store: &KeyStore,
    params: &ProverParams,
    x: &[i64],
    x_encoding: FixedPoint,
    partitions: Vec<PartitionProved>,
) -> Result<zkmr_proto::Bundle> {
    let manifest = &store.manifest;
    let ids = manifest.partition_ids()?;
    let commitment =
        crate::field::from_bytes(&manifest.commitment()?, "manifest matrix_commitment")?;
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
    let header = manifest.header()?;
    Ok(zkmr_proto::Bundle {
        version: zkmr_proto::BUNDLE_VERSION,
        matrix: Some(crate::bundle::meta_to_proto(&header)),
        srs: Some(VerifierSrs::of(params).to_proto()),
        matrix_commitment: to_bytes(&commitment).to_vec(),
        x: x.to_vec(),
        x_encoding: Some(crate::bundle::encoding_to_proto(x_encoding)),
        partitions,
        job_root: to_bytes(&root).to_vec(),
        scheme: crate::Scheme::Halo2.to_proto(),
        vectors: 1,
        pedersen: None,
    })
}
