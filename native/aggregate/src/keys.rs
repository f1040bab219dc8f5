//! Keys of the aggregation circuits.
//!
//! A node circuit is keyed with placeholder children of the right shape (the partition key of
//! an all-zero block at level 0, the child circuits' keys above), so its key depends on the
//! job's shape, the plan and the SRS only. That is what lets a verifier rebuild the root's
//! verifying key from public data instead of trusting one shipped with the proof.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use halo2_base::gates::{circuit::CircuitBuilderStage, flex_gate::MultiPhaseThreadBreakPoints};
use halo2_proofs::{
    halo2curves::bn256::{Bn256, G1Affine},
    plonk::{keygen_vk, Circuit, ProvingKey, VerifyingKey},
    poly::{commitment::Params, kzg::commitment::ParamsKZG},
};
use snark_verifier_sdk::{
    gen_pk,
    halo2::{
        aggregation::AggregationCircuit, aggregation::AggregationConfigParams,
        gen_dummy_snark_from_vk,
    },
    CircuitExt, Snark, SHPLONK,
};
use zkmr_core::field::F;
use zkmr_core::halo2::keys::KeyMaker;
use zkmr_core::{Error, Result};

use crate::node_circuit::{build, JobContext, ACCUMULATOR_LIMBS, NODE_OUTPUTS};
use crate::plan::{CircuitKind, NodeSpec, Plan};

/// Rows halo2-base keeps free at the bottom of each column for blinding.
const MINIMUM_ROWS: usize = 20;

/// Everything needed to prove one node circuit.
pub struct NodeKey {
    pub config: AggregationConfigParams,
    pub break_points: MultiPhaseThreadBreakPoints,
    pub pk: ProvingKey<G1Affine>,
}

/// The circuits of the children of `spec`, from the level below.
pub fn child_kinds(spec: &NodeSpec, below: &[NodeSpec]) -> Vec<CircuitKind> {
    if spec.level == 0 {
        return Vec::new();
    }
    below[spec.position * spec.slots..][..spec.children]
        .iter()
        .map(NodeSpec::circuit)
        .collect()
}

/// Children of the right shape and no meaning, for keying `spec`'s circuit.
pub fn placeholder_children(
    spec: &NodeSpec,
    job: &JobContext,
    partition_params: &ParamsKZG<Bn256>,
    params: &ParamsKZG<Bn256>,
    child_kinds: &[CircuitKind],
    child_vks: &HashMap<CircuitKind, VerifyingKey<G1Affine>>,
) -> Result<Vec<Snark>> {
    if spec.level == 0 {
        let vk = KeyMaker::new(partition_params, job.shape)?.verifying_key(&[]);
        let num_instance = vec![job.shape.height(); job.shape.fold];
        let snark = gen_dummy_snark_from_vk::<SHPLONK>(partition_params, &vk, num_instance, None);
        return Ok(vec![snark; spec.children]);
    }
    Ok(child_kinds
        .iter()
        .map(|kind| {
            gen_dummy_snark_from_vk::<SHPLONK>(
                params,
                &child_vks[kind],
                vec![ACCUMULATOR_LIMBS + NODE_OUTPUTS],
                AggregationCircuit::accumulator_indices(),
            )
        })
        .collect())
}

fn keygen_circuit(
    params: &ParamsKZG<Bn256>,
    spec: &NodeSpec,
    job: &JobContext,
    placeholders: Vec<Snark>,
) -> Result<AggregationCircuit> {
    let k = params.k();
    let config = AggregationConfigParams {
        degree: k,
        lookup_bits: k as usize - 1,
        ..Default::default()
    };
    catch_unwind(AssertUnwindSafe(|| {
        let mut circuit = build(
            CircuitBuilderStage::Keygen,
            config,
            params,
            spec,
            job,
            placeholders,
        );
        circuit.calculate_params(Some(MINIMUM_ROWS));
        circuit
    }))
    .map_err(|_| {
        Error::Usage(format!(
            "aggregation circuit of {spec:?} does not fit k = {k}"
        ))
    })
}

