//! Runs an aggregation tree over a verified bundle.
//!
//! Keys are made once per distinct node circuit (see [`crate::plan`]) from placeholder
//! children, so they depend only on the job's shape, never on its values; a verifier rebuilds
//! the same root key with [`crate::keys::root_verifying_key`]. Proving keys of a level are
//! dropped when the level is done, which bounds memory by one level's circuits however large
//! the job.

use std::collections::{hash_map::Entry, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};

use halo2_base::gates::circuit::CircuitBuilderStage;
use halo2_proofs::halo2curves::bn256::{Bn256, G1Affine};
use halo2_proofs::plonk::VerifyingKey;
use halo2_proofs::poly::{
    commitment::{Params, ParamsProver},
    kzg::commitment::ParamsKZG,
};
use snark_verifier::system::halo2::{compile, Config};
use snark_verifier_sdk::{evm::gen_evm_proof_shplonk, halo2::gen_snark_shplonk, CircuitExt, Snark};
use zkmr_core::bundle::encoding_from_proto;
use zkmr_core::field::{from_bytes, from_i64, F};
use zkmr_core::halo2::keys::vk_from_bytes;
use zkmr_core::halo2::meta::meta_from_proto;
use zkmr_core::halo2::shape::CircuitShape;
use zkmr_core::halo2::statement::outputs_digest;
use zkmr_core::halo2::verify;
use zkmr_core::{Error, Result};

use crate::artifact::Aggregated;
use crate::keys::{self, NodeKey};
use crate::node_circuit::{build, JobContext, ACCUMULATOR_LIMBS};
use crate::plan::{CircuitKind, NodeSpec, Plan};
pub use crate::settings::{Settings, DEFAULT_FAN_IN, DEFAULT_K, MAX_FAN_IN, MAX_K};

/// Progress of a tree: `done` of `total` nodes proved.
pub trait NodeProgress: Sync {
    fn node_done(&self, done: usize, total: usize);
}

impl<T: Fn(usize, usize) + Sync> NodeProgress for T {
    fn node_done(&self, done: usize, total: usize) {
        self(done, total)
    }
}

/// The job a bundle describes, checked: the bundle must verify against its own matrix
/// commitment before any aggregation work starts, so a tampered partition is named here.
pub struct VerifiedJob {
    pub context: JobContext,
    pub matrix_commitment: F,
    pub job_root: F,
    pub x: Vec<i64>,
    pub y_blocks: Vec<Vec<i128>>,
    /// The aggregation SRS at the partitions' size, which their proofs are read under.
    pub partition_params: ParamsKZG<Bn256>,
    snarks: Vec<Snark>,
}

impl VerifiedJob {
    pub fn new(bundle: &zkmr_proto::Bundle, params: &ParamsKZG<Bn256>) -> Result<Self> {
        let claimed = from_bytes(&bundle.matrix_commitment, "bundle matrix_commitment")?;
        let verified = verify::verify(bundle, claimed)?;
        let header = meta_from_proto(bundle.matrix.as_ref())?;
        let shape = CircuitShape::new(
            header.rows_per_partition as usize,
            header.cols as usize,
            header.fold as usize,
        )?;
        let partition_params = partition_params(params, header.k)?;
        if zkmr_core::halo2::srs::VerifierSrs::of(params).digest() != header.srs_digest {
            return Err(Error::Usage(
                "the aggregation SRS is not the setup the bundle's partitions were proved under"
                    .into(),
            ));
        }
        let x_field: Vec<F> = bundle.x.iter().map(|v| from_i64(*v)).collect();
        let mut y_blocks = Vec::with_capacity(bundle.partitions.len());
        let mut offset = 0;
        let mut snarks = Vec::with_capacity(bundle.partitions.len());
        for p in &bundle.partitions {
            let rows = (p.row_end - p.row_start) as usize;
            let y = verified.y[offset..offset + rows].to_vec();
            offset += rows;
            let vk = vk_from_bytes(&p.verifying_key, shape, p.index)?;
            let instances = shape.instance_columns(&x_field, &y);
            snarks.push(Snark::new(
                partition_protocol(&partition_params, &vk, shape),
                instances,
                p.proof.clone(),
            ));
            y_blocks.push(y);
        }
        Ok(Self {
            context: JobContext {
                header,
                shape,
                partitions: bundle.partitions.len(),
                x_encoding: encoding_from_proto(bundle.x_encoding.as_ref(), "x_encoding")?,
            },
            matrix_commitment: claimed,
            job_root: verified.job_root,
            x: bundle.x.clone(),
            y_blocks,
            partition_params,
            snarks,
        })
    }
}

/// The protocol snark-verifier reads a partition proof with.
pub fn partition_protocol(
    params: &ParamsKZG<Bn256>,
    vk: &VerifyingKey<G1Affine>,
    shape: CircuitShape,
) -> snark_verifier::verifier::plonk::PlonkProtocol<G1Affine> {
    compile(
        params,
        vk,
        Config::kzg().with_num_instance(vec![shape.height(); shape.fold]),
    )
}

