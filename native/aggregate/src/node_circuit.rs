//! One node of the aggregation tree: the SDK's aggregation circuit over the node's children,
//! extended with the statement.
//!
//! The SDK verifies each child proof in-circuit (SHPLONK, KZG accumulation) and leaves us the
//! children's public inputs and, for partition proofs, their verifying keys as cells. On
//! those cells this module recomputes the job's commitments:
//!
//! - **Level 0** (partition proofs, keys loaded as witnesses): each child's key is hashed into
//!   its key digest, and its `x` and `y` are read from its instances. All children must carry
//!   the same `x`; a short last partition's padded outputs must be zero. From these come the
//!   subtree roots of the matrix leaves, the job leaves and the `y`-block digests.
//! - **Higher levels** (node proofs, keys fixed in the circuit): children's roots are combined
//!   with Merkle steps; each child's first index is pinned to its position and all must
//!   agree on `x`'s digest.
//! - **The root** hashes its subtree roots with the header into the matrix commitment, the
//!   job root and the outputs digest, exactly as the native code does.
//!
//! Public inputs: a non-root node exposes `[accumulator; first index, matrix subroot, job
//! subroot, outputs subroot, x digest]`; the root exposes `[accumulator; matrix commitment,
//! job root, x digest, y digest]`.

use halo2_base::{
    gates::{circuit::CircuitBuilderStage, GateInstructions},
    halo2_proofs::{halo2curves::bn256::Bn256, poly::kzg::commitment::ParamsKZG},
    Context,
    QuantumCell::Constant,
};
use snark_verifier_sdk::{
    halo2::aggregation::{AggregationCircuit, AggregationConfigParams, VerifierUniversality},
    Snark, SHPLONK,
};
use zkmr_core::field::{from_i64, F};
use zkmr_core::fixed_point::FixedPoint;
use zkmr_core::halo2::shape::CircuitShape;
use zkmr_core::halo2::statement::MatrixHeader;

use crate::plan::NodeSpec;
use crate::statement_chip::{Cell, HeaderCells, PartitionCells, StatementChip};

/// Accumulator limbs at the front of every node's public inputs.
pub const ACCUMULATOR_LIMBS: usize = 12;
/// Public inputs of a non-root node after the accumulator.
pub const NODE_OUTPUTS: usize = 5;
/// Public inputs of the root after the accumulator.
pub const ROOT_OUTPUTS: usize = 4;

/// What every node of one job's tree shares.
#[derive(Clone, Copy, Debug)]
pub struct JobContext {
    pub header: MatrixHeader,
    pub shape: CircuitShape,
    pub partitions: usize,
    pub x_encoding: FixedPoint,
}

impl JobContext {
    /// Matrix rows the partition at `index` holds.
    pub fn rows_of(&self, index: usize) -> usize {
        let rpp = self.shape.rows;
        if index + 1 == self.partitions {
            self.header.rows as usize - index * rpp
        } else {
            rpp
        }
    }
}

/// Builds the circuit of `spec` over `children`.
pub fn build(
    stage: CircuitBuilderStage,
    config: AggregationConfigParams,
    params: &ParamsKZG<Bn256>,
    spec: &NodeSpec,
    job: &JobContext,
    children: Vec<Snark>,
) -> AggregationCircuit {
    assert_eq!(children.len(), spec.children, "node children");
    let universality = if spec.level == 0 {
        VerifierUniversality::PreprocessedAsWitness
    } else {
        VerifierUniversality::None
    };
    let mut circuit =
        AggregationCircuit::new::<SHPLONK>(stage, config, params, children, universality);
    let previous = circuit.previous_instances().clone();
    let keys: Vec<Vec<Cell>> = circuit
        .preprocessed()
        .iter()
        .map(|p| p.preprocessed.clone())
        .collect();
    let ctx = circuit.builder.main(0);
    let chip = StatementChip::new(ctx);
    let first = if spec.is_root {
        ctx.load_constant(F::zero())
    } else {
        ctx.load_witness(F::from(spec.first_index as u64))
    };
    let roots = if spec.level == 0 {
        partition_roots(ctx, &chip, spec, job, first, &previous, &keys)
    } else {
        node_roots(ctx, &chip, spec, first, &previous)
    };
    let outputs = if spec.is_root {
        root_outputs(ctx, &chip, job, roots).to_vec()
    } else {
        vec![
            first,
            roots.matrix,
            roots.job,
            roots.outputs,
            roots.x_digest,
        ]
    };
    circuit.builder.assigned_instances[0].extend(outputs);
    circuit
}

