//! Proving: every partition of the key store against one `x`, in parallel, into a bundle.

use std::time::Instant;

use rayon::prelude::*;

use crate::circuit::{MatVecCircuit, Witness};
use crate::error::{Error, Result};
use crate::field::{from_i64, pack_i128, to_bytes, F};
use crate::fixed_point::{check_output_range, FixedPoint};
use crate::keys::{proving_key, vk_from_bytes};
use crate::keystore::KeyStore;
use crate::matrix::dot;
use crate::progress::{Event, Progress};
use crate::srs::VerifierSrs;
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

/// Proves `y = A x` for every partition of `store`.
pub fn prove(
    store: &KeyStore,
    x: &[i64],
    x_encoding: FixedPoint,
    progress: &dyn Progress,
) -> Result<Proved> {
    check_vector(store, x, x_encoding)?;
    let started = Instant::now();
    let manifest = &store.manifest;
    let shape = manifest.shape()?;
    let params = store.params()?;
    let ids = manifest.partition_ids()?;
    let x_field: Vec<F> = x.iter().map(|v| from_i64(*v)).collect();
    progress.report(Event::Started { total: ids.len() });

    let partitions = ids
        .par_iter()
        .map(|id| {
            let t0 = Instant::now();
            let key = store.partition(id.index)?;
            let vk = vk_from_bytes(&key.verifying_key, shape, id.index)?;
            let pk = proving_key(&params, vk, shape, &key.block, id.index)?;
            let y: Vec<i128> = key
                .block
                .chunks(shape.cols)
                .map(|row| dot(row, x))
                .collect();
            let circuit = MatVecCircuit::for_proof(shape, &key.block, Witness { x, y: &y });
            let instances = shape.instance_columns(&x_field, &y);
            let proof = transcript::prove(&params, &pk, circuit, &instances).map_err(|e| {
                Error::Proving {
                    partition: id.index,
                    reason: e.to_string(),
                }
            })?;
            progress.report(Event::PartitionDone { index: id.index });
            Ok((
                y,
                zkmr_proto::PartitionProof {
                    index: id.index,
                    row_start: id.row_start,
                    row_end: id.row_end,
                    verifying_key: key.verifying_key,
                    y: Vec::new(),
                    proof,
                    device: "cpu".into(),
                    prove_seconds: t0.elapsed().as_secs_f64(),
                },
            ))
        })
        .collect::<Result<Vec<_>>>()?;

    let commitment = manifest.commitment()?;
    let root = job_root_of(
        commitment,
        x,
        x_encoding,
        &ids,
        partitions.iter().map(|(y, _)| y.as_slice()),
    );
    let y: Vec<i128> = partitions
        .iter()
        .flat_map(|(y, _)| y.iter().copied())
        .collect();
    let partitions = partitions
        .into_iter()
        .map(|(y, mut p)| {
            p.y = pack_i128(&y);
            p
        })
        .collect();

    let header = manifest.header()?;
    let bundle = zkmr_proto::Bundle {
        version: zkmr_proto::BUNDLE_VERSION,
        matrix: Some(crate::bundle::meta_to_proto(&header)),
        srs: Some(VerifierSrs::of(&params).to_proto()),
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
        seconds: started.elapsed().as_secs_f64(),
    })
}
