//! Proofs as anyone can send them: job bundles and chain proofs.

use zkmr_core::chain::spec::ChainSpec;

/// Bundle bytes, as `zkmr verify` and zkVerify receive them from anyone: decoded, then verified
/// against a commitment the bundle does not hold (the common rejection) and against the one it
/// claims, which gets mutated proofs, outputs and roots past the header checks into the
/// Pedersen homomorphic check and the halo2 proof verifier.
pub fn bundle(data: &[u8]) {
    let Ok(bundle) = zkmr_core::bundle::decode(data, "fuzz") else {
        return;
    };
    let _ = zkmr_core::verify::verify(&bundle, &[0x5a; 32]);
    if let Ok(claimed) = <[u8; 32]>::try_from(bundle.matrix_commitment.as_slice()) {
        let _ = zkmr_core::verify::verify(&bundle, &claimed);
    }
}

/// Chain proof bytes, as `zkmr chain verify` receives them from anyone: decoded, then verified
/// against the spec they carry (which reaches past the spec comparison into every step's
/// bundle check and the step functions between them).
pub fn chain(data: &[u8]) {
    let Ok(proof) = zkmr_core::chain::verify::decode(data, "fuzz") else {
        return;
    };
    if let Ok(spec) = ChainSpec::from_json(&proof.spec, "fuzz") {
        let _ = zkmr_core::chain::verify::verify(&proof, &spec);
    }
}
