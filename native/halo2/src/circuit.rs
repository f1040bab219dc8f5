//! The matrix-vector circuit: one partition proves `y = A_block · x`.
//!
//! `A_block` lives in **fixed** columns, so the verifying key's fixed commitments are a
//! binding commitment to the block: keygen is the setup, and a proof under that key can only
//! speak about that block. `x` and `y` are public instances. The extended matrix
//! `M = [A | -I]` and vector `v = [x; y]` satisfy `M v = 0` exactly when `y = A x`; the
//! circuit checks one random combination of the rows of that system,
//!
//! ```text
//! acc_0 = 0,   acc_{t+1} = acc_t + Σ_g v_g(t) · Σ_i γ^i M_{g,i}(t),   acc_height = 0,
//! ```
//!
//! so `acc_height = Σ_i γ^i (A x - y)_i`. `γ` is a halo2 challenge squeezed from the
//! transcript after the verifying key, every instance value and the phase-one commitments
//! are absorbed, so a wrong `y` survives only if `γ` is a root of a fixed nonzero polynomial
//! of degree below `r`: probability at most `r / p`.
//!
//! The circuit's rows of `M` are combined by the challenge, so the prover commits to a single
//! accumulator column whatever the number of rows per partition.

use halo2_proofs::{
    circuit::{Layouter, Region, SimpleFloorPlanner, Value},
    plonk::{
        Advice, Challenge, Circuit, Column, ConstraintSystem, Error as PlonkError, FirstPhase,
        Fixed, SecondPhase, Selector,
    },
    poly::Rotation,
};

use crate::shape::CircuitShape;
use zkmr_math::field::{from_i128, from_i64, F};

/// Columns, challenge and selectors of the matrix-vector gate.
#[derive(Clone, Debug)]
pub struct MatVecConfig {
    shape: CircuitShape,
    /// `fold * rows` columns; column `g * rows + i` holds row `i` of group `g` of `M`.
    matrix: Vec<Column<Fixed>>,
    /// halo2 only squeezes a challenge after a phase that owns an advice column; every input
    /// of this statement is public, so this column stays empty and only orders the transcript.
    phase_anchor: Column<Advice>,
    acc: Column<Advice>,
    gamma: Challenge,
    step: Selector,
    boundary: Selector,
}

impl MatVecConfig {
    /// Declares the gate for `shape`.
    pub fn configure(meta: &mut ConstraintSystem<F>, shape: CircuitShape) -> Self {
        let matrix: Vec<_> = (0..shape.fold * shape.rows)
            .map(|_| meta.fixed_column())
            .collect();
        let vector: Vec<_> = (0..shape.fold).map(|_| meta.instance_column()).collect();
        let phase_anchor = meta.advice_column_in(FirstPhase);
        let gamma = meta.challenge_usable_after(FirstPhase);
        let acc = meta.advice_column_in(SecondPhase);
        let step = meta.selector();
        let boundary = meta.selector();

        meta.create_gate(
            "accumulate γ-combined rows of [A | -I] times [x; y]",
            |meta| {
                let step = meta.query_selector(step);
                let gamma = meta.query_challenge(gamma);
                let acc_cur = meta.query_advice(acc, Rotation::cur());
                let acc_next = meta.query_advice(acc, Rotation::next());
                let increment = vector
                    .iter()
                    .zip(matrix.chunks(shape.rows))
                    .map(|(v, group)| {
                        // Horner: Σ_i γ^i M_i = M_0 + γ (M_1 + γ (M_2 + ...)).
                        let combined = group
                            .iter()
                            .rev()
                            .map(|col| meta.query_fixed(*col, Rotation::cur()))
                            .reduce(|acc, m| acc * gamma.clone() + m)
                            .expect("at least one row");
                        meta.query_instance(*v, Rotation::cur()) * combined
                    })
                    .reduce(|a, b| a + b)
                    .expect("at least one group");
                vec![step * (acc_next - acc_cur - increment)]
            },
        );

        meta.create_gate("accumulator starts and ends at zero", |meta| {
            let boundary = meta.query_selector(boundary);
            vec![boundary * meta.query_advice(acc, Rotation::cur())]
        });

        Self {
            shape,
            matrix,
            phase_anchor,
            acc,
            gamma,
            step,
            boundary,
        }
    }

    /// Writes the block into the fixed columns and enables the selectors.
    ///
    /// `block` is row-major with at most `shape.rows` rows; missing rows are zero, and their
    /// `y` entries are then forced to zero by the `-I` part.
    fn assign_matrix(&self, region: &mut Region<F>, block: &[i64]) -> Result<(), PlonkError> {
        let s = self.shape;
        for (idx, a) in block.iter().enumerate() {
            if *a != 0 {
                let (i, c) = (idx / s.cols, idx % s.cols);
                let (g, t) = s.position(c);
                region.assign_fixed(self.matrix[g * s.rows + i], t, from_i64(*a));
            }
        }
        for i in 0..s.rows {
            let (g, t) = s.position(s.cols + i);
            region.assign_fixed(self.matrix[g * s.rows + i], t, -F::one());
        }
        for t in 0..s.height() {
            self.step.enable(region, t)?;
        }
        self.boundary.enable(region, 0)?;
        self.boundary.enable(region, s.height())
    }

