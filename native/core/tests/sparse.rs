//! Sparse matrices through the real prover and verifier: products against a plain loop over
//! the coordinate entries, the same commitment semantics as a dense store, and bad entries
//! named.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use zkmr_core::field::{pack_i128, unpack_i128};
use zkmr_core::fixed_point::{FixedPoint, Number};
use zkmr_core::job::JobRunner;
use zkmr_core::matrix::IntMatrix;
use zkmr_core::progress::Silent;
use zkmr_core::setup::{commit, commit_sparse, CommitOptions};
use zkmr_core::sparse::{Block, Entry, SparseMatrix};
use zkmr_core::verify::verify;
use zkmr_core::Vectors;
use zkmr_core::{Error, Scheme};

fn encoding() -> FixedPoint {
    FixedPoint::new(0, 32).unwrap()
}

/// `count` distinct random positions of a `rows × cols` matrix with values in ±1000 (some
/// zero), in random order.
fn entries(rows: u64, cols: u64, count: usize, rng: &mut ChaCha8Rng) -> Vec<Entry> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    while out.len() < count {
        let (i, j) = (rng.gen_range(0..rows), rng.gen_range(0..cols));
        if seen.insert((i, j)) {
            out.push((i, j, Number::Int(rng.gen_range(-1000..=1000))));
        }
    }
    out
}

/// `A x` by a plain loop over the coordinate entries: the independent reference.
fn reference(rows: usize, entries: &[Entry], x: &[i64]) -> Vec<i128> {
    let mut y = vec![0i128; rows];
    for (i, j, v) in entries {
        let Number::Int(v) = v else { unreachable!() };
        y[*i as usize] += *v as i128 * x[*j as usize] as i128;
    }
    y
}

fn options(per: usize) -> CommitOptions {
    CommitOptions {
        rows_per_partition: per,
        ..CommitOptions::default()
    }
}

#[test]
fn sparse_products_verify_and_equal_the_plain_loop() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for (rows, cols, nnz, per, vectors) in
        [(40, 30, 90, 7, 1), (25, 60, 200, 25, 3), (9, 9, 1, 2, 2)]
    {
        let e = entries(rows, cols, nnz, &mut rng);
        let matrix = SparseMatrix::encode(rows, cols, &e, encoding()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let done = commit_sparse(
            &matrix,
            encoding(),
            &options(per),
            &dir.path().join("k"),
            &Silent,
        )
        .unwrap();
        let store = JobRunner::open(&dir.path().join("k")).unwrap();
        let xs: Vec<i64> = (0..vectors * cols as usize)
            .map(|_| rng.gen_range(-500..500))
            .collect();
        let x = Vectors {
            values: xs.clone(),
            count: vectors,
            encoding: encoding(),
        };
        let proved = store.prove(&x, &Silent).unwrap();
        let verified = verify(&proved.bundle, &done.commitment).unwrap();
        for b in 0..vectors {
            let expect = reference(
                rows as usize,
                &e,
                &xs[b * cols as usize..(b + 1) * cols as usize],
            );
            assert_eq!(
                &verified.y[b * rows as usize..(b + 1) * rows as usize],
                expect.as_slice(),
                "{rows}x{cols}, vector {b}"
            );
        }
        // A changed output fails through the real verifier.
        let mut bad = proved.bundle.clone();
        let mut y = unpack_i128(&bad.partitions[0].y, "y").unwrap();
        y[0] += 1;
        bad.partitions[0].y = pack_i128(&y);
        assert!(matches!(
            verify(&bad, &done.commitment),
            Err(Error::Rejected { .. })
        ));
    }
}

