//! The keystore target: its body is `zkmr_fuzz::keystore::run` (native/fuzz), which the workspace's tests
//! also replay the seeds and saved crash inputs through.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| zkmr_fuzz::keystore::run(data));