/// The aggregation SRS cut down to the partitions' size: the first `2^k` points, as
/// `downsize` leaves them, without copying the whole (hundreds of MiB) aggregation SRS first.
pub fn partition_params(params: &ParamsKZG<Bn256>, k: u32) -> Result<ParamsKZG<Bn256>> {
    if k > params.k() {
        return Err(Error::Usage(format!(
            "the aggregation SRS (k = {}) is smaller than the partitions' (k = {k})",
            params.k()
        )));
    }
    Ok(params.from_parts(
        k,
        params.get_g()[..1 << k].to_vec(),
        None,
        params.g2(),
        params.s_g2(),
    ))
}

/// Aggregates a verified job into one proof; also returns the root's verifying key.
pub fn aggregate(
    job: VerifiedJob,
    params: &ParamsKZG<Bn256>,
    settings: Settings,
    progress: &dyn NodeProgress,
) -> Result<(Aggregated, VerifyingKey<G1Affine>)> {
    if params.k() != settings.k {
        return Err(Error::Usage(format!(
            "aggregation SRS has k = {}, the settings ask for k = {}",
            params.k(),
            settings.k
        )));
    }
    let plan = Plan::new(job.context.partitions, settings.fan_in).map_err(Error::Usage)?;
    let total = plan.nodes();
    let mut done = 0;
    let mut children = job.snarks;
    let mut child_vks: HashMap<CircuitKind, VerifyingKey<G1Affine>> = HashMap::new();
    let mut previous_level: Vec<NodeSpec> = Vec::new();
    let mut root_proof = None;
    for level in &plan.levels {
        let mut level_keys: HashMap<CircuitKind, NodeKey> = HashMap::new();
        let mut proofs = Vec::with_capacity(level.len());
        let mut remaining = children.into_iter();
        for spec in level {
            let kind = spec.circuit();
            let child_kinds = keys::child_kinds(spec, &previous_level);
            let key = match level_keys.entry(kind) {
                Entry::Occupied(entry) => entry.into_mut(),
                Entry::Vacant(entry) => {
                    let placeholders = keys::placeholder_children(
                        spec,
                        &job.context,
                        &job.partition_params,
                        params,
                        &child_kinds,
                        &child_vks,
                    )?;
                    entry.insert(keys::node_key(params, spec, &job.context, placeholders)?)
                }
            };
            let node_children: Vec<Snark> = remaining.by_ref().take(spec.children).collect();
            let circuit = build(
                CircuitBuilderStage::Prover,
                key.config,
                params,
                spec,
                &job.context,
                node_children,
            )
            .use_break_points(key.break_points.clone());
            let failed = |what: &str| {
                Error::Usage(format!(
                    "aggregation node {} at level {} failed to prove: {what}",
                    spec.position, spec.level
                ))
            };
            if spec.is_root {
                let instances = circuit.instances();
                let proof = catch_unwind(AssertUnwindSafe(|| {
                    gen_evm_proof_shplonk(params, &key.pk, circuit, instances.clone())
                }))
                .map_err(|_| failed("the root proof does not verify"))?;
                root_proof = Some((instances.concat(), proof, key.pk.get_vk().clone()));
            } else {
                let snark = catch_unwind(AssertUnwindSafe(|| {
                    gen_snark_shplonk(params, &key.pk, circuit, None::<&str>)
                }))
                .map_err(|_| failed("the node proof does not verify"))?;
                proofs.push(snark);
            }
            done += 1;
            progress.node_done(done, total);
            tracing::debug!(
                level = spec.level,
                position = spec.position,
                "aggregation node proved"
            );
        }
        child_vks = level_keys
            .into_iter()
            .map(|(kind, key)| (kind, key.pk.get_vk().clone()))
            .collect();
        children = proofs;
        previous_level = level.clone();
    }
    let (instances, proof, root_vk) = root_proof.expect("the plan ends with the root");
    let outputs = &instances[ACCUMULATOR_LIMBS..];
    let y_digest = outputs_digest(job.y_blocks.iter().map(Vec::as_slice));
    let expected = [
        job.matrix_commitment,
        job.job_root,
        zkmr_core::halo2::statement::vector_digest(&job.x),
        y_digest,
    ];
    if outputs != expected {
        return Err(Error::Usage(
            "the aggregated proof's public values differ from the bundle's commitments".into(),
        ));
    }
    let aggregated = Aggregated {
        header: job.context.header,
        partitions: job.context.partitions,
        settings,
        srs: zkmr_core::halo2::srs::VerifierSrs::of(params),
        matrix_commitment: job.matrix_commitment,
        job_root: job.job_root,
        x_digest: expected[2],
        y_digest,
        accumulator: instances[..ACCUMULATOR_LIMBS].to_vec(),
        proof,
        x: job.x,
        x_encoding: job.context.x_encoding,
        y: job.y_blocks.concat(),
    };
    Ok((aggregated, root_vk))
}
