//! Verification of an aggregated proof: one SHPLONK proof and its accumulator, whatever the
//! number of partitions.
//!
//! The verifier trusts the matrix commitment and the SRS, nothing else from the prover. The
//! root verifying key comes from [`crate::keys::root_verifying_key`] (rebuilt from the shape,
//! then cached by the caller); the public inputs are rebuilt from the trusted commitment and
//! the artifact's `x` and `y`, so a proof about other values cannot pass.

use std::panic::{catch_unwind, AssertUnwindSafe};

use halo2_proofs::halo2curves::bn256::{Bn256, G1Affine, G2Prepared};
use halo2_proofs::halo2curves::group::Group;
use halo2_proofs::halo2curves::pairing::{MillerLoopResult, MultiMillerLoop};
use halo2_proofs::plonk::{verify_proof, VerifyingKey};
use halo2_proofs::poly::kzg::commitment::KZGCommitmentScheme;
use halo2_proofs::poly::kzg::multiopen::VerifierSHPLONK;
use halo2_proofs::poly::kzg::strategy::SingleStrategy;
use halo2_proofs::transcript::TranscriptReadBuffer;
use snark_verifier::{
    loader::native::NativeLoader,
    pcs::{
        kzg::{KzgAccumulator, LimbsEncoding},
        AccumulatorEncoding,
    },
    system::halo2::transcript::evm::EvmTranscript,
};
use snark_verifier_sdk::{BITS, LIMBS};
use zkmr_core::field::{to_hex, F};
use zkmr_core::halo2::srs::{self, ProverParams, VerifierSrs};
use zkmr_core::halo2::statement::{outputs_digest, vector_digest};
use zkmr_core::matrix::Partitioning;
use zkmr_core::setup::default_cache_dir;
use zkmr_core::setup::SrsChoice;
use zkmr_core::verify::{check_x, x_digest, Expected, Verified};
use zkmr_core::{Error, Result};

use crate::aggregator::partition_params;
use crate::artifact::Aggregated;
use crate::keys;
use crate::plan::Plan;

/// What an accepted aggregated proof establishes.
#[derive(Clone, Debug)]
pub struct VerifiedAggregate {
    pub job_root: F,
    pub partitions: usize,
    /// `y = A x` at scale `s_A + s_x`.
    pub y: Vec<i128>,
    pub y_scale_bits: u32,
}

impl VerifiedAggregate {
    pub fn line(&self) -> String {
        format!(
            "verified: aggregated proof over {} partitions, job root {}",
            self.partitions,
            to_hex(&self.job_root)
        )
    }
}

/// Reads the aggregated proof at `path` and verifies it for a relying party: against the
/// matrix behind `trusted_commitment`, under the SRS it trusts and for the `x` it `expected`.
/// Returns the verdict and the milliseconds the check took, without rebuilding the root key
/// (cached in `$ZKMR_CACHE_DIR` after its first use). A file that is not an aggregated proof is
/// an error (it cannot be read); a proof that is read and fails is the verdict's rejection.
pub fn verify_file(
    path: &std::path::Path,
    trusted_commitment: &[u8; 32],
    srs: &SrsChoice,
    expected: &Expected,
) -> Result<(Result<Verified>, f64)> {
    let rejected = |reason: &str| Ok((Err(Error::rejected_bundle(reason.to_string())), 0.0));
    let Ok(commitment) = zkmr_core::field::from_bytes(trusted_commitment, "--commitment") else {
        return rejected("the trusted commitment is not a halo2 matrix commitment");
    };
    let agg = Aggregated::read(path)?;
    let (params, _) = srs::params_for(srs, agg.settings.k)?;
    if VerifierSrs::of(&params) != agg.srs {
        return rejected("the aggregated proof was made under another SRS than the one given");
    }
    let context = agg.context()?;
    let plan = Plan::new(agg.partitions, agg.settings.fan_in).map_err(Error::Usage)?;
    let small = partition_params(&params, agg.header.k)?;
    let vk =
        keys::cached_root_verifying_key(&default_cache_dir(), &params, &small, &context, &plan)?;
    let started = std::time::Instant::now();
    let result = check_x(
        &agg.x,
        1,
        agg.x_encoding,
        agg.header.cols as usize,
        expected,
    )
    .and_then(|()| verify(&agg, commitment, &vk))
    .map(|v| Verified {
        scheme: zkmr_core::Scheme::Halo2,
        y: v.y,
        vectors: 1,
        y_scale_bits: v.y_scale_bits,
        job_root: zkmr_core::field::to_bytes(&v.job_root),
        partitions: v.partitions,
        matrix_encoding: agg.header.encoding,
        x_digest: x_digest(&agg.x, 1, agg.x_encoding),
        x: agg.x.clone(),
        x_encoding: agg.x_encoding,
        srs_unsafe: agg.srs.is_development(),
    });
    Ok((result, started.elapsed().as_secs_f64() * 1e3))
}

