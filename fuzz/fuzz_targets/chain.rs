//! Chain proof bytes, as `zkmr chain verify` receives them from anyone: decoded, then verified
//! against the spec they carry (which reaches past the spec comparison into every step's bundle
//! check and the step functions between them).
#![no_main]

use libfuzzer_sys::fuzz_target;
use zkmr_core::chain::spec::ChainSpec;
use zkmr_core::chain::verify;

fuzz_target!(|data: &[u8]| {
    let Ok(proof) = verify::decode(data, "fuzz") else {
        return;
    };
    if let Ok(spec) = ChainSpec::from_json(&proof.spec, "fuzz") {
        let _ = verify::verify(&proof, &spec);
    }
});