/// A node's subtree roots and the digest of `x`.
#[derive(Clone, Copy, Debug)]
struct Roots {
    matrix: Cell,
    job: Cell,
    outputs: Cell,
    x_digest: Cell,
}

fn partition_roots(
    ctx: &mut Context<F>,
    chip: &StatementChip,
    spec: &NodeSpec,
    job: &JobContext,
    first: Cell,
    previous: &[Vec<Cell>],
    keys: &[Vec<Cell>],
) -> Roots {
    let shape = job.shape;
    let flat = |c: usize| {
        let (g, t) = shape.position(c);
        g * shape.height() + t
    };
    let zero = F::zero();
    let x: Vec<Cell> = (0..shape.cols).map(|c| previous[0][flat(c)]).collect();
    let x_digest = chip.vector_digest(ctx, &x);
    let used: std::collections::HashSet<usize> = (0..shape.width()).map(flat).collect();

    let (mut matrix_leaves, mut job_leaves, mut y_digests) = (vec![], vec![], vec![]);
    for (i, (instances, key)) in previous.iter().zip(keys).enumerate() {
        assert_eq!(instances.len(), shape.fold * shape.height());
        for (c, cell) in x.iter().enumerate() {
            ctx.constrain_equal(cell, &instances[flat(c)]);
        }
        // Only the global last partition may be short; the planner puts it last.
        let rows = if spec.holds_last && i + 1 == spec.children {
            job.rows_of(job.partitions - 1)
        } else {
            shape.rows
        };
        let y: Vec<Cell> = (0..rows).map(|j| instances[flat(shape.cols + j)]).collect();
        let padded = (rows..shape.rows).map(|j| flat(shape.cols + j));
        let unused = (0..instances.len()).filter(|p| !used.contains(p));
        for p in padded.chain(unused) {
            chip.gate().assert_is_const(ctx, &instances[p], &zero);
        }
        let index = chip.add_const(ctx, first, i as u64);
        let row_start = chip
            .gate()
            .mul(ctx, index, Constant(F::from(shape.rows as u64)));
        let row_end = chip.add_const(ctx, row_start, rows as u64);
        let id = PartitionCells {
            index,
            row_start,
            row_end,
            key_digest: chip.key_digest(ctx, key),
        };
        let y_digest = chip.output_digest(ctx, &y);
        matrix_leaves.push(chip.matrix_leaf(ctx, &id));
        job_leaves.push(chip.job_leaf(ctx, &id, x_digest, y_digest));
        y_digests.push(y_digest);
    }
    Roots {
        matrix: chip.subtree_root(ctx, &matrix_leaves, spec.slots, 1),
        job: chip.subtree_root(ctx, &job_leaves, spec.slots, 1),
        outputs: chip.subtree_root(ctx, &y_digests, spec.slots, 1),
        x_digest,
    }
}

fn node_roots(
    ctx: &mut Context<F>,
    chip: &StatementChip,
    spec: &NodeSpec,
    first: Cell,
    previous: &[Vec<Cell>],
) -> Roots {
    let outputs = |child: &Vec<Cell>| -> [Cell; NODE_OUTPUTS] {
        assert_eq!(child.len(), ACCUMULATOR_LIMBS + NODE_OUTPUTS);
        child[ACCUMULATOR_LIMBS..].try_into().expect("node outputs")
    };
    let x_digest = outputs(&previous[0])[4];
    let (mut matrix, mut job, mut ys) = (vec![], vec![], vec![]);
    for (c, child) in previous.iter().enumerate() {
        let [child_first, m, j, y, xd] = outputs(child);
        let expected = chip.add_const(ctx, first, (c * spec.child_span) as u64);
        ctx.constrain_equal(&child_first, &expected);
        ctx.constrain_equal(&xd, &x_digest);
        matrix.push(m);
        job.push(j);
        ys.push(y);
    }
    Roots {
        matrix: chip.subtree_root(ctx, &matrix, spec.slots, spec.child_span),
        job: chip.subtree_root(ctx, &job, spec.slots, spec.child_span),
        outputs: chip.subtree_root(ctx, &ys, spec.slots, spec.child_span),
        x_digest,
    }
}

