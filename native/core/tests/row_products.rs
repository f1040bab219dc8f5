//! Jobs without a shuffle: tasks multiply whichever rows they hold and the reducer proves the
//! job from their products. The bundle and job root are those of proving in one process, `y` is
//! the plain integer product, and every way a task can be wrong (a row, a product, its `x`, a row
//! missing or twice) is refused, naming where.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use zkmr_core::device::Device;
use zkmr_core::field::{pack_i128, unpack_i128};
use zkmr_core::fixed_point::{FixedPoint, Number};
use zkmr_core::job::JobRunner;
use zkmr_core::matrix::IntMatrix;
use zkmr_core::progress::Silent;
use zkmr_core::setup::{commit, commit_sparse, CommitOptions, SrsChoice};
use zkmr_core::sparse::SparseMatrix;
use zkmr_core::verify::verify;
use zkmr_core::{Scheme, Vectors};
use zkmr_proto::RowProducts;

const ROWS: usize = 45;
const COLS: usize = 7;
const PER: usize = 8;

fn encoding() -> FixedPoint {
    FixedPoint::new(0, 16).unwrap()
}

struct Job {
    values: Vec<i64>,
    runner: JobRunner,
    commitment: [u8; 32],
    _dir: tempfile::TempDir,
}

/// A random `ROWS × COLS` matrix committed in partitions of `PER` rows under `scheme`; every
/// third entry is zero, and `sparse` commits it from its non-zero entries.
fn job(scheme: Scheme, sparse: bool) -> Job {
    let mut rng = ChaCha8Rng::seed_from_u64(27);
    let values: Vec<i64> = (0..ROWS * COLS)
        .map(|k| {
            if k % 3 == 0 {
                0
            } else {
                rng.gen_range(-99..=99)
            }
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let options = CommitOptions {
        scheme,
        rows_per_partition: PER,
        srs: zkmr_core::registry::scheme(scheme)
            .unwrap()
            .capabilities()
            .srs
            .then(|| SrsChoice::Development {
                cache_dir: zkmr_core::setup::default_cache_dir(),
            }),
        ..CommitOptions::default()
    };
    let committed = if sparse {
        let entries: Vec<_> = values
            .iter()
            .enumerate()
            .filter(|(_, v)| **v != 0)
            .map(|(k, v)| ((k / COLS) as u64, (k % COLS) as u64, Number::Int(*v)))
            .collect();
        let matrix = SparseMatrix::encode(ROWS as u64, COLS as u64, &entries, encoding()).unwrap();
        commit_sparse(&matrix, encoding(), &options, &keys, &Silent).unwrap()
    } else {
        let matrix = IntMatrix::new(ROWS, COLS, values.clone()).unwrap();
        commit(&matrix, encoding(), &options, &keys, &Silent).unwrap()
    };
    Job {
        values,
        runner: JobRunner::open_on(&keys, Device::Cpu).unwrap(),
        commitment: committed.commitment,
        _dir: dir,
    }
}

fn vectors(count: usize, seed: u64) -> Vectors {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Vectors {
        values: (0..count * COLS).map(|_| rng.gen_range(-50..=50)).collect(),
        count,
        encoding: encoding(),
    }
}

fn row(job: &Job, i: usize) -> (u64, Vec<Number>) {
    let values = job.values[i * COLS..(i + 1) * COLS].iter();
    (i as u64, values.map(|v| Number::Int(*v)).collect())
}

/// Every row, shuffled and dealt to `tasks` tasks, as an engine's input splits would hold them
/// (rows of one partition in several tasks, several partitions in one task).
fn dealt(job: &Job, tasks: usize) -> Vec<Vec<(u64, Vec<Number>)>> {
    let mut order: Vec<usize> = (0..ROWS).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(3));
    let mut out = vec![Vec::new(); tasks];
    for (k, i) in order.into_iter().enumerate() {
        out[k % tasks].push(row(job, i));
    }
    out
}

fn multiply_all(job: &Job, x: &Vectors, tasks: usize) -> Vec<RowProducts> {
    dealt(job, tasks)
        .into_iter()
        .map(|rows| job.runner.multiply_rows(rows, x).unwrap())
        .collect()
}

/// `Y = A X` by plain integer arithmetic, one block of all rows per vector.
fn plain(job: &Job, x: &Vectors) -> Vec<i128> {
    (0..x.count)
        .flat_map(|v| {
            (0..ROWS).map(move |i| {
                (0..COLS)
                    .map(|j| job.values[i * COLS + j] as i128 * x.values[v * COLS + j] as i128)
                    .sum()
            })
        })
        .collect()
}

#[test]
fn products_from_any_split_prove_the_job_proving_in_one_process_proves() {
    for sparse in [false, true] {
        let job = job(Scheme::Pedersen, sparse);
        for count in [1, 3] {
            let x = vectors(count, 5 + count as u64);
            let reduced = job
                .runner
                .reduce_products(&x, multiply_all(&job, &x, 3))
                .unwrap();
            assert_eq!(
                reduced.verified.y,
                plain(&job, &x),
                "sparse {sparse}, {count}"
            );
            let whole = job.runner.prove(&x, &Silent).unwrap();
            assert_eq!(reduced.verified.job_root, whole.job_root);
            let verified = verify(&reduced.bundle, &job.commitment).unwrap();
            assert_eq!(verified.x, x.values);
            assert_eq!(verified.y, plain(&job, &x));
        }
    }
}

#[test]
fn a_task_row_that_differs_from_the_committed_matrix_is_named() {
    for sparse in [false, true] {
        let job = job(Scheme::Pedersen, sparse);
        let x = vectors(1, 9);
        // Column 0 of row 12 is zero (12 * COLS is a multiple of 3): a sparse store keeps no
        // entry there, and the task's non-zero must still be caught.
        for column in [0usize, 4] {
            let (i, mut values) = row(&job, 12);
            values[column] = Number::Int(1000);
            let err = job
                .runner
                .multiply_rows(vec![row(&job, 3), (i, values)], &x)
                .unwrap_err();
            assert!(
                err.to_string()
                    .contains(&format!("row 12, column {column}: the value differs")),
                "sparse {sparse}"
            );
        }
    }
}

#[test]
fn a_wrong_product_is_rejected_naming_its_partition() {
    let job = job(Scheme::Pedersen, false);
    let x = vectors(2, 11);
    let mut pieces = multiply_all(&job, &x, 3);
    let n = pieces[1].rows.len();
    let mut y = unpack_i128(&pieces[1].y, "y").unwrap();
    // The second vector's product of the task's fourth row.
    y[n + 3] += 1;
    pieces[1].y = pack_i128(&y);
    let partition = pieces[1].rows[3] as usize / PER;
    let err = job.runner.reduce_products(&x, pieces).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("rejected: partition {partition}: its y block")),
        "names partition {partition}"
    );
}