/// Proving key, configuration and break points of `spec`'s circuit.
pub fn node_key(
    params: &ParamsKZG<Bn256>,
    spec: &NodeSpec,
    job: &JobContext,
    placeholders: Vec<Snark>,
) -> Result<NodeKey> {
    let circuit = keygen_circuit(params, spec, job, placeholders)?;
    let config = circuit.params();
    let pk = catch_unwind(AssertUnwindSafe(|| gen_pk(params, &circuit, None))).map_err(|_| {
        Error::Usage(format!(
            "keygen of the aggregation circuit of {spec:?} failed"
        ))
    })?;
    tracing::info!(?spec, ?config, "aggregation circuit keyed");
    Ok(NodeKey {
        config,
        break_points: circuit.break_points(),
        pk,
    })
}

/// The root's verifying key, from `cache_dir` when an earlier verification rebuilt it.
///
/// The file name hashes everything the key depends on (shape, plan, SRS), and the cache is
/// the verifier's own, so a cached key is as trusted as a rebuilt one.
pub fn cached_root_verifying_key(
    cache_dir: &std::path::Path,
    params: &ParamsKZG<Bn256>,
    partition_params: &ParamsKZG<Bn256>,
    job: &JobContext,
    plan: &Plan,
) -> Result<VerifyingKey<G1Affine>> {
    use halo2_proofs::SerdeFormat;
    let h = job.header;
    let id = zkmr_core::halo2::poseidon::hash(&[
        zkmr_core::halo2::srs::VerifierSrs::of(params).digest(),
        F::from(params.k() as u64),
        F::from(h.rows),
        F::from(h.cols),
        F::from(h.rows_per_partition as u64),
        F::from(h.fold as u64),
        F::from(h.k as u64),
        F::from(plan.partitions as u64),
        F::from(plan.fan_in as u64),
    ]);
    let path = cache_dir.join(format!(
        "agg-vk-{}.bin",
        &zkmr_core::field::to_hex(&id)[..32]
    ));
    if let Ok(bytes) = std::fs::read(&path) {
        if let Some((config, vk)) = bytes
            .split_first_chunk::<4>()
            .and_then(|(len, rest)| rest.split_at_checked(u32::from_le_bytes(*len) as usize))
        {
            let config = serde_json::from_slice::<AggregationConfigParams>(config).ok();
            if let Some(Ok(vk)) = config.map(|c| {
                VerifyingKey::read::<_, AggregationCircuit>(&mut &vk[..], SerdeFormat::RawBytes, c)
            }) {
                return Ok(vk);
            }
        }
        tracing::warn!(path = %path.display(), "ignoring unreadable cached aggregation key");
    }
    let (vk, config) = root_verifying_key(params, partition_params, job, plan)?;
    let config = serde_json::to_vec(&config).expect("config serialises");
    let mut bytes = (config.len() as u32).to_le_bytes().to_vec();
    bytes.extend(config);
    bytes.extend(vk.to_bytes(SerdeFormat::RawBytes));
    std::fs::create_dir_all(cache_dir).map_err(|e| Error::io(cache_dir, e))?;
    zkmr_core::fsio::write_bytes(&path, &bytes)?;
    Ok(vk)
}

/// The root's verifying key and circuit configuration, rebuilt bottom-up from the shape
/// alone.
pub fn root_verifying_key(
    params: &ParamsKZG<Bn256>,
    partition_params: &ParamsKZG<Bn256>,
    job: &JobContext,
    plan: &Plan,
) -> Result<(VerifyingKey<G1Affine>, AggregationConfigParams)> {
    let mut child_vks = HashMap::new();
    let mut root_config = None;
    let mut below: &[NodeSpec] = &[];
    for level in &plan.levels {
        let mut vks = HashMap::new();
        for spec in level {
            let kind = spec.circuit();
            if vks.contains_key(&kind) {
                continue;
            }
            let kinds = child_kinds(spec, below);
            let placeholders =
                placeholder_children(spec, job, partition_params, params, &kinds, &child_vks)?;
            let circuit = keygen_circuit(params, spec, job, placeholders)?;
            let vk = keygen_vk(params, &circuit)
                .map_err(|e| Error::Usage(format!("aggregation verifying key: {e}")))?;
            if spec.is_root {
                root_config = Some(circuit.params());
            }
            vks.insert(kind, vk);
        }
        child_vks = vks;
        below = level;
    }
    let vk = child_vks
        .remove(&plan.root().circuit())
        .expect("the last level holds the root");
    Ok((vk, root_config.expect("the last level holds the root")))
}