fn root_outputs(
    ctx: &mut Context<F>,
    chip: &StatementChip,
    job: &JobContext,
    roots: Roots,
) -> [Cell; ROOT_OUTPUTS] {
    let h = job.header;
    let mut constant = |v: u64| ctx.load_constant(F::from(v));
    let partitions = constant(job.partitions as u64);
    let rows = constant(h.rows);
    let cols = constant(h.cols);
    let rows_per_partition = constant(h.rows_per_partition as u64);
    let fold = constant(h.fold as u64);
    let k = constant(h.k as u64);
    let header = HeaderCells {
        partitions,
        srs_digest: ctx.load_witness(h.srs_digest),
        rows,
        cols,
        scale_bits: ctx.load_witness(from_i64(h.encoding.scale_bits as i64)),
        value_bits: ctx.load_witness(from_i64(h.encoding.value_bits as i64)),
        rows_per_partition,
        fold,
        k,
    };
    let x_encoding = [
        ctx.load_witness(F::from(job.x_encoding.scale_bits as u64)),
        ctx.load_witness(F::from(job.x_encoding.value_bits as u64)),
    ];
    let matrix_commitment = chip.matrix_commitment(ctx, roots.matrix, &header);
    let job_root = chip.job_root(ctx, roots.job, partitions, matrix_commitment, x_encoding);
    let y_digest = chip.outputs_digest(ctx, rows, roots.outputs);
    [matrix_commitment, job_root, roots.x_digest, y_digest]
}

#[cfg(test)]
mod tests {
    //! The statement constraints of a node on hand-made child cells, without the in-circuit
    //! proof verification the SDK adds around them: an honest witness satisfies MockProver
    //! and matches the native roots; each kind of wrong witness fails.
    use super::*;
    use halo2_base::gates::circuit::builder::BaseCircuitBuilder;
    use halo2_proofs::dev::MockProver;
    use zkmr_core::halo2::merkle::MerkleTree;
    use zkmr_core::halo2::poseidon::hash;
    use zkmr_core::halo2::statement::{self, PartitionId, KEY_TAG};

    const K: usize = 12;

    /// Two partitions of a 3×3 matrix, 2 rows each (the second short), folded twice so one
    /// instance slot is unused.
    fn job() -> JobContext {
        let shape = CircuitShape::new(2, 3, 2).unwrap();
        let encoding = FixedPoint::new(0, 16).unwrap();
        JobContext {
            header: MatrixHeader {
                rows: 3,
                cols: 3,
                encoding,
                rows_per_partition: 2,
                fold: 2,
                k: shape.k(),
                srs_digest: F::from(5),
            },
            shape,
            partitions: 2,
            x_encoding: encoding,
        }
    }

    fn leaf_spec() -> NodeSpec {
        NodeSpec {
            level: 0,
            position: 0,
            first_index: 0,
            child_span: 1,
            slots: 2,
            children: 2,
            holds_last: true,
            is_root: true,
        }
    }

    const X: [i64; 3] = [4, -5, 6];
    const Y: [&[i128]; 2] = [&[7, -8], &[9]];
    const KEYS: [u64; 2] = [111, 222];

    /// The job subtree root the native code computes for `X`, `Y` and keys `KEYS`.
    fn native_job_subroot() -> F {
        let x_digest = statement::vector_digest(&X);
        let leaves: Vec<F> = (0..2)
            .map(|i| {
                let id = PartitionId {
                    index: i as u32,
                    row_start: 2 * i as u64,
                    row_end: (2 * i as u64 + 2).min(3),
                    key_digest: hash(&[F::from(KEY_TAG), F::from(KEYS[i])]),
                };
                statement::job_leaf(&id, x_digest, Y[i])
            })
            .collect();
        MerkleTree::new(&leaves).root()
    }

