//! The prover's cached data for one matrix (`docs/cqlin.md` 2.2, step 3), secret like the
//! matrix: what [`crate::commit::commit`] makes and [`crate::prove::prove`] reads.

use halo2_proofs::halo2curves::bn256::G1Affine;

use crate::shape::Shape;
use crate::srs::Constants;

/// The prover's cached data for one matrix (section 2.2, step 3): per column the quotient
/// `[Q_j]`, `[S_j]` and `[σ^{m'}·S_j]`, and the bases `T_j` and `U_i` its openings use.
pub struct ProverKey {
    pub shape: Shape,
    pub quotients: Vec<G1Affine>,
    pub shifted: Vec<G1Affine>,
    pub raised: Vec<G1Affine>,
    pub cols: Vec<G1Affine>,
    pub rows: Vec<G1Affine>,
    /// The verifier's constants, for the check each proof gets before it is released.
    pub constants: Constants,
}

/// Names the shape only: the points are many and secret.
impl std::fmt::Debug for ProverKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ProverKey({}x{})", self.shape.rows, self.shape.cols)
    }
}
