//! Every byte of a verified artifact is bound: each single-byte change to a small bundle is
//! rejected by the real verifier, and each to a file of a key store stops proving before a
//! result comes out, under both schemes.
//!
//! A byte is changed twice: its lowest bit flipped (the smallest change, which keeps most
//! varints and ASCII well formed) and all its bits flipped.

use std::path::Path;
use std::sync::OnceLock;

use prost::Message;
use zkmr_core::device::Device;
use zkmr_core::fixed_point::FixedPoint;
use zkmr_core::job::JobRunner;
use zkmr_core::matrix::IntMatrix;
use zkmr_core::progress::Silent;
use zkmr_core::setup::SrsChoice;
use zkmr_core::setup::{commit, CommitOptions};
use zkmr_core::verify::verdict;
use zkmr_core::Scheme;
use zkmr_core::Vectors;

const FLIPS: [u8; 2] = [0x01, 0xff];

/// A 7×5 matrix in partitions of 4 rows (two partitions, the second short), one vector.
struct Small {
    _dir: tempfile::TempDir,
    keys: std::path::PathBuf,
    commitment: [u8; 32],
    x: Vectors,
}

fn dev_srs_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

fn small(scheme: Scheme) -> Small {
    let data: Vec<i64> = (0..35).map(|i| (i * 37 % 23) - 11).collect();
    let matrix = IntMatrix::new(7, 5, data).unwrap();
    let encoding = FixedPoint::new(0, 16).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let options = CommitOptions {
        scheme,
        rows_per_partition: 4,
        srs: zkmr_core::registry::scheme(scheme)
            .unwrap()
            .capabilities()
            .srs
            .then(|| SrsChoice::Development {
                cache_dir: dev_srs_dir().to_path_buf(),
            }),
        ..CommitOptions::default()
    };
    let committed = commit(&matrix, encoding, &options, &keys, &Silent).unwrap();
    Small {
        _dir: dir,
        keys,
        commitment: committed.commitment,
        x: Vectors::one(vec![3, -1, 4, 1, -5], encoding),
    }
}

fn bundle_flips_are_all_rejected(scheme: Scheme) {
    let job = small(scheme);
    let store = JobRunner::open_on(&job.keys, Device::Cpu).unwrap();
    let bytes = store.prove(&job.x, &Silent).unwrap().bundle.encode_to_vec();
    let (verified, line) = verdict(&bytes, &job.commitment, &Default::default());
    assert!(verified.is_some(), "the honest bundle verifies: {line}");

    let mut accepted = Vec::new();
    let mut tried = 0;
    for at in 0..bytes.len() {
        for flip in FLIPS {
            let mut changed = bytes.clone();
            changed[at] ^= flip;
            tried += 1;
            if verdict(&changed, &job.commitment, &Default::default())
                .0
                .is_some()
            {
                accepted.push((at, flip));
            }
        }
    }
    assert_eq!(tried, 2 * bytes.len());
    assert!(
        accepted.is_empty(),
        "{scheme}: {} of {tried} byte changes to a {}-byte bundle still verify, at \
         (offset, xor) {accepted:?}",
        accepted.len(),
        bytes.len()
    );
    eprintln!(
        "{scheme}: {tried} changes to a {}-byte bundle, all rejected",
        bytes.len()
    );
}

#[test]
fn every_byte_of_every_scheme_bundle_is_bound() {
    Scheme::ALL
        .into_iter()
        .for_each(bundle_flips_are_all_rejected);
}

/// Every file of the store, relative to it.
fn store_files(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for entry in walk(dir) {
        files.push(
            entry
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned(),
        );
    }
    files.sort();
    files
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flat_map(|e| {
            let path = e.unwrap().path();
            if path.is_dir() {
                walk(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

/// Offsets to change in a file of `len` bytes: every one in small files; in large ones (the
/// halo2 SRS copy) the first and last kilobytes and every 61st byte between.
fn offsets(len: usize) -> Vec<usize> {
    if len <= 16 * 1024 {
        return (0..len).collect();
    }
    (0..len)
        .filter(|&i| i < 1024 || i >= len - 1024 || i % 61 == 0)
        .collect()
}

fn store_flips_stop_proving(scheme: Scheme) {
    let job = small(scheme);
    let files = store_files(&job.keys);
    assert!(files.contains(&"manifest.json".to_string()), "{files:?}");
    let prove =
        || JobRunner::open_on(&job.keys, Device::Cpu).and_then(|s| s.prove(&job.x, &Silent));
    assert!(prove().is_ok(), "the honest store proves");

    let mut proved = Vec::new();
    let mut tried = 0;
    for name in &files {
        let path = job.keys.join(name);
        let original = std::fs::read(&path).unwrap();
        for at in offsets(original.len()) {
            for flip in FLIPS {
                let mut changed = original.clone();
                changed[at] ^= flip;
                std::fs::write(&path, &changed).unwrap();
                tried += 1;
                if prove().is_ok() {
                    proved.push((name.clone(), at, flip));
                }
            }
        }
        std::fs::write(&path, &original).unwrap();
    }
    assert!(prove().is_ok(), "the restored store proves");
    assert!(
        proved.is_empty(),
        "{scheme}: {} of {tried} byte changes to the store's files still prove, at (file, \
         offset, xor) {proved:?}",
        proved.len()
    );
    eprintln!(
        "{scheme}: {tried} changes to {} store files, none proved",
        files.len()
    );
}

#[test]
fn every_byte_of_every_scheme_store_is_checked_before_proving() {
    Scheme::ALL.into_iter().for_each(store_flips_stop_proving);
}
