//! Replays the fuzz targets' saved inputs through their bodies, in the workspace's ordinary
//! build: the seed corpus (`fuzz/corpus/<target>/`), every input that once crashed a target
//! (`fuzz/regressions/<target>/`) and, for each seed, `MUTANTS` mutations of it (flipped bits,
//! bytes set to boundary values, truncations, deleted, repeated and inserted runs) drawn from a
//! generator with a fixed seed, so that every run tries the same inputs and a failure repeats.
//!
//! A target passes an input by returning: rejecting it is the expected outcome. A panic fails
//! the test and names the input; a mutant that panicked is written under
//! `target/release/tmp/fuzz-replay/<target>/`, from where the fuzz binary replays it and
//! `fuzz/regressions/` can keep it. A mutant that aborts the process (a failed allocation, a
//! stack overflow) is left there as `last-input`. Exploring beyond these inputs is libFuzzer's
//! job (`scripts/fuzz.sh`).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use zkmr_fuzz::{Target, TARGETS};

/// Mutations tried per seed.
const MUTANTS: usize = 256;

/// Byte values at the edges of the integer types a length, count or tag is read as.
const BOUNDARY_BYTES: &[u8] = &[0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of `dir` as `(name, bytes)`, by name; none when it does not exist.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .map(|entry| {
            let path = entry.expect("listing a fuzz directory").path();
            let bytes =
                std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            let name = path.file_name().expect("a file name").to_string_lossy();
            (name.into_owned(), bytes)
        })
        .collect();
    files.sort();
    files
}

/// One to four edits of `seed`, as libFuzzer's simplest mutators make them.
fn mutate(seed: &[u8], rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut out = seed.to_vec();
    for _ in 0..rng.gen_range(1..=4) {
        let len = out.len();
        let at = if len == 0 { 0 } else { rng.gen_range(0..len) };
        let run = rng.gen_range(1..=16).min(len - at.min(len));
        match rng.gen_range(0..6) {
            0 if len > 0 => out[at] ^= 1 << rng.gen_range(0..8),
            1 if len > 0 => out[at] = *BOUNDARY_BYTES.choose(rng).expect("not empty"),
            2 if len > 0 => out.truncate(at),
            3 if len > 0 => drop(out.drain(at..at + run)),
            4 if len > 0 => {
                let copy = out[at..at + run].to_vec();
                let to = rng.gen_range(0..=len);
                out.splice(to..to, copy);
            }
            _ => {
                let bytes: Vec<u8> = (0..rng.gen_range(1..=8)).map(|_| rng.gen()).collect();
                out.splice(at..at, bytes);
            }
        }
    }
    out
}

/// Runs `target` on `input`; a panic comes back as its message.
fn run(target: &Target, input: &[u8]) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| (target.run)(input))).map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic without a message".into())
    })
}

#[test]
fn saved_inputs_and_their_mutants_pass_through_every_target() {
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-replay");
    let mut failures = Vec::new();
    for (index, target) in TARGETS.iter().enumerate() {
        let corpus = fuzz_dir().join("corpus").join(target.name);
        let seeds = files(&corpus);
        assert!(!seeds.is_empty(), "{} holds no seeds", corpus.display());
        let regressions = files(&fuzz_dir().join("regressions").join(target.name));
        for (dir, inputs) in [("corpus", &seeds), ("regressions", &regressions)] {
            for (name, input) in inputs {
                if let Err(panic) = run(target, input) {
                    failures.push(format!("fuzz/{dir}/{}/{name}: {panic}", target.name));
                }
            }
        }
        let mut rng = ChaCha8Rng::seed_from_u64(index as u64);
        let dir = kept.join(target.name);
        std::fs::create_dir_all(&dir).expect("creating the directory for failing mutants");
        let last = dir.join("last-input");
        for (name, seed) in &seeds {
            for k in 0..MUTANTS {
                let mutant = mutate(seed, &mut rng);
                std::fs::write(&last, &mutant).expect("keeping the mutant under test");
                if let Err(panic) = run(target, &mutant) {
                    let path = dir.join(format!("{name}-mutant-{k}"));
                    std::fs::write(&path, &mutant).expect("keeping a mutant");
                    failures.push(format!(
                        "{} (mutant {k} of fuzz/corpus/{}/{name}): {panic}",
                        path.display(),
                        target.name
                    ));
                }
            }
        }
        std::fs::remove_file(&last).expect("removing the last mutant");
        eprintln!(
            "{}: {} seeds, {} saved crash inputs, {} mutants",
            target.name,
            seeds.len(),
            regressions.len(),
            seeds.len() * MUTANTS
        );
    }
    let _ = std::fs::remove_dir_all(zkmr_fuzz::scratch_dir());
    assert!(
        failures.is_empty(),
        "{} inputs panicked a fuzz target:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