#[test]
fn a_sparse_store_commits_to_the_same_matrix_as_a_dense_one() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let (rows, cols) = (12u64, 10u64);
    let e = entries(rows, cols, 40, &mut rng);
    let sparse = SparseMatrix::encode(rows, cols, &e, encoding()).unwrap();
    let mut dense = vec![0i64; (rows * cols) as usize];
    for (i, j, v) in &e {
        let Number::Int(v) = v else { unreachable!() };
        dense[(*i * cols + *j) as usize] = *v;
    }
    let dense = IntMatrix::new(rows as usize, cols as usize, dense).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let s = commit_sparse(
        &sparse,
        encoding(),
        &options(5),
        &dir.path().join("s"),
        &Silent,
    )
    .unwrap();
    let d = commit(
        &dense,
        encoding(),
        &options(5),
        &dir.path().join("d"),
        &Silent,
    )
    .unwrap();
    let x = Vectors::one((0..cols as i64).map(|j| j * 3 - 7).collect(), encoding());
    let from_sparse = JobRunner::open(&dir.path().join("s"))
        .unwrap()
        .prove(&x, &Silent)
        .unwrap();
    let from_dense = JobRunner::open(&dir.path().join("d"))
        .unwrap()
        .prove(&x, &Silent)
        .unwrap();
    assert_eq!(from_sparse.y, from_dense.y);
    assert_eq!(from_sparse.y, dense.mul_vec(&x.values));
    // Each store's bundle verifies against its own commitment only (the blindings differ).
    verify(&from_sparse.bundle, &s.commitment).unwrap();
    assert!(verify(&from_sparse.bundle, &d.commitment).is_err());
    // The stored sparse partition is the dense block, entry for entry.
    let store = JobRunner::open(&dir.path().join("s")).unwrap();
    let block = store.prover().block(1).unwrap();
    assert!(matches!(*block, Block::Sparse(_)));
    let rows = Block::Dense(dense.block(5..10).to_vec());
    assert_eq!(block.first_difference(&rows, 5, cols as usize), None);
    let mut changed = dense.block(5..10).to_vec();
    changed[2 * cols as usize + 3] += 1;
    assert_eq!(
        block.first_difference(&Block::Dense(changed), 5, cols as usize),
        Some((2, 3))
    );
}

/// A 65536 × 65536 matrix would take 32 GiB dense; with 2,000 non-zeros its store is small and
/// its product exact.
#[test]
fn a_huge_sparse_matrix_commits_in_the_space_of_its_nonzeros() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let n = 1u64 << 16;
    let e = entries(n, n, 2000, &mut rng);
    let matrix = SparseMatrix::encode(n, n, &e, encoding()).unwrap();
    assert!(matrix.nonzeros() <= 2000);
    let dir = tempfile::tempdir().unwrap();
    let done = commit_sparse(
        &matrix,
        encoding(),
        &options(1 << 15),
        &dir.path().join("k"),
        &Silent,
    )
    .unwrap();
    let partition_bytes: u64 = std::fs::read_dir(dir.path().join("k/partitions"))
        .unwrap()
        .map(|f| f.unwrap().metadata().unwrap().len())
        .sum();
    // Two partitions of 65,536 column commitments (64 bytes each), the row offsets and the
    // entries: nothing per zero entry.
    assert!(partition_bytes < 2 * (n * 64 + (n / 2 + 1) * 8) + 2000 * 8 + 4096);
    let x: Vec<i64> = (0..n as i64).map(|j| j % 17 - 8).collect();
    let proved = JobRunner::open(&dir.path().join("k"))
        .unwrap()
        .prove(&Vectors::one(x.clone(), encoding()), &Silent)
        .unwrap();
    assert_eq!(
        verify(&proved.bundle, &done.commitment).unwrap().y,
        reference(n as usize, &e, &x)
    );
}

