//! Proving: one partition against `x`, and the assembly of proved partitions into a bundle.
//!
//! [`prove`] does the whole job in one process. Engines that prove partitions in separate
//! tasks (SQL aggregates, Spark and Hadoop map tasks) call [`prove_partition`] where the rows
//! are and [`assemble`] where the results meet; both paths produce the same bundle.

use std::time::Instant;

use rayon::prelude::*;

use crate::circuit::{MatVecCircuit, Witness};
use crate::device::Device;
use crate::error::{Error, Result};
use crate::field::{from_i64, pack_i128, to_bytes, F};
use crate::fixed_point::{check_output_range, FixedPoint};
use crate::keys::{proving_key, vk_from_bytes};
use crate::keystore::KeyStore;
use crate::matrix::dot;
use crate::progress::{Event, Progress};
use crate::shape::CircuitShape;
use crate::srs::{ProverParams, VerifierSrs};
use crate::statement::job_root_of;
use crate::transcript;

/// A proved job.
#[derive(Debug)]
pub struct Proved {
    pub bundle: zkmr_proto::Bundle,
    /// `y = A x`, encoded at scale `s_A + s_x`.
    pub y: Vec<i128>,
    pub job_root: F,
    pub seconds: f64,
}

/// One proved partition: its `y` block and its proof (whose `y` field is left empty until
/// [`assemble`] packs it).
#[derive(Clone, Debug)]
pub struct PartitionProved {
    pub y: Vec<i128>,
    pub proof: zkmr_proto::PartitionProof,
}

/// Checks `x` against the store's matrix and its declared encoding.
pub fn check_vector(store: &KeyStore, x: &[i64], encoding: FixedPoint) -> Result<()> {
    let cols = store.manifest.cols as usize;
    if x.len() != cols {
        return Err(Error::Input(format!(
            "vector has {} entries but the matrix has {cols} columns",
            x.len()
        )));
    }
    let bound = 1u64 << encoding.value_bits;
    if let Some(j) = x.iter().position(|v| v.unsigned_abs() >= bound) {
        return Err(Error::Input(format!(
            "vector index {j}: {} does not fit the declared {} bits",
            x[j], encoding.value_bits
        )));
    }
    check_output_range(cols, store.manifest.encoding, encoding)
}

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
            device: device.name().into(),
            prove_seconds: started.elapsed().as_secs_f64(),
        },
    })
}

/// Proves `y = A x` for every partition of `store` on `device`.
pub fn prove(
    device: Device,
    store: &KeyStore,
    x: &[i64],
    x_encoding: FixedPoint,
    progress: &dyn Progress,
) -> Result<Proved> {
    check_vector(store, x, x_encoding)?;
    let started = Instant::now();
    let shape = store.manifest.shape()?;
    let params = store.params()?;
    let count = store.manifest.partitions.len();
    progress.report(Event::Started { total: count });
    let partitions = (0..count as u32)
        .into_par_iter()
        .map(|index| {
            let proved = prove_partition(device, &params, shape, store.partition(index)?, x)?;
            progress.report(Event::PartitionDone { index });
            Ok(proved)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut proved = assemble(store, &params, x, x_encoding, partitions)?;
    proved.seconds = started.elapsed().as_secs_f64();
    Ok(proved)
}

/// Puts every partition of `store`, proved for `x`, into a bundle with its job root.
///
/// `partitions` may come in any order; each partition of the store must appear exactly once.
/// The proofs are not checked here: a reducer that did not prove them itself verifies the
/// bundle (see [`crate::verify::verify`]).
pub fn assemble(
    store: &KeyStore,
    params: &ProverParams,
    x: &[i64],
    x_encoding: FixedPoint,
    mut partitions: Vec<PartitionProved>,
) -> Result<Proved> {
    let manifest = &store.manifest;
    let ids = manifest.partition_ids()?;
    partitions.sort_by_key(|p| p.proof.index);
    for (position, p) in partitions.iter().enumerate() {
        let index = p.proof.index;
        if position > 0 && partitions[position - 1].proof.index == index {
            return Err(Error::Input(format!("partition {index} appears twice")));
        }
        let Some(id) = ids.get(index as usize) else {
            return Err(Error::Input(format!(
                "partition {index} is not in the key store, which has {} partitions",
                ids.len()
            )));
        };
        if (p.proof.row_start, p.proof.row_end) != (id.row_start, id.row_end)
            || p.y.len() as u64 != id.row_end - id.row_start
        {
            return Err(Error::Input(format!(
                "partition {index}: rows {}..{} with {} outputs, the key store has rows {}..{}",
                p.proof.row_start,
                p.proof.row_end,
                p.y.len(),
                id.row_start,
                id.row_end
            )));
        }
    }
    if partitions.len() != ids.len() {
        let have: std::collections::HashSet<u32> =
            partitions.iter().map(|p| p.proof.index).collect();
        let missing: Vec<String> = (0..ids.len() as u32)
            .filter(|i| !have.contains(i))
            .map(|i| i.to_string())
            .collect();
        return Err(Error::Input(format!(
            "partitions missing from the job: {}",
            missing.join(", ")
        )));
    }

    let commitment = manifest.commitment()?;
    let root = job_root_of(
        commitment,
        x,
        x_encoding,
        &ids,
        partitions.iter().map(|p| p.y.as_slice()),
    );
    let y: Vec<i128> = partitions
        .iter()
        .flat_map(|p| p.y.iter().copied())
        .collect();
    let partitions = partitions
        .into_iter()
        .map(|p| zkmr_proto::PartitionProof {
            y: pack_i128(&p.y),
            ..p.proof
        })
        .collect();
    let header = manifest.header()?;
    let bundle = zkmr_proto::Bundle {
        version: zkmr_proto::BUNDLE_VERSION,
        matrix: Some(crate::bundle::meta_to_proto(&header)),
        srs: Some(VerifierSrs::of(params).to_proto()),
        matrix_commitment: to_bytes(&commitment).to_vec(),
        x: x.to_vec(),
        x_encoding: Some(crate::bundle::encoding_to_proto(x_encoding)),
        partitions,
        job_root: to_bytes(&root).to_vec(),
    };
    Ok(Proved {
        bundle,
        y,
        job_root: root,
        seconds: 0.0,
    })
}