    /// An empty mock circuit of this module's size with one public root.
    fn mock_builder() -> BaseCircuitBuilder<F> {
        BaseCircuitBuilder::<F>::from_stage(CircuitBuilderStage::Mock)
            .use_k(K)
            .use_lookup_bits(K - 1)
            .use_instance_columns(1)
    }

    /// Each child's flattened instances; `tamper` edits them before they are assigned.
    fn partition_circuit(tamper: impl Fn(&mut [Vec<F>])) -> BaseCircuitBuilder<F> {
        let job = job();
        let shape = job.shape;
        let x: Vec<F> = X.iter().map(|v| from_i64(*v)).collect();
        let mut instances: Vec<Vec<F>> = Y
            .iter()
            .map(|y| shape.instance_columns(&x, y).concat())
            .collect();
        tamper(&mut instances);
        let mut builder = mock_builder();
        let ctx = builder.main(0);
        let chip = StatementChip::new(ctx);
        let previous: Vec<Vec<Cell>> = instances
            .into_iter()
            .map(|values| ctx.assign_witnesses(values))
            .collect();
        let keys: Vec<Vec<Cell>> = KEYS
            .iter()
            .map(|k| ctx.assign_witnesses([F::from(*k)]))
            .collect();
        let first = ctx.load_constant(F::zero());
        let roots = partition_roots(ctx, &chip, &leaf_spec(), &job, first, &previous, &keys);
        builder.assigned_instances[0].push(roots.job);
        builder.calculate_params(Some(9));
        builder
    }

    fn satisfied(builder: &BaseCircuitBuilder<F>) -> bool {
        MockProver::run(K as u32, builder, vec![vec![native_job_subroot()]])
            .unwrap()
            .verify()
            .is_ok()
    }

    #[test]
    fn honest_partitions_give_the_native_job_subroot() {
        let builder = partition_circuit(|_| {});
        assert_eq!(
            *builder.assigned_instances[0][0].value(),
            native_job_subroot()
        );
        assert!(satisfied(&builder));
    }

    #[test]
    fn partitions_must_share_x() {
        assert!(!satisfied(&partition_circuit(|i| i[1][0] += F::one())));
    }

    #[test]
    fn padded_outputs_and_unused_slots_must_be_zero() {
        let shape = job().shape;
        // The short partition's padded y (row 1 of partition 1), then the unused slot.
        let (g, t) = shape.position(shape.cols + 1);
        assert!(!satisfied(&partition_circuit(|i| i[1]
            [g * shape.height() + t] =
            F::one())));
        let unused = shape.fold * shape.height() - 1;
        assert!(shape.width() <= unused);
        assert!(!satisfied(&partition_circuit(|i| i[0][unused] = F::one())));
    }

    #[test]
    fn a_changed_output_changes_the_job_subroot() {
        let shape = job().shape;
        let (g, t) = shape.position(shape.cols);
        let builder = partition_circuit(|i| i[0][g * shape.height() + t] += F::one());
        assert!(!satisfied(&builder));
    }

    #[test]
    fn children_are_pinned_to_their_positions() {
        let node = |child_first: [u64; 2]| {
            let mut builder = mock_builder();
            let ctx = builder.main(0);
            let chip = StatementChip::new(ctx);
            let previous: Vec<Vec<Cell>> = child_first
                .iter()
                .map(|first| {
                    let mut values = vec![F::zero(); ACCUMULATOR_LIMBS];
                    values.extend([
                        F::from(*first),
                        F::from(1),
                        F::from(2),
                        F::from(3),
                        F::from(4),
                    ]);
                    ctx.assign_witnesses(values)
                })
                .collect();
            let spec = NodeSpec {
                level: 1,
                child_span: 2,
                first_index: 0,
                ..leaf_spec()
            };
            let first = ctx.load_constant(F::zero());
            node_roots(ctx, &chip, &spec, first, &previous);
            builder.calculate_params(Some(9));
            MockProver::run(K as u32, &builder, vec![vec![]])
                .unwrap()
                .verify()
                .is_ok()
        };
        assert!(node([0, 2]));
        assert!(!node([0, 1]));
        assert!(!node([2, 0]));
    }
}