#[test]
fn bad_entries_are_named() {
    let int = Number::Int;
    let err = |rows, cols, e: &[Entry]| {
        SparseMatrix::encode(rows, cols, e, encoding())
            .unwrap_err()
            .to_string()
    };
    let msg = err(3, 3, &[(0, 0, int(1)), (2, 1, int(2)), (0, 0, int(3))]);
    assert!(
        msg.contains("entries 0 and 2 both give row 0, column 0"),
        "{msg}"
    );
    let msg = err(3, 3, &[(0, 0, int(1)), (1, 3, int(2))]);
    assert!(
        msg.contains("entry 1: row 1, column 3 is outside the 3x3 matrix"),
        "{msg}"
    );
    let msg = err(3, 3, &[(2, 2, Number::Float(f64::NAN))]);
    assert!(
        msg.contains("entry 0 (row 2, column 2)") && msg.contains("NaN"),
        "{msg}"
    );
    let msg = err(0, 3, &[]);
    assert!(msg.contains("at least one row"), "{msg}");
    // halo2 stores hold every entry: a coordinate matrix is refused, naming the scheme.
    let matrix = SparseMatrix::encode(2, 2, &[(0, 1, int(5))], encoding()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let halo2 = CommitOptions {
        scheme: Scheme::Halo2,
        ..options(1)
    };
    let msg = commit_sparse(&matrix, encoding(), &halo2, &dir.path().join("k"), &Silent)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("pedersen scheme only"), "{msg}");
    assert!(!dir.path().join("k").exists());
}

#[test]
fn empty_rows_and_partitions_prove_zero() {
    // Rows 0..4 hold nothing; partition 0 is empty.
    let e = [(5u64, 1u64, Number::Int(4)), (6, 0, Number::Int(-2))];
    let matrix = SparseMatrix::encode(7, 2, &e, encoding()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let done = commit_sparse(
        &matrix,
        encoding(),
        &options(3),
        &dir.path().join("k"),
        &Silent,
    )
    .unwrap();
    let proved = JobRunner::open(&dir.path().join("k"))
        .unwrap()
        .prove(&Vectors::one(vec![10, 100], encoding()), &Silent)
        .unwrap();
    assert_eq!(
        verify(&proved.bundle, &done.commitment).unwrap().y,
        vec![0, 0, 0, 0, 0, 400, -20]
    );
}

/// The engines' map side: each task hands over its partition's entries (in any order), the
/// reducer combines the results, and `y` is the plain loop's.
#[test]
fn tasks_prove_partitions_from_their_entries() {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let (rows, cols, per) = (30u64, 20u64, 8u64);
    let e = entries(rows, cols, 150, &mut rng);
    let matrix = SparseMatrix::encode(rows, cols, &e, encoding()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let done = commit_sparse(
        &matrix,
        encoding(),
        &options(per as usize),
        &dir.path().join("k"),
        &Silent,
    )
    .unwrap();
    let store = JobRunner::open(&dir.path().join("k")).unwrap();
    let x = Vectors::one((0..cols as i64).map(|j| 2 * j - 19).collect(), encoding());
    let part = |p: u64| -> Vec<Entry> {
        e.iter()
            .rev()
            .filter(|(i, _, _)| i / per == p)
            .copied()
            .collect()
    };
    let results = (0..rows.div_ceil(per))
        .map(|p| {
            let (index, block) = store.entries_of(part(p)).unwrap();
            assert_eq!(index as u64, p);
            store.prove_block(index, &block, &x).unwrap()
        })
        .collect();
    let committed = store.reduce(&x, results).unwrap();
    assert_eq!(
        committed.verified.y,
        reference(rows as usize, &e, &x.values)
    );
    verify(&committed.bundle, &done.commitment).unwrap();

    // A changed entry is named by its row and column; so is one given to the wrong task.
    let mut changed = part(1);
    changed[0].2 = match changed[0].2 {
        Number::Int(v) => Number::Int(v + 1),
        other => other,
    };
    let (row, col) = (changed[0].0, changed[0].1);
    let (index, block) = store.entries_of(changed).unwrap();
    let msg = store
        .prove_block(index, &block, &x)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains(&format!("row {row}, column {col}: the value differs")),
        "{msg}"
    );
    let mut mixed = part(0);
    mixed.push(part(2)[0]);
    let msg = store.entries_of(mixed).unwrap_err().to_string();
    assert!(msg.contains("belong to partitions 0 and 2"), "{msg}");
    let msg = store
        .entries_of(vec![(3, cols, Number::Int(1))])
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains(&format!("row 3, column {cols} is outside")),
        "{msg}"
    );
}
