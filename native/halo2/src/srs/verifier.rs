//! The three points a KZG verifier needs, and their digest.

use halo2_proofs::{
    halo2curves::{
        bn256::{G1Affine, G2Affine},
        ff::FromUniformBytes,
        group::GroupEncoding,
    },
    poly::commitment::ParamsProver,
    SerdeFormat,
};

use zkmr_math::error::{Error, Result};
use zkmr_math::field::F;

use super::development::development_secret;
use super::{check_g2_coordinates, ProverParams};

/// The three points a verifier needs: `g1`, `g2` and `s·g2`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierSrs {
    pub g1: G1Affine,
    pub g2: G2Affine,
    pub s_g2: G2Affine,
}

impl VerifierSrs {
    pub fn of(params: &ProverParams) -> Self {
        let g1 = params.get_g()[0];
        Self {
            g1,
            g2: params.g2(),
            s_g2: params.s_g2(),
        }
    }

    /// Blake2b of the compressed points, reduced into the field; bound into the matrix
    /// commitment so a bundle cannot swap in a setup whose trapdoor the prover knows.
    pub fn digest(&self) -> F {
        let hash = blake2b_simd::Params::new()
            .hash_length(64)
            .personal(b"zkmr-srs-digest\0")
            .to_state()
            .update(self.g1.to_bytes().as_ref())
            .update(self.g2.to_bytes().as_ref())
            .update(self.s_g2.to_bytes().as_ref())
            .finalize();
        F::from_uniform_bytes(hash.as_array())
    }

    pub fn to_proto(&self) -> zkmr_proto::SrsVerifierParams {
        zkmr_proto::SrsVerifierParams {
            g1: self.g1.to_bytes().as_ref().to_vec(),
            g2: self.g2.to_bytes().as_ref().to_vec(),
            s_g2: self.s_g2.to_bytes().as_ref().to_vec(),
        }
    }

    pub fn from_proto(p: &zkmr_proto::SrsVerifierParams) -> Result<Self> {
        fn point<C: GroupEncoding>(bytes: &[u8], what: &str) -> Result<C> {
            let mut repr = C::Repr::default();
            if repr.as_ref().len() != bytes.len() {
                return Err(Error::Format(format!("srs.{what}: wrong length")));
            }
            repr.as_mut().copy_from_slice(bytes);
            Option::from(C::from_bytes(&repr))
                .ok_or_else(|| Error::Format(format!("srs.{what}: not a curve point")))
        }
        Ok(Self {
            g1: point(&p.g1, "g1")?,
            g2: point(check_g2_coordinates(&p.g2, "g2")?, "g2")?,
            s_g2: point(check_g2_coordinates(&p.s_g2, "s_g2")?, "s_g2")?,
        })
    }

    /// Whether these are the development SRS's points, whose secret is public: anything
    /// verified under them could have been forged.
    pub fn is_development(&self) -> bool {
        use halo2_proofs::halo2curves::group::Curve;
        self.s_g2 == (G2Affine::generator() * development_secret()).to_affine()
    }

    /// Verifier parameters for circuits of size `2^k`. The KZG verifier reads only `g1`,
    /// `g2`, `s·g2` and the size, so the point vectors hold `g1` alone.
    pub fn params(&self, k: u32) -> ProverParams {
        let mut bytes = Vec::with_capacity(4 + 2 * 32 + 2 * 64);
        bytes.extend_from_slice(&0u32.to_le_bytes());
        for _ in 0..2 {
            bytes.extend_from_slice(self.g1.to_bytes().as_ref());
        }
        bytes.extend_from_slice(self.g2.to_bytes().as_ref());
        bytes.extend_from_slice(self.s_g2.to_bytes().as_ref());
        // For n = 1 the single Lagrange point equals g1, so this is a valid size-one setup.
        let unit = ProverParams::read_custom(&mut bytes.as_slice(), SerdeFormat::Processed)
            .expect("points were valid when decoded");
        unit.from_parts(k, vec![self.g1], Some(Vec::new()), self.g2, self.s_g2)
    }
}