    /// Assigns the accumulator; `witness` computes it from `γ`.
    fn assign_accumulator(
        &self,
        region: &mut Region<F>,
        acc: Value<Vec<F>>,
    ) -> Result<(), PlonkError> {
        let acc = acc.transpose_vec(self.shape.height() + 1);
        for (t, value) in acc.into_iter().enumerate() {
            region.assign_advice(self.acc, t, value);
        }
        // Keeps the anchor column queried-free but assigned, as MockProver expects.
        region.assign_advice(self.phase_anchor, 0, Value::known(F::zero()));
        Ok(())
    }
}

/// The witness of one partition: `x` and the `y` block, known only when proving.
#[derive(Clone, Copy, Debug)]
pub struct Witness<'a> {
    pub x: &'a [i64],
    /// At most `shape.rows` entries; missing ones are the zero outputs of padding rows.
    pub y: &'a [i128],
}

/// One partition's circuit. Without a witness it only fixes the matrix (keygen).
#[derive(Clone, Debug)]
pub struct MatVecCircuit<'a> {
    shape: CircuitShape,
    block: &'a [i64],
    witness: Option<Witness<'a>>,
    #[cfg(test)]
    tamper: Option<tests::Tamper>,
}

impl<'a> MatVecCircuit<'a> {
    /// The circuit for keygen: the matrix block alone.
    pub fn for_keygen(shape: CircuitShape, block: &'a [i64]) -> Self {
        assert!(
            block.len() <= shape.rows * shape.cols,
            "block larger than shape"
        );
        assert_eq!(block.len() % shape.cols, 0, "block of whole rows");
        Self {
            shape,
            block,
            witness: None,
            #[cfg(test)]
            tamper: None,
        }
    }

    /// The circuit for proving `witness.y = block · witness.x`.
    pub fn for_proof(shape: CircuitShape, block: &'a [i64], witness: Witness<'a>) -> Self {
        Self {
            witness: Some(witness),
            ..Self::for_keygen(shape, block)
        }
    }

    /// `γ`-combined coefficient of every extended column: `u_c = Σ_i γ^i M_i(c)`.
    fn combined_columns(&self, gamma: F) -> Vec<F> {
        let s = self.shape;
        let mut powers = Vec::with_capacity(s.rows);
        let mut p = F::one();
        for _ in 0..s.rows {
            powers.push(p);
            p *= gamma;
        }
        let mut u = vec![F::zero(); s.width()];
        for (i, row) in self.block.chunks(s.cols).enumerate() {
            for (u, a) in u.iter_mut().zip(row) {
                if *a != 0 {
                    *u += powers[i] * from_i64(*a);
                }
            }
        }
        for (i, power) in powers.iter().enumerate() {
            u[s.cols + i] = -*power;
        }
        u
    }

    /// The accumulator column for challenge `gamma`.
    fn accumulator(&self, witness: Witness, gamma: F) -> Vec<F> {
        let s = self.shape;
        let u = self.combined_columns(gamma);
        let v: Vec<F> = witness
            .x
            .iter()
            .map(|x| from_i64(*x))
            .chain(witness.y.iter().map(|y| from_i128(*y)))
            .chain(std::iter::repeat(F::zero()))
            .take(s.width())
            .collect();
        let mut acc = vec![F::zero(); s.height() + 1];
        for c in 0..s.width() {
            let (_, t) = s.position(c);
            acc[t + 1] += u[c] * v[c];
        }
        for t in 0..s.height() {
            let prev = acc[t];
            acc[t + 1] += prev;
        }
        #[cfg(test)]
        if let Some(tamper) = self.tamper {
            tamper.apply(&mut acc);
        }
        acc
    }
}

impl Circuit<F> for MatVecCircuit<'_> {
    type Config = MatVecConfig;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = CircuitShape;

    fn without_witnesses(&self) -> Self {
        Self {
            witness: None,
            ..self.clone()
        }
    }

    fn params(&self) -> CircuitShape {
        self.shape
    }

    fn configure_with_params(meta: &mut ConstraintSystem<F>, shape: CircuitShape) -> MatVecConfig {
        MatVecConfig::configure(meta, shape)
    }

    fn configure(_: &mut ConstraintSystem<F>) -> MatVecConfig {
        unreachable!("the shape is always passed through configure_with_params")
    }

    fn synthesize(
        &self,
        config: MatVecConfig,
        mut layouter: impl Layouter<F>,
    ) -> Result<(), PlonkError> {
        layouter.assign_region(
            || "matrix-vector product",
            |mut region| {
                config.assign_matrix(&mut region, self.block)?;
                region.next_phase();
                let gamma = region.get_challenge(config.gamma);
                let acc = match self.witness {
                    Some(w) => gamma.map(|g| self.accumulator(w, g)),
                    None => Value::unknown(),
                };
                config.assign_accumulator(&mut region, acc)
            },
        )
    }
}

