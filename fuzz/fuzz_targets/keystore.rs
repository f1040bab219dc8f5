//! Key store files: the first byte picks a file of a small valid Pedersen or halo2 store
//! (manifest, matrix key, secret, partition files, SRS), the rest replaces it, and the store is
//! opened, proved from and checked as a prover and a reducer do (see `zkmr_fuzz::keystore`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| zkmr_fuzz::keystore::run(data));
