//! Bundle bytes, as `zkmr verify` and zkVerify receive them from anyone: decoded, then verified
//! against a commitment the bundle does not hold (the common rejection) and against the one it
//! claims, which gets mutated proofs, outputs and roots past the header checks into the
//! Pedersen homomorphic check and the halo2 proof verifier.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(bundle) = zkmr_core::bundle::decode(data, "fuzz") else {
        return;
    };
    let _ = zkmr_core::verify::verify(&bundle, &[0x5a; 32]);
    if let Ok(claimed) = <[u8; 32]>::try_from(bundle.matrix_commitment.as_slice()) {
        let _ = zkmr_core::verify::verify(&bundle, &claimed);
    }
});