/// The circuit size a shape needs, which depends on the rows the configured circuit reserves:
/// here, beside the configuration, so the shape (which the configuration reads) stays below it.
impl CircuitShape {
    /// Rows halo2 reserves at the end of the circuit for blinding.
    pub(crate) fn reserved_rows(&self) -> usize {
        let mut cs = ConstraintSystem::<F>::default();
        MatVecConfig::configure(&mut cs, *self);
        cs.blinding_factors() + 1
    }

    /// log2 of the circuit size: the accumulator needs `height + 1` usable rows.
    pub fn k(&self) -> u32 {
        let needed = self.height() + 1 + self.reserved_rows();
        needed.next_power_of_two().trailing_zeros().max(4)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use halo2_proofs::dev::MockProver;

    /// Ways a test perturbs an honest accumulator.
    #[derive(Clone, Copy, Debug)]
    pub(crate) enum Tamper {
        /// Adds a constant to every row: every step still holds, the boundaries do not.
        Shift(u64),
        /// Adds to one row: the steps around it break.
        Row(usize, u64),
    }

    impl Tamper {
        pub(super) fn apply(self, acc: &mut [F]) {
            match self {
                Tamper::Shift(d) => acc.iter_mut().for_each(|a| *a += F::from(d)),
                Tamper::Row(t, d) => acc[t] += F::from(d),
            }
        }
    }

    struct Case {
        shape: CircuitShape,
        block: Vec<i64>,
        x: Vec<i64>,
        y: Vec<i128>,
    }

    impl Case {
        fn witness(&self) -> Witness<'_> {
            Witness {
                x: &self.x,
                y: &self.y,
            }
        }

        fn instances(&self) -> Vec<Vec<F>> {
            let x: Vec<F> = self.x.iter().map(|v| from_i64(*v)).collect();
            self.shape.instance_columns(&x, &self.y)
        }
    }

    fn case(rows: usize, real_rows: usize, cols: usize, fold: usize) -> Case {
        let shape = CircuitShape::new(rows, cols, fold).unwrap();
        let block: Vec<i64> = (0..real_rows * cols)
            .map(|i| (i as i64 * 7919 % 201) - 100)
            .collect();
        let x: Vec<i64> = (0..cols).map(|j| (j as i64 * 31 % 17) - 8).collect();
        let y: Vec<i128> = block
            .chunks(cols)
            .map(|r| zkmr_math::matrix::dot(r, &x))
            .collect();
        Case { shape, block, x, y }
    }

    fn run(c: &Case, tamper: Option<Tamper>) -> Result<(), Vec<halo2_proofs::dev::VerifyFailure>> {
        let mut circuit = MatVecCircuit::for_proof(c.shape, &c.block, c.witness());
        circuit.tamper = tamper;
        MockProver::run(c.shape.k(), &circuit, c.instances())
            .unwrap()
            .verify()
    }

    fn failing_gates(result: Result<(), Vec<halo2_proofs::dev::VerifyFailure>>) -> String {
        format!("{:?}", result.expect_err("the perturbed witness must fail"))
    }

    #[test]
    fn honest_witness_satisfies_every_shape() {
        for (rows, real, cols, fold) in [(1, 1, 1, 1), (4, 4, 9, 1), (4, 3, 9, 2), (8, 5, 13, 3)] {
            run(&case(rows, real, cols, fold), None).unwrap();
        }
    }

    #[test]
    fn wrong_y_fails_the_end_boundary() {
        let mut c = case(4, 4, 9, 2);
        c.y[2] += 1;
        let failures = failing_gates(run(&c, None));
        assert!(
            failures.contains("accumulator starts and ends at zero"),
            "{failures}"
        );
    }

    #[test]
    fn nonzero_padding_row_output_fails() {
        let mut c = case(4, 2, 9, 1);
        c.y.extend([0, 5]);
        assert!(run(&c, None).is_err());
    }

    #[test]
    fn shifted_accumulator_fails_the_boundaries_only() {
        let failures = failing_gates(run(&case(4, 4, 9, 2), Some(Tamper::Shift(3))));
        assert!(
            failures.contains("accumulator starts and ends at zero"),
            "{failures}"
        );
        assert!(!failures.contains("accumulate"), "{failures}");
    }

    #[test]
    fn perturbed_accumulator_row_fails_the_step_gate() {
        let failures = failing_gates(run(&case(4, 4, 9, 2), Some(Tamper::Row(3, 1))));
        assert!(failures.contains("accumulate"), "{failures}");
        assert!(!failures.contains("starts and ends"), "{failures}");
    }

    #[test]
    fn instance_x_other_than_the_witness_fails_the_step_gate() {
        let c = case(4, 4, 9, 1);
        let circuit = MatVecCircuit::for_proof(c.shape, &c.block, c.witness());
        let mut instances = c.instances();
        instances[0][0] += F::one();
        let result = MockProver::run(c.shape.k(), &circuit, instances)
            .unwrap()
            .verify();
        assert!(failing_gates(result).contains("accumulate"));
    }
}
