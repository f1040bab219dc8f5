//! What a proof is about and what it is: the [`Batch`] statement (`Y_b = A·X_b` for every
//! `b`, with the context the engine binds), its transcript up to `γ` and the Freivalds fold
//! (section 3, rows 1–4), and the six-point [`Proof`].

use halo2_proofs::halo2curves::bn256::{Fr, G1Affine};
use zkmr_math::error::{Error, Result};
use zkmr_math::field::fold_powers;
use zkmr_math::fixed_point::{MAX_OUTPUT_BITS, MAX_VALUE_BITS};

use crate::commitment::Commitment;
use crate::encoding::{g1_bytes, g1_from_bytes, g2_bytes, G1_BYTES};
use crate::shape::Shape;
use crate::transcript::Transcript;

/// A statement: `vectors` inputs `x` (row-major, `n` each) with `|x| < 2^x_bits`, and their
/// products `y` (`m` each).
#[derive(Clone, Copy, Debug)]
pub struct Batch<'a> {
    /// What the engine binds the proof to (a job, a chunk of a batch): absorbed first.
    pub context: &'a [u8],
    pub vectors: usize,
    pub x: &'a [i64],
    pub y: &'a [i128],
    pub x_bits: u32,
}

impl Batch<'_> {
    /// Checks the lengths and the bounds of section 1 against the committed shape and `A`'s
    /// declared bits, naming the first entry out of bounds.
    pub fn check(&self, shape: &Shape, a_bits: u32) -> Result<()> {
        let (m, n) = (shape.rows, shape.cols);
        if self.vectors == 0 {
            return Err(Error::rejected_bundle("the batch has no vectors"));
        }
        let lengths = self.vectors.checked_mul(n).zip(self.vectors.checked_mul(m));
        if lengths != Some((self.x.len(), self.y.len())) {
            return Err(Error::rejected_bundle(format!(
                "{} vectors of a {m}x{n} product need {n} x and {m} y entries each; there are {} \
                 and {}",
                self.vectors,
                self.x.len(),
                self.y.len()
            )));
        }
        if self.x_bits > MAX_VALUE_BITS {
            return Err(Error::rejected_bundle(format!(
                "x is declared with {} bits; at most {MAX_VALUE_BITS}",
                self.x_bits
            )));
        }
        let y_bits = self.y_bits(shape, a_bits);
        if y_bits > MAX_OUTPUT_BITS {
            return Err(Error::rejected_bundle(format!(
                "x of {} bits through a matrix of {a_bits}-bit entries and {n} columns bounds y \
                 by 2^{y_bits}, past the 2^{MAX_OUTPUT_BITS} a y entry may reach",
                self.x_bits
            )));
        }
        if let Some(k) = self
            .x
            .iter()
            .position(|v| v.unsigned_abs() >> self.x_bits != 0)
        {
            return Err(Error::rejected_bundle(format!(
                "x of vector {}, entry {}: {} is not below 2^{}",
                k / n,
                k % n,
                self.x[k],
                self.x_bits
            )));
        }
        if let Some(k) = self.y.iter().position(|v| v.unsigned_abs() >> y_bits != 0) {
            return Err(Error::rejected_bundle(format!(
                "y of vector {}, row {}: {} is not below 2^{y_bits}, the bound x's and A's \
                 encodings give",
                k / m,
                k % m,
                self.y[k]
            )));
        }
        Ok(())
    }

    /// `b_A + b_x + bitlen(n)`: the bound on `|y|` the encodings give (computed, never read).
    /// Saturating, so that a hostile `x_bits` reads as out of bounds rather than wrapping.
    pub fn y_bits(&self, shape: &Shape, a_bits: u32) -> u32 {
        a_bits
            .saturating_add(self.x_bits.min(u32::MAX / 2))
            .saturating_add(usize::BITS - shape.cols.leading_zeros())
    }

    /// The transcript through `γ` (rows 1–4 of section 3) and the folded `x'` and `y'`.
    pub fn fold(
        &self,
        commitment: &Commitment,
        digest: &[u8; 32],
    ) -> (Transcript, Vec<Fr>, Vec<Fr>) {
        let shape = commitment
            .header
            .shape()
            .expect("the statement was checked against the header's shape");
        let (m, n) = (shape.rows, shape.cols);
        let mut t = Transcript::new();
        t.absorb(b"context", self.context);
        t.absorb(b"commitment", digest);
        t.absorb(b"header", &commitment.header.bytes());
        t.absorb(b"m2", &g2_bytes(&commitment.m2));
        let mut dims = Vec::with_capacity(28);
        for v in [m as u64, n as u64, self.vectors as u64] {
            dims.extend_from_slice(&v.to_be_bytes());
        }
        dims.extend_from_slice(&self.x_bits.to_be_bytes());
        t.absorb(b"statement", &dims);
        t.absorb_words(b"x", self.x);
        t.absorb_words(b"y", self.y);
        let gamma = t.challenge(b"gamma");
        let x = fold_powers(self.x, n, self.vectors, gamma);
        let y = fold_powers(self.y, m, self.vectors, gamma);
        (t, x, y)
    }
}

/// Bytes of a proof.
pub const PROOF_BYTES: usize = 6 * G1_BYTES;

/// A proof: six `G1` points, whatever the shape and the batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Proof {
    /// `C_x = [x'(σ^{m'})]_1`.
    pub c_x: G1Affine,
    /// `[Q_x(σ)]_1`, the quotient by `X^N − 1`.
    pub q: G1Affine,
    /// `[S_x(σ)]_1`, of degree at most `N − m' − 1`.
    pub s: G1Affine,
    /// `[σ^{m'}·S_x(σ)]_1`, which proves that degree bound.
    pub p: G1Affine,
    /// The opening of `C_x` at `ζ' = ζ^{m'}`.
    pub pi_x: G1Affine,
    /// The opening of `y'` at `ζ`.
    pub pi_y: G1Affine,
}

const FIELDS: [&str; 6] = ["C_x", "Q", "S", "P", "pi_x", "pi_y"];

impl Proof {
    fn points(&self) -> [G1Affine; 6] {
        [self.c_x, self.q, self.s, self.p, self.pi_x, self.pi_y]
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.points().iter().flat_map(g1_bytes).collect()
    }

    /// A proof from its bytes: the length exact, every point strict (naming the one at fault).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != PROOF_BYTES {
            return Err(Error::Format(format!(
                "a cqlin proof is {PROOF_BYTES} bytes, not {}",
                bytes.len()
            )));
        }
        let mut points = [G1Affine::default(); 6];
        for (k, chunk) in bytes.chunks(G1_BYTES).enumerate() {
            points[k] = g1_from_bytes(chunk)
                .map_err(|e| Error::Format(format!("the proof's {}: {e}", FIELDS[k])))?;
        }
        let [c_x, q, s, p, pi_x, pi_y] = points;
        Ok(Self {
            c_x,
            q,
            s,
            p,
            pi_x,
            pi_y,
        })
    }
}
