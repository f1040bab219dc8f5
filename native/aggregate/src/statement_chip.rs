//! The statement in-circuit: the same hashes as [`zkmr_core::halo2::statement`] and
//! [`zkmr_core::halo2::keys::key_digest`], over assigned cells.
//!
//! One Poseidon specification serves both sides (halo2-base's sponge, width 3, rate 2); the
//! tests check every hash here against its native counterpart on the same values.

use halo2_base::{
    gates::{GateChip, GateInstructions},
    poseidon::hasher::{spec::OptimizedPoseidonSpec, PoseidonHasher},
    AssignedValue, Context,
    QuantumCell::Constant,
};
use zkmr_core::field::F;
use zkmr_core::halo2::poseidon::{RATE, R_F, R_P, T};
use zkmr_core::halo2::statement::{
    JOB_LEAF, JOB_ROOT, KEY_TAG, MATRIX_COMMITMENT, MATRIX_LEAF, OUTPUT, OUTPUTS, VECTOR,
};

use crate::plan::zero_root;

pub type Cell = AssignedValue<F>;

/// Hashes of the statement over assigned values.
pub struct StatementChip {
    gate: GateChip<F>,
    hasher: PoseidonHasher<F, T, RATE>,
}

impl StatementChip {
    pub fn new(ctx: &mut Context<F>) -> Self {
        let gate = GateChip::default();
        let mut hasher = PoseidonHasher::new(OptimizedPoseidonSpec::new::<R_F, R_P, 0>());
        hasher.initialize_consts(ctx, &gate);
        Self { gate, hasher }
    }

    pub fn gate(&self) -> &GateChip<F> {
        &self.gate
    }

    /// `H(tag, values...)`.
    pub fn tagged(&self, ctx: &mut Context<F>, tag: u64, values: &[Cell]) -> Cell {
        let mut input = vec![ctx.load_constant(F::from(tag))];
        input.extend_from_slice(values);
        self.hasher.hash_fix_len_array(ctx, &self.gate, &input)
    }

    /// `H(tag, len, values...)` with the length a constant, as the native vector digests.
    fn digest_of(&self, ctx: &mut Context<F>, tag: u64, values: &[Cell]) -> Cell {
        let mut input = vec![ctx.load_constant(F::from(values.len() as u64))];
        input.extend_from_slice(values);
        self.tagged(ctx, tag, &input)
    }

    /// [`zkmr_core::halo2::keys::key_digest`] of the key whose preprocessed limbs and transcript
    /// seed are `preprocessed`, in the order the aggregation SDK loads them.
    pub fn key_digest(&self, ctx: &mut Context<F>, preprocessed: &[Cell]) -> Cell {
        self.tagged(ctx, KEY_TAG, preprocessed)
    }

    /// [`zkmr_core::halo2::statement::vector_digest`].
    pub fn vector_digest(&self, ctx: &mut Context<F>, x: &[Cell]) -> Cell {
        self.digest_of(ctx, VECTOR, x)
    }

    /// [`zkmr_core::halo2::statement::output_digest`].
    pub fn output_digest(&self, ctx: &mut Context<F>, y: &[Cell]) -> Cell {
        self.digest_of(ctx, OUTPUT, y)
    }

    /// [`zkmr_core::halo2::statement::matrix_leaf`].
    pub fn matrix_leaf(&self, ctx: &mut Context<F>, id: &PartitionCells) -> Cell {
        self.tagged(
            ctx,
            MATRIX_LEAF,
            &[id.index, id.row_start, id.row_end, id.key_digest],
        )
    }

    /// [`zkmr_core::halo2::statement::job_leaf`].
    pub fn job_leaf(
        &self,
        ctx: &mut Context<F>,
        id: &PartitionCells,
        x_digest: Cell,
        y_digest: Cell,
    ) -> Cell {
        self.tagged(
            ctx,
            JOB_LEAF,
            &[
                id.index,
                id.row_start,
                id.row_end,
                id.key_digest,
                x_digest,
                y_digest,
            ],
        )
    }