#[test]
fn a_task_that_multiplied_another_x_is_named_and_the_job_keeps_the_drivers_x() {
    let job = job(Scheme::Pedersen, false);
    let (x, other) = (vectors(1, 13), vectors(1, 14));
    let mut pieces = multiply_all(&job, &x, 3);
    pieces[2] = job
        .runner
        .multiply_rows(dealt(&job, 3).remove(2), &other)
        .unwrap();
    let first = pieces[2].rows[0];
    let err = job
        .runner
        .reduce_products(&x, pieces)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!(
            "the task that multiplied rows {first}.. used another x"
        )),
        "{err}"
    );
    // Every task agreeing on another x does not make it the job's.
    let all_other = multiply_all(&job, &other, 2);
    assert!(job.runner.reduce_products(&x, all_other).is_err());
}

#[test]
fn a_row_missing_twice_or_outside_the_matrix_is_named() {
    let job = job(Scheme::Pedersen, false);
    let x = vectors(1, 15);
    let mut tasks = dealt(&job, 2);
    let dropped = tasks[0].pop().unwrap().0;
    let pieces: Vec<_> = tasks
        .iter()
        .map(|rows| job.runner.multiply_rows(rows.clone(), &x).unwrap())
        .collect();
    let err = job
        .runner
        .reduce_products(&x, pieces)
        .unwrap_err()
        .to_string();
    assert!(err.contains(&format!("row {dropped} is missing")), "{err}");

    let mut pieces = multiply_all(&job, &x, 2);
    pieces.push(job.runner.multiply_rows(vec![row(&job, 7)], &x).unwrap());
    let err = job
        .runner
        .reduce_products(&x, pieces)
        .unwrap_err()
        .to_string();
    assert!(err.contains("row 7 appears twice"), "{err}");

    let outside = (ROWS as u64, vec![Number::Int(1); COLS]);
    let err = job
        .runner
        .multiply_rows(vec![outside], &x)
        .unwrap_err()
        .to_string();
    assert!(err.contains(&format!("row {ROWS} is outside")), "{err}");
}

#[test]
fn a_scheme_that_proves_whole_partitions_refuses_row_products() {
    let job = job(Scheme::Halo2, false);
    assert!(!job.runner.row_products());
    let err = job
        .runner
        .multiply_rows(vec![row(&job, 0)], &vectors(1, 1))
        .unwrap_err()
        .to_string();
    assert!(err.contains("proves whole partitions"), "{err}");
}

