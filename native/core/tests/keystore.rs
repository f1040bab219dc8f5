//! Key stores under concurrent and careless use: two commits into one directory, readers
//! during a replacement, and `replace` pointed at a directory of someone else's files.

use std::path::Path;
use std::sync::{Arc, Barrier};

use zkmr_core::device::Device;
use zkmr_core::fixed_point::FixedPoint;
use zkmr_core::job::JobRunner;
use zkmr_core::matrix::IntMatrix;
use zkmr_core::progress::Silent;
use zkmr_core::setup::{commit, CommitOptions, MatrixCommitted};
use zkmr_core::Error;
use zkmr_core::Vectors;

fn encoding() -> FixedPoint {
    FixedPoint::new(0, 16).unwrap()
}

fn matrix(seed: i64) -> IntMatrix {
    let data = (0..40 * 6).map(|i| (i * 7 + seed) % 19 - 9).collect();
    IntMatrix::new(40, 6, data).unwrap()
}

fn commit_into(dest: &Path, seed: i64, replace: bool) -> zkmr_core::Result<MatrixCommitted> {
    let options = CommitOptions {
        rows_per_partition: 8,
        replace,
        ..CommitOptions::default()
    };
    commit(&matrix(seed), encoding(), &options, dest, &Silent)
}

/// Opens the store at `dest` and proves `y = A·x`, returning its commitment and `y`.
fn prove(dest: &Path) -> zkmr_core::Result<([u8; 32], Vec<i128>)> {
    let store = JobRunner::open_on(dest, Device::Cpu)?;
    let proved = store.prove(&Vectors::one(vec![1, 2, 3, -1, 0, 5], encoding()), &Silent)?;
    Ok((store.commitment()?, proved.y))
}

#[test]
fn of_two_commits_into_one_directory_one_wins_and_the_store_is_whole() {
    for round in 0..4 {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("keys");
        let barrier = Arc::new(Barrier::new(2));
        let results: Vec<_> = (0..2)
            .map(|seed| {
                let (dest, barrier) = (dest.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    commit_into(&dest, seed, false)
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect();
        let won: Vec<&MatrixCommitted> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(won.len(), 1, "round {round}: exactly one commit wins");
        let lost = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert!(
            matches!(lost, Error::Usage(_)) && lost.to_string().contains(&*dest.to_string_lossy()),
            "round {round}: the other fails naming the directory: {lost}"
        );
        let (commitment, y) = prove(&dest).unwrap();
        assert_eq!(commitment, won[0].commitment, "round {round}");
        assert_eq!(y.len(), 40);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            leftovers,
            vec![std::ffi::OsString::from("keys")],
            "round {round}"
        );
    }
}

#[test]
fn readers_see_the_old_store_or_the_new_one_never_half_of_either() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("keys");
    let commitments: Vec<[u8; 32]> = vec![commit_into(&dest, 0, false).unwrap().commitment];
    let writer = {
        let dest = dest.clone();
        std::thread::spawn(move || {
            (1..6)
                .map(|seed| commit_into(&dest, seed, true).unwrap().commitment)
                .collect::<Vec<_>>()
        })
    };
    let mut seen = Vec::new();
    while !writer.is_finished() {
        match prove(&dest) {
            Ok((commitment, _)) => seen.push(commitment),
            // Between moving the old store aside and the new one in, there is no store.
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {}
            Err(Error::Usage(m)) if m.contains("not a key store") => {}
            // A reader that opened the old manifest and then meets a file of the new store
            // refuses it (its digest is not the one listed) and says the store was replaced.
            Err(Error::Usage(m)) if m.contains("was replaced while it was being read") => {}
            Err(other) => panic!("a reader saw a broken store: {other}"),
        }
    }
    let commitments: Vec<[u8; 32]> = commitments
        .into_iter()
        .chain(writer.join().unwrap())
        .collect();
    assert!(seen.iter().all(|c| commitments.contains(c)));
    assert_eq!(prove(&dest).unwrap().0, *commitments.last().unwrap());
}

#[test]
fn replace_touches_only_a_key_store() {
    let dir = tempfile::tempdir().unwrap();
    let precious = dir.path().join("work");
    std::fs::create_dir(&precious).unwrap();
    std::fs::write(precious.join("thesis.tex"), b"years of work").unwrap();
    let err = commit_into(&precious, 0, true).unwrap_err();
    assert!(err.to_string().contains("not a key store"), "{err}");
    assert_eq!(
        std::fs::read(precious.join("thesis.tex")).unwrap(),
        b"years of work"
    );
    // A file where the store should go is refused too, and kept.
    let file = dir.path().join("file");
    std::fs::write(&file, b"data").unwrap();
    assert!(commit_into(&file, 0, true).is_err());
    assert_eq!(std::fs::read(&file).unwrap(), b"data");
    // A key store is replaced, and a failed replacement leaves the old one.
    let keys = dir.path().join("keys");
    let first = commit_into(&keys, 0, false).unwrap().commitment;
    let err = commit_into(&keys, 1, false).unwrap_err();
    assert!(err.to_string().contains("only when asked to"), "{err}");
    assert_eq!(prove(&keys).unwrap().0, first);
    let second = commit_into(&keys, 1, true).unwrap().commitment;
    assert_ne!(first, second);
    assert_eq!(prove(&keys).unwrap().0, second);
}

/// The manifest records the largest row L1 norm as a float; it must read back as the same
/// float, or the manifest no longer matches its checksum. 3651.5494416579604 is one that a
/// parser rounding only approximately reads back one unit off.
#[test]
fn a_store_whose_row_norm_is_a_hard_float_opens_again() {
    let dir = tempfile::tempdir().unwrap();
    let encoding = FixedPoint::new(28, 42).unwrap();
    let matrix = IntMatrix::new(1, 1, vec![980_205_339_478]).unwrap();
    let done = commit(
        &matrix,
        encoding,
        &CommitOptions::default(),
        &dir.path().join("k"),
        &Silent,
    )
    .unwrap();
    assert_eq!(done.store.manifest.rounding.max_row_l1, 3651.5494416579604);
    let store = JobRunner::open_on(&dir.path().join("k"), Device::Cpu).unwrap();
    assert_eq!(store.store.manifest.rounding.max_row_l1, 3651.5494416579604);
}
