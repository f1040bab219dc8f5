//! One suite, run for every scheme the registry lists (`zkmr_core::registry::all()`), through
//! the interface the engines use: commit, prove, verify. A new scheme gets these tests by being
//! registered. Each test names the scheme that failed.
//!
//! What every scheme must show: completeness on random shapes (and batches, where it proves
//! them) against a plain integer product; rejection of every changed `y` and `x` entry, of
//! partitions swapped, duplicated or dropped, of another matrix's commitment and of a bundle
//! relabelled as another scheme's.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use zkmr_core::device::Device;
use zkmr_core::field::{pack_i128, unpack_i128};
use zkmr_core::fixed_point::FixedPoint;
use zkmr_core::job::JobRunner;
use zkmr_core::matrix::IntMatrix;
use zkmr_core::progress::Silent;
use zkmr_core::setup::{commit, CommitOptions, SrsChoice};
use zkmr_core::verify::verify;
use zkmr_core::{ProofScheme, Scheme, Vectors};

fn encoding() -> FixedPoint {
    FixedPoint::new(0, 16).unwrap()
}

fn random_matrix(rng: &mut ChaCha8Rng, rows: usize, cols: usize) -> IntMatrix {
    IntMatrix::new(
        rows,
        cols,
        (0..rows * cols).map(|_| rng.gen_range(-99..=99)).collect(),
    )
    .unwrap()
}

/// `A·x` for each vector, one block of rows per vector, as plain integers.
fn product(a: &IntMatrix, x: &Vectors) -> Vec<i128> {
    (0..x.count)
        .flat_map(|b| {
            let v = x.get(b, a.cols()).to_vec();
            (0..a.rows()).map(move |r| {
                a.row(r)
                    .iter()
                    .zip(&v)
                    .map(|(p, q)| *p as i128 * *q as i128)
                    .sum::<i128>()
            })
        })
        .collect()
}

/// A job proved under `scheme`: its matrix, store, commitment and bundle.
struct Job {
    matrix: IntMatrix,
    x: Vectors,
    commitment: [u8; 32],
    bundle: zkmr_proto::Bundle,
    _dir: tempfile::TempDir,
}

/// Commits a random `rows × cols` matrix in partitions of `per` rows under `scheme` and proves
/// it for `vectors` random vectors (one where the scheme proves no batches).
fn prove_job(
    scheme: &dyn ProofScheme,
    seed: u64,
    (rows, cols, per): (usize, usize, usize),
    vectors: usize,
) -> Job {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let matrix = random_matrix(&mut rng, rows, cols);
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let options = CommitOptions {
        scheme: scheme.id(),
        rows_per_partition: per,
        srs: scheme.capabilities().srs.then(dev_srs),
        ..CommitOptions::default()
    };
    let committed = commit(&matrix, encoding(), &options, &keys, &Silent)
        .unwrap_or_else(|e| panic!("{}: commit: {e}", scheme.id()));
    let count = if scheme.capabilities().batches {
        vectors
    } else {
        1
    };
    let x = Vectors {
        values: (0..count * cols).map(|_| rng.gen_range(-50..=50)).collect(),
        count,
        encoding: encoding(),
    };
    let runner = JobRunner::open_on(&keys, Device::Cpu).unwrap();
    let bundle = runner
        .prove(&x, &Silent)
        .unwrap_or_else(|e| panic!("{}: prove: {e}", scheme.id()))
        .bundle;
    Job {
        matrix,
        x,
        commitment: committed.commitment,
        bundle,
        _dir: dir,
    }
}

fn dev_srs() -> SrsChoice {
    SrsChoice::Development {
        cache_dir: zkmr_core::setup::default_cache_dir(),
    }
}

fn small(scheme: &dyn ProofScheme) -> Job {
    prove_job(scheme, 7, (11, 4, 4), 3)
}

/// Asserts that `bundle` is rejected for `commitment`, saying `what` was changed.
fn rejected(scheme: Scheme, bundle: &zkmr_proto::Bundle, commitment: &[u8; 32], what: &str) {
    if let Ok(v) = verify(bundle, commitment) {
        panic!("{scheme}: {what}: accepted, y {:?}", v.y);
    }
}