/// The matrix's non-zero entries (or, with `zeros`, every entry), shuffled and dealt to `tasks`
/// tasks: a row's entries end up in several tasks, as an edge list's input splits hold them.
fn dealt_entries(job: &Job, tasks: usize, zeros: bool) -> Vec<Vec<(u64, u64, Number)>> {
    let mut entries: Vec<_> = job
        .values
        .iter()
        .enumerate()
        .filter(|(_, v)| zeros || **v != 0)
        .map(|(k, v)| ((k / COLS) as u64, (k % COLS) as u64, Number::Int(*v)))
        .collect();
    entries.shuffle(&mut ChaCha8Rng::seed_from_u64(4));
    let mut out = vec![Vec::new(); tasks];
    for (k, e) in entries.into_iter().enumerate() {
        out[k % tasks].push(e);
    }
    out
}

fn multiply_entries_all(
    job: &Job,
    x: &Vectors,
    tasks: &[Vec<(u64, u64, Number)>],
) -> Vec<RowProducts> {
    tasks
        .iter()
        .map(|held| job.runner.multiply_entries(held.clone(), x).unwrap())
        .collect()
}

#[test]
fn partial_products_of_coordinate_entries_prove_the_job_proving_in_one_process_proves() {
    for sparse in [false, true] {
        let job = job(Scheme::Pedersen, sparse);
        for (count, zeros) in [(1, false), (2, true)] {
            let x = vectors(count, 21 + count as u64);
            let tasks = dealt_entries(&job, 4, zeros);
            let reduced = job
                .runner
                .reduce_products(&x, multiply_entries_all(&job, &x, &tasks))
                .unwrap();
            assert_eq!(reduced.verified.y, plain(&job, &x), "sparse {sparse}");
            let whole = job.runner.prove(&x, &Silent).unwrap();
            assert_eq!(reduced.verified.job_root, whole.job_root);
            assert_eq!(
                verify(&reduced.bundle, &job.commitment).unwrap().y,
                plain(&job, &x)
            );
        }
    }
}

#[test]
fn an_entry_that_differs_is_missing_or_given_twice_is_named() {
    for sparse in [false, true] {
        let job = job(Scheme::Pedersen, sparse);
        let x = vectors(1, 31);
        // A value that differs, at a non-zero (row 12, column 4) and at a zero (column 0).
        for (column, value) in [(4u64, 1000), (0, 5)] {
            let err = job
                .runner
                .multiply_entries(vec![(12, column, Number::Int(value))], &x)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(&format!("row 12, column {column}: the value differs")),
                "sparse {sparse}: {err}"
            );
        }
        // Twice in one task.
        let twice = vec![(3, 1, Number::Int(job.values[3 * COLS + 1])); 2];
        let err = job
            .runner
            .multiply_entries(twice, &x)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("row 3, column 1: the entry is given twice"),
            "{err}"
        );
        // Left out, or in two tasks.
        let mut tasks = dealt_entries(&job, 3, false);
        let (row, _, _) = tasks[1].pop().unwrap();
        let err = job
            .runner
            .reduce_products(&x, multiply_entries_all(&job, &x, &tasks))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("row {row}: the tasks multiplied")) && err.contains("missing"),
            "{err}"
        );
        let mut tasks = dealt_entries(&job, 3, false);
        let again = tasks[0][0];
        tasks[2].push(again);
        let err = job
            .runner
            .reduce_products(&x, multiply_entries_all(&job, &x, &tasks))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("row {}: the tasks multiplied", again.0)),
            "{err}"
        );
        // Outside the matrix.
        let err = job
            .runner
            .multiply_entries(vec![(0, COLS as u64, Number::Int(1))], &x)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("row 0, column {COLS}: outside")),
            "{err}"
        );
    }
}

#[test]
fn a_wrong_partial_sum_is_rejected_and_rows_and_entries_do_not_mix() {
    let job = job(Scheme::Pedersen, true);
    let x = vectors(1, 33);
    let tasks = dealt_entries(&job, 3, false);
    let mut pieces = multiply_entries_all(&job, &x, &tasks);
    let mut y = unpack_i128(&pieces[0].y, "y").unwrap();
    y[2] -= 1;
    pieces[0].y = pack_i128(&y);
    let partition = pieces[0].rows[2] as usize / PER;
    let err = job
        .runner
        .reduce_products(&x, pieces)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!("rejected: partition {partition}: its y block")),
        "{err}"
    );
    let mut pieces = multiply_entries_all(&job, &x, &tasks);
    pieces.push(job.runner.multiply_rows(vec![row(&job, 0)], &x).unwrap());
    let err = job
        .runner
        .reduce_products(&x, pieces)
        .unwrap_err()
        .to_string();
    assert!(err.contains("whole rows and coordinate entries"), "{err}");
}