/// Verifies `agg` for the matrix behind `trusted_commitment` under the root key `vk`.
pub fn verify(
    agg: &Aggregated,
    trusted_commitment: F,
    vk: &VerifyingKey<G1Affine>,
) -> Result<VerifiedAggregate> {
    if agg.matrix_commitment != trusted_commitment {
        return Err(Error::rejected_bundle(
            "the aggregated proof is about a different matrix than the trusted commitment",
        ));
    }
    if agg.srs.digest() != agg.header.srs_digest {
        return Err(Error::rejected_bundle(
            "the SRS in the aggregated proof is not the one the matrix header names",
        ));
    }
    if vector_digest(&agg.x) != agg.x_digest {
        return Err(Error::rejected_bundle(
            "x does not match the proof's digest of x",
        ));
    }
    let partitioning = Partitioning::new(
        agg.header.rows as usize,
        agg.header.rows_per_partition as usize,
    )
    .map_err(|e| Error::rejected_bundle(e.to_string()))?;
    if agg.y.len() as u64 != agg.header.rows || partitioning.count() != agg.partitions {
        return Err(Error::rejected_bundle(format!(
            "y has {} entries and {} partitions, the matrix {} rows in {} partitions",
            agg.y.len(),
            agg.partitions,
            agg.header.rows,
            partitioning.count()
        )));
    }
    let blocks = (0..agg.partitions).map(|p| &agg.y[partitioning.range(p)]);
    if outputs_digest(blocks) != agg.y_digest {
        return Err(Error::rejected_bundle(
            "y does not match the proof's digest of y",
        ));
    }
    check_proof(vk, agg)?;
    Ok(VerifiedAggregate {
        job_root: agg.job_root,
        partitions: agg.partitions,
        y: agg.y.clone(),
        y_scale_bits: agg.header.encoding.scale_bits + agg.x_encoding.scale_bits,
    })
}

/// The SHPLONK proof (Keccak transcript) and the KZG accumulator its public inputs carry.
///
/// Both end in a pairing check; they are independent, so they run side by side. The proof
/// goes through halo2's own verifier (the one the aggregation prover checks itself with),
/// whose multi-scalar multiplication is Pippenger's rather than one scalar product per point.
fn check_proof(vk: &VerifyingKey<G1Affine>, agg: &Aggregated) -> Result<()> {
    let params = agg.srs.params(agg.settings.k);
    let accumulator = decode_accumulator(&agg.accumulator)?;
    let (proof_ok, accumulator_ok) = rayon::join(
        || plonk_proof_holds(vk, &agg.instances(), &agg.proof, &params),
        || accumulator_holds(&params, &accumulator),
    );
    proof_ok?;
    if !accumulator_ok {
        return Err(Error::rejected_bundle(
            "the aggregated proof does not verify: the accumulated partition proofs fail the pairing check",
        ));
    }
    Ok(())
}

fn plonk_proof_holds(
    vk: &VerifyingKey<G1Affine>,
    instances: &[F],
    proof: &[u8],
    params: &ProverParams,
) -> Result<()> {
    let rejected = |reason: String| {
        Error::rejected_bundle(format!("the aggregated proof does not verify: {reason}"))
    };
    let mut reader = proof;
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut transcript =
            <EvmTranscript<G1Affine, NativeLoader, _, _> as TranscriptReadBuffer<_, _, _>>::init(
                &mut reader,
            );
        verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
            params,
            vk,
            SingleStrategy::new(params),
            &[&[instances]],
            &mut transcript,
        )
    }));
    match outcome {
        Ok(Ok(())) if reader.is_empty() => Ok(()),
        Ok(Ok(())) => Err(rejected(format!("{} bytes follow the proof", reader.len()))),
        Ok(Err(e)) => Err(rejected(format!("{e:?}"))),
        Err(_) => Err(rejected("malformed proof bytes".into())),
    }
}

/// The accumulator's two points, from the limbs the root circuit exposes; limbs out of
/// range or coordinates off the curve are a rejection, not a panic.
fn decode_accumulator(limbs: &[F]) -> Result<KzgAccumulator<G1Affine, NativeLoader>> {
    let limbs: Vec<&F> = limbs.iter().collect();
    <LimbsEncoding<LIMBS, BITS> as AccumulatorEncoding<G1Affine, NativeLoader>>::from_repr(&limbs)
        .map_err(|_| {
            Error::rejected_bundle(
                "the aggregated proof does not verify: its accumulator is not a pair of curve points",
            )
        })
}

/// `e(lhs, g2) = e(rhs, s·g2)`: the deferred check of every partition proof below the root.
fn accumulator_holds(
    params: &ProverParams,
    accumulator: &KzgAccumulator<G1Affine, NativeLoader>,
) -> bool {
    let minus_s_g2 = G2Prepared::from(-params.s_g2());
    let g2 = G2Prepared::from(params.g2());
    Bn256::multi_miller_loop(&[(&accumulator.lhs, &g2), (&accumulator.rhs, &minus_s_g2)])
        .final_exponentiation()
        .is_identity()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node_circuit::ACCUMULATOR_LIMBS;
    use halo2_proofs::halo2curves::group::Curve;
    use halo2_proofs::poly::commitment::ParamsProver;
    use zkmr_core::halo2::srs;

    /// The SRS's own `s·g1` and `g1` form a valid accumulator; scaling one side breaks it.
    #[test]
    fn accumulator_check_accepts_exactly_the_pairing_relation() {
        let dir = tempfile::tempdir().unwrap();
        let params = srs::development(4, dir.path()).unwrap();
        let (g1, s_g1) = (params.get_g()[0], params.get_g()[1]);
        let valid = KzgAccumulator::<G1Affine, NativeLoader>::new(s_g1, g1);
        assert!(accumulator_holds(&params, &valid));
        let doubled = (g1 + g1).to_affine();
        let invalid = KzgAccumulator::<G1Affine, NativeLoader>::new(s_g1, doubled);
        assert!(!accumulator_holds(&params, &invalid));
        let swapped = KzgAccumulator::<G1Affine, NativeLoader>::new(g1, s_g1);
        assert!(!accumulator_holds(&params, &swapped));
    }

    #[test]
    fn limbs_off_the_curve_are_rejected() {
        let limbs = vec![F::from(5); ACCUMULATOR_LIMBS];
        let err = decode_accumulator(&limbs).unwrap_err().to_string();
        assert!(
            err.contains("accumulator is not a pair of curve points"),
            "{err}"
        );
    }
}