#[test]
fn every_scheme_proves_random_shapes_against_the_plain_product() {
    for scheme in zkmr_core::registry::all() {
        for (seed, shape, vectors) in [
            (1, (1, 1, 1), 1),
            (2, (7, 3, 2), 2),
            (3, (13, 5, 4), 4),
            (4, (9, 9, 9), 1),
        ] {
            let job = prove_job(scheme, seed, shape, vectors);
            let v = verify(&job.bundle, &job.commitment)
                .unwrap_or_else(|e| panic!("{}: {shape:?}: {e}", scheme.id()));
            assert_eq!(v.scheme, scheme.id());
            assert_eq!(
                v.y,
                product(&job.matrix, &job.x),
                "{}: {shape:?}",
                scheme.id()
            );
            assert_eq!(v.x, job.x.values);
            assert_eq!(v.vectors, job.x.count);
            assert_eq!(v.partitions, shape.0.div_ceil(shape.2));
        }
    }
}

#[test]
fn every_scheme_rejects_each_changed_y_entry() {
    for scheme in zkmr_core::registry::all() {
        let job = small(scheme);
        for p in 0..job.bundle.partitions.len() {
            let y = unpack_i128(&job.bundle.partitions[p].y, "y").unwrap();
            for j in 0..y.len() {
                let mut changed = y.clone();
                changed[j] += 1;
                let mut bundle = job.bundle.clone();
                bundle.partitions[p].y = pack_i128(&changed);
                rejected(
                    scheme.id(),
                    &bundle,
                    &job.commitment,
                    &format!("partition {p} y[{j}]"),
                );
            }
        }
    }
}

#[test]
fn every_scheme_rejects_each_changed_x_entry() {
    for scheme in zkmr_core::registry::all() {
        let job = small(scheme);
        for j in 0..job.bundle.x.len() {
            let mut bundle = job.bundle.clone();
            bundle.x[j] += 1;
            rejected(scheme.id(), &bundle, &job.commitment, &format!("x[{j}]"));
        }
    }
}

#[test]
fn every_scheme_rejects_partitions_swapped_duplicated_or_dropped() {
    for scheme in zkmr_core::registry::all() {
        let job = small(scheme);
        let id = scheme.id();
        let mut swapped = job.bundle.clone();
        swapped.partitions.swap(0, 1);
        rejected(id, &swapped, &job.commitment, "partitions 0 and 1 swapped");
        let mut duplicated = job.bundle.clone();
        duplicated.partitions[1] = duplicated.partitions[0].clone();
        rejected(id, &duplicated, &job.commitment, "partition 0 twice");
        let mut dropped = job.bundle.clone();
        dropped.partitions.pop();
        rejected(id, &dropped, &job.commitment, "last partition dropped");
    }
}

#[test]
fn every_scheme_rejects_another_matrix_commitment() {
    for scheme in zkmr_core::registry::all() {
        let job = small(scheme);
        let other = prove_job(scheme, 8, (11, 4, 4), 1);
        rejected(
            scheme.id(),
            &job.bundle,
            &other.commitment,
            "another matrix's commitment",
        );
    }
}

#[test]
fn every_scheme_rejects_its_bundle_relabelled_as_another_scheme() {
    for scheme in zkmr_core::registry::all() {
        let job = small(scheme);
        for other in Scheme::ALL.into_iter().filter(|s| *s != scheme.id()) {
            let mut bundle = job.bundle.clone();
            bundle.scheme = other.to_proto();
            rejected(
                scheme.id(),
                &bundle,
                &job.commitment,
                &format!("relabelled {other}"),
            );
        }
    }
}

#[test]
fn every_registered_scheme_is_the_one_its_name_finds() {
    for id in Scheme::ALL {
        let scheme = zkmr_core::registry::scheme(id).unwrap();
        assert_eq!(scheme.id(), id);
        assert_eq!(id.name().parse::<Scheme>().unwrap(), id);
        assert_eq!(Scheme::from_proto(id.to_proto(), "test").unwrap(), id);
    }
}