    /// Root of a subtree of `slots` children, each the root of `child_span` leaf slots;
    /// children past `nodes.len()` are all-zero subtrees.
    pub fn subtree_root(
        &self,
        ctx: &mut Context<F>,
        nodes: &[Cell],
        slots: usize,
        child_span: usize,
    ) -> Cell {
        assert!(slots.is_power_of_two() && nodes.len() <= slots);
        let mut level: Vec<Cell> = nodes.to_vec();
        let mut padding = zero_root(child_span);
        level.resize_with(slots, || ctx.load_constant(padding));
        while level.len() > 1 {
            level = level
                .chunks(2)
                .map(|pair| self.hasher.hash_fix_len_array(ctx, &self.gate, pair))
                .collect();
            padding = zkmr_core::halo2::merkle::parent(padding, padding);
        }
        level[0]
    }

    /// [`zkmr_core::halo2::statement::matrix_commitment`] from the root of the leaves.
    pub fn matrix_commitment(
        &self,
        ctx: &mut Context<F>,
        leaves_root: Cell,
        header: &HeaderCells,
    ) -> Cell {
        let h = header;
        self.tagged(
            ctx,
            MATRIX_COMMITMENT,
            &[
                leaves_root,
                h.partitions,
                h.srs_digest,
                h.rows,
                h.cols,
                h.scale_bits,
                h.value_bits,
                h.rows_per_partition,
                h.fold,
                h.k,
            ],
        )
    }

    /// [`zkmr_core::halo2::statement::job_root`] from the root of the leaves.
    pub fn job_root(
        &self,
        ctx: &mut Context<F>,
        leaves_root: Cell,
        partitions: Cell,
        matrix_commitment: Cell,
        x_encoding: [Cell; 2],
    ) -> Cell {
        self.tagged(
            ctx,
            JOB_ROOT,
            &[
                leaves_root,
                partitions,
                matrix_commitment,
                x_encoding[0],
                x_encoding[1],
            ],
        )
    }

    /// [`zkmr_core::halo2::statement::outputs_digest`] from the root of the block digests.
    pub fn outputs_digest(&self, ctx: &mut Context<F>, len: Cell, blocks_root: Cell) -> Cell {
        self.tagged(ctx, OUTPUTS, &[len, blocks_root])
    }

    /// `a + c` for a constant `c`.
    pub fn add_const(&self, ctx: &mut Context<F>, a: Cell, c: u64) -> Cell {
        self.gate.add(ctx, a, Constant(F::from(c)))
    }
}

/// A partition's identity as cells.
#[derive(Clone, Copy, Debug)]
pub struct PartitionCells {
    pub index: Cell,
    pub row_start: Cell,
    pub row_end: Cell,
    pub key_digest: Cell,
}

/// The matrix header as cells (see [`zkmr_core::halo2::statement::MatrixHeader`]).
#[derive(Clone, Copy, Debug)]
pub struct HeaderCells {
    pub partitions: Cell,
    pub srs_digest: Cell,
    pub rows: Cell,
    pub cols: Cell,
    pub scale_bits: Cell,
    pub value_bits: Cell,
    pub rows_per_partition: Cell,
    pub fold: Cell,
    pub k: Cell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_base::gates::circuit::{builder::BaseCircuitBuilder, CircuitBuilderStage};
    use halo2_proofs::dev::MockProver;
    use zkmr_core::field::{from_i128, from_i64};
    use zkmr_core::halo2::merkle::MerkleTree;
    use zkmr_core::halo2::statement::{self, PartitionId};

    const K: usize = 12;

