//! Native Poseidon sponge over BN254, the same specification as halo2-base's in-circuit
//! `PoseidonSponge` (width 3, rate 2, 8 full and 57 partial rounds, x^5 S-box), so a circuit
//! can recompute every commitment this crate makes (the aggregation circuit does).
//!
//! The permutation follows the optimised form (sparse MDS matrices in the partial rounds)
//! with the constants taken from halo2-base itself; `tests` checks the two agree.

use std::sync::OnceLock;

use halo2_base::poseidon::hasher::{mds::SparseMDSMatrix, spec::OptimizedPoseidonSpec};
use halo2_proofs::halo2curves::ff::PrimeField;

use snark_verifier::{
    loader::native::NativeLoader, system::halo2::transcript::halo2::PoseidonTranscript,
};

use zkmr_math::field::F;

/// The partition proofs' Fiat-Shamir transcript over a byte stream `S`: snark-verifier's
/// Poseidon transcript with this sponge, which the aggregation circuit replays.
pub type Transcript<S> = PoseidonTranscript<
    halo2_proofs::halo2curves::bn256::G1Affine,
    NativeLoader,
    S,
    T,
    RATE,
    R_F,
    R_P,
>;

/// State width.
pub const T: usize = 3;
/// Elements absorbed per permutation.
pub const RATE: usize = 2;
/// Full rounds.
pub const R_F: usize = 8;
/// Partial rounds.
pub const R_P: usize = 57;

type Spec = OptimizedPoseidonSpec<F, T, RATE>;

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(Spec::new::<R_F, R_P, 0>)
}

/// A sponge: absorb any number of elements, then squeeze.
#[derive(Clone, Debug)]
pub struct Sponge {
    state: [F; T],
    absorbing: Vec<F>,
}

impl Default for Sponge {
    fn default() -> Self {
        // Capacity element 2^64 (variable-length hashing, one output), as halo2-base.
        Self {
            state: [F::from_u128(1u128 << 64), F::zero(), F::zero()],
            absorbing: Vec::new(),
        }
    }
}

impl Sponge {
    pub fn update(&mut self, elements: &[F]) {
        self.absorbing.extend_from_slice(elements);
    }

    /// Absorbs the buffer (padded with a single one) and returns the first rate element.
    pub fn squeeze(&mut self) -> F {
        let input = std::mem::take(&mut self.absorbing);
        for chunk in input.chunks(RATE) {
            self.permute(chunk);
        }
        if input.len().is_multiple_of(RATE) {
            self.permute(&[]);
        }
        self.state[1]
    }

    fn permute(&mut self, input: &[F]) {
        let spec = spec();
        let half = spec.r_f() / 2;
        let mds = spec.mds_matrices().mds().as_ref();
        let pre_sparse = spec.mds_matrices().pre_sparse_mds().as_ref();
        let start = spec.constants().start();

        self.absorb_with_pre_constants(input, &start[0]);
        for constants in start.iter().skip(1).take(half - 1) {
            self.sbox_full(constants);
            self.apply_mds(mds);
        }
        self.sbox_full(start.last().expect("round constants"));
        self.apply_mds(pre_sparse);

        let partial = spec.constants().partial();
        for (constant, sparse) in partial.iter().zip(spec.mds_matrices().sparse_matrices()) {
            self.state[0] = pow5(self.state[0]) + constant;
            self.apply_sparse_mds(sparse);
        }

        for constants in spec.constants().end() {
            self.sbox_full(constants);
            self.apply_mds(mds);
        }
        self.sbox_full(&[F::zero(); T]);
        self.apply_mds(mds);
    }

    /// Adds the round's pre-constants and the input; the first free rate slot gets an extra
    /// one (the padding of a short final block).
    fn absorb_with_pre_constants(&mut self, input: &[F], pre: &[F; T]) {
        assert!(input.len() < T);
        self.state[0] += pre[0];
        for (i, x) in input.iter().enumerate() {
            self.state[i + 1] += *x + pre[i + 1];
        }
        for (n, i) in (input.len() + 1..T).enumerate() {
            self.state[i] += if n == 0 { F::one() + pre[i] } else { pre[i] };
        }
    }

    fn sbox_full(&mut self, constants: &[F; T]) {
        for (s, c) in self.state.iter_mut().zip(constants) {
            *s = pow5(*s) + c;
        }
    }

    fn apply_mds(&mut self, mds: &[[F; T]; T]) {
        let s = self.state;
        self.state = mds.map(|row| row.iter().zip(&s).map(|(m, x)| *m * x).sum());
    }

    fn apply_sparse_mds(&mut self, mds: &SparseMDSMatrix<F, T, RATE>) {
        let s = self.state;
        self.state[0] = mds.row().iter().zip(&s).map(|(m, x)| *m * x).sum();
        for (i, coeff) in mds.col_hat().iter().enumerate() {
            self.state[i + 1] = s[0] * coeff + s[i + 1];
        }
    }
}

fn pow5(x: F) -> F {
    let x2 = x.square();
    x2.square() * x
}

/// Hashes a fixed-length message.
pub fn hash(elements: &[F]) -> F {
    let mut sponge = Sponge::default();
    sponge.update(elements);
    sponge.squeeze()
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_base::{gates::GateChip, poseidon::hasher::PoseidonSponge as CircuitSponge, Context};

    /// Absorb/squeeze schedules compared against the in-circuit sponge, witness values only.
    #[test]
    fn matches_halo2_base_circuit_sponge() {
        let gate = GateChip::<F>::default();
        let schedules: Vec<Vec<Vec<u64>>> = vec![
            vec![vec![]],
            vec![vec![1]],
            vec![vec![1, 2]],
            vec![vec![1, 2, 3]],
            vec![vec![7, 8, 9, 10, 11], vec![], vec![12]],
        ];
        for schedule in schedules {
            let mut ctx = Context::<F>::new(true, 0, "poseidon", 0, Default::default());
            let mut native = Sponge::default();
            let mut circuit = CircuitSponge::<F, T, RATE>::new::<R_F, R_P, 0>(&mut ctx);
            for absorb in &schedule {
                let values: Vec<F> = absorb.iter().map(|v| F::from(*v)).collect();
                native.update(&values);
                circuit.update(&ctx.assign_witnesses(values));
                let expected = *circuit.squeeze(&mut ctx, &gate).value();
                assert_eq!(native.squeeze(), expected, "schedule {schedule:?}");
            }
        }
    }

    #[test]
    fn distinguishes_lengths_and_order() {
        let (a, b) = (F::from(1), F::from(2));
        assert_ne!(hash(&[a, b]), hash(&[b, a]));
        assert_ne!(hash(&[a]), hash(&[a, F::zero()]));
        assert_ne!(hash(&[]), hash(&[F::zero()]));
    }
}