    /// A job of three partitions hashed in-circuit, its job root exposed; `y_in_circuit`
    /// lets a test feed the circuit other outputs than the native side hashed.
    fn job_root_circuit(y_in_circuit: &[Vec<i128>]) -> (BaseCircuitBuilder<F>, Vec<F>) {
        let x = [3i64, -4, 5];
        let y = [vec![1i128, -2], vec![30, 40], vec![-5]];
        let ids: Vec<PartitionId> = (0..3u32)
            .map(|i| PartitionId {
                index: i,
                row_start: 2 * i as u64,
                row_end: (2 * i as u64 + 2).min(5),
                key_digest: F::from(1000 + i as u64),
            })
            .collect();
        let header_commitment = F::from(77);
        let encoding = zkmr_core::fixed_point::FixedPoint::new(2, 20).unwrap();
        let native_leaves: Vec<F> = ids
            .iter()
            .zip(&y)
            .map(|(id, y)| statement::job_leaf(id, statement::vector_digest(&x), y))
            .collect();
        let native_root = statement::job_root(header_commitment, encoding, &native_leaves).root;
        let native_outputs = statement::outputs_digest(y.iter().map(Vec::as_slice));
        let native_matrix_root =
            MerkleTree::new(&ids.iter().map(statement::matrix_leaf).collect::<Vec<_>>()).root();

        let mut builder = BaseCircuitBuilder::<F>::from_stage(CircuitBuilderStage::Mock)
            .use_k(K)
            .use_lookup_bits(K - 1)
            .use_instance_columns(1);
        let ctx = builder.main(0);
        let chip = StatementChip::new(ctx);
        let x_cells = ctx.assign_witnesses(x.iter().map(|v| from_i64(*v)));
        let x_digest = chip.vector_digest(ctx, &x_cells);
        assert_eq!(*x_digest.value(), statement::vector_digest(&x));
        let (mut job_leaves, mut matrix_leaves, mut y_digests) = (vec![], vec![], vec![]);
        for (id, y) in ids.iter().zip(y_in_circuit) {
            let cells = PartitionCells {
                index: ctx.load_witness(F::from(id.index as u64)),
                row_start: ctx.load_witness(F::from(id.row_start)),
                row_end: ctx.load_witness(F::from(id.row_end)),
                key_digest: ctx.load_witness(id.key_digest),
            };
            let y_cells = ctx.assign_witnesses(y.iter().map(|v| from_i128(*v)));
            let y_digest = chip.output_digest(ctx, &y_cells);
            job_leaves.push(chip.job_leaf(ctx, &cells, x_digest, y_digest));
            matrix_leaves.push(chip.matrix_leaf(ctx, &cells));
            y_digests.push(y_digest);
        }
        let leaves_root = chip.subtree_root(ctx, &job_leaves, 4, 1);
        let partitions = ctx.load_witness(F::from(3));
        let commitment = ctx.load_witness(header_commitment);
        let encoding_cells = [
            ctx.load_witness(F::from(encoding.scale_bits as u64)),
            ctx.load_witness(F::from(encoding.value_bits as u64)),
        ];
        let root = chip.job_root(ctx, leaves_root, partitions, commitment, encoding_cells);
        let blocks_root = chip.subtree_root(ctx, &y_digests, 4, 1);
        let len = ctx.load_witness(F::from(5));
        let outputs = chip.outputs_digest(ctx, len, blocks_root);
        let matrix_root = chip.subtree_root(ctx, &matrix_leaves, 4, 1);
        builder.assigned_instances[0].extend([root, outputs, matrix_root]);
        builder.calculate_params(Some(9));
        (
            builder,
            vec![native_root, native_outputs, native_matrix_root],
        )
    }

    #[test]
    fn circuit_hashes_equal_native_hashes() {
        let y = [vec![1i128, -2], vec![30, 40], vec![-5]];
        let (builder, native) = job_root_circuit(&y);
        let in_circuit: Vec<F> = builder.assigned_instances[0]
            .iter()
            .map(|c| *c.value())
            .collect();
        assert_eq!(in_circuit, native);
        MockProver::run(K as u32, &builder, vec![native])
            .unwrap()
            .assert_satisfied();
    }

    #[test]
    fn a_different_output_breaks_the_published_root() {
        let y = [vec![1i128, -2], vec![30, 41], vec![-5]];
        let (builder, native) = job_root_circuit(&y);
        let prover = MockProver::run(K as u32, &builder, vec![native]).unwrap();
        assert!(prover.verify().is_err());
    }

    #[test]
    fn subtree_roots_pad_with_zero_subtrees() {
        let mut builder = BaseCircuitBuilder::<F>::from_stage(CircuitBuilderStage::Mock).use_k(K);
        let ctx = builder.main(0);
        let chip = StatementChip::new(ctx);
        let leaves: Vec<F> = (1..=5).map(F::from).collect();
        // Five leaves in a tree of eight, as two children of span four: one full, one short.
        let left = MerkleTree::new(&leaves[..4]).root();
        let right = MerkleTree::new(&[leaves[4], F::zero(), F::zero(), F::zero()]).root();
        let cells = ctx.assign_witnesses([left, right]);
        let root = chip.subtree_root(ctx, &cells, 2, 4);
        assert_eq!(*root.value(), MerkleTree::new(&leaves).root());
        let one = ctx.assign_witnesses([left]);
        let root = chip.subtree_root(ctx, &one, 2, 4);
        let mut padded = leaves[..4].to_vec();
        padded.resize(8, F::zero());
        assert_eq!(*root.value(), MerkleTree::new(&padded).root());
    }
}
