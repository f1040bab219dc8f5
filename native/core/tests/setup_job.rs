//! Setup as a distributed job (`setup_job`): plan, partitions committed apart and in any order,
//! finish. The store it makes must be the one `commit` makes: under halo2 byte for byte (the
//! scheme has no randomness), under Pedersen the same manifest but for the blinding-dependent
//! commitment, and either way one that proves `y = A·x` against its commitment. A wrong or
//! missing partition fails the finish.

use std::collections::BTreeMap;
use std::path::Path;

use zkmr_core::device::Device;
use zkmr_core::fixed_point::{FixedPoint, Number};
use zkmr_core::job::JobRunner;
use zkmr_core::matrix::IntMatrix;
use zkmr_core::progress::Silent;
use zkmr_core::setup::SrsChoice;
use zkmr_core::setup::{commit, CommitOptions, MatrixCommitted};
use zkmr_core::setup_job::{commit_partition, finish, plan};
use zkmr_core::sparse::Block;
use zkmr_core::verify::verify;
use zkmr_core::Scheme;
use zkmr_core::Vectors;
use zkmr_proto::PartitionSetup;

const ROWS: usize = 29;
const COLS: usize = 6;
const PER: usize = 8;

fn matrix() -> IntMatrix {
    IntMatrix::new(
        ROWS,
        COLS,
        (0..ROWS * COLS)
            .map(|i| (i as i64 * 41 % 37) - 18)
            .collect(),
    )
    .unwrap()
}

fn encoding() -> FixedPoint {
    FixedPoint::new(0, 16).unwrap()
}

/// Every file of the store at `dir`, by name.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for sub in ["", "partitions"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                let name = if sub.is_empty() {
                    e.file_name().to_string_lossy().into_owned()
                } else {
                    format!("{sub}/{}", e.file_name().to_string_lossy())
                };
                out.insert(name, std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

/// The tasks' work: each partition's rows, handed over in reverse order and each partition's
/// rows reversed too, committed apart.
fn tasks(plan: &zkmr_proto::SetupPlan) -> Vec<PartitionSetup> {
    let m = matrix();
    (0..ROWS.div_ceil(PER))
        .rev()
        .map(|p| {
            let rows = (p * PER..(p * PER + PER).min(ROWS))
                .rev()
                .map(|r| (r as u64, m.row(r).iter().map(|v| Number::Int(*v)).collect()))
                .collect();
            commit_partition(plan, rows).unwrap()
        })
        .collect()
}

/// Writes what the tasks and the finish made into a store at `dest`.
fn write_store(dest: &Path, parts: &[PartitionSetup], finished: &zkmr_proto::SetupFiles) {
    std::fs::create_dir_all(dest.join("partitions")).unwrap();
    for p in parts {
        std::fs::write(dest.join(&p.file), &p.contents).unwrap();
    }
    for f in &finished.files {
        std::fs::write(dest.join(&f.name), &f.contents).unwrap();
    }
}

fn srs(dir: &Path) -> SrsChoice {
    SrsChoice::Development {
        cache_dir: dir.to_path_buf(),
    }
}

/// Proves `y = A·x` with the store at `dest` and checks it against an integer product.
fn proves(dest: &Path) -> [u8; 32] {
    let store = JobRunner::open_on(dest, Device::Cpu).unwrap();
    let x: Vec<i64> = (0..COLS as i64).map(|j| 3 - j).collect();
    let proved = store
        .prove(&Vectors::one(x.clone(), encoding()), &Silent)
        .unwrap();
    assert_eq!(proved.y, matrix().mul_vec(&x));
    let commitment = store.commitment().unwrap();
    assert!(verify(&proved.bundle, &commitment).is_ok());
    commitment
}

/// `zkmr commit`'s store of the matrix under `scheme`, in `dir/local`.
fn commit_locally(dir: &Path, scheme: Scheme, srs: Option<&SrsChoice>) -> MatrixCommitted {
    let options = CommitOptions {
        scheme,
        rows_per_partition: PER,
        srs: srs.cloned(),
        ..CommitOptions::default()
    };
    commit(&matrix(), encoding(), &options, &dir.join("local"), &Silent).unwrap()
}

#[test]
fn a_halo2_store_made_by_tasks_is_byte_for_byte_the_one_commit_makes() {
    let dir = tempfile::tempdir().unwrap();
    let srs = srs(dir.path());
    let local = commit_locally(dir.path(), Scheme::Halo2, Some(&srs));
    let plan = plan(
        Scheme::Halo2,
        ROWS as u64,
        COLS as u64,
        encoding(),
        PER,
        Some(&srs),
    )
    .unwrap();
    let parts = tasks(&plan);
    let finished = finish(&plan, parts.clone()).unwrap();
    assert_eq!(finished.matrix_commitment, hex::encode(local.commitment));
    write_store(&dir.path().join("tasks"), &parts, &finished);
    assert_eq!(
        files(&dir.path().join("tasks")),
        files(&dir.path().join("local"))
    );
    assert_eq!(proves(&dir.path().join("tasks")), local.commitment);
}

#[test]
fn a_pedersen_store_made_by_tasks_proves_and_matches_commit_but_for_its_blinding() {
    let dir = tempfile::tempdir().unwrap();
    commit_locally(dir.path(), Scheme::Pedersen, None);
    let plan = plan(
        Scheme::Pedersen,
        ROWS as u64,
        COLS as u64,
        encoding(),
        PER,
        None,
    )
    .unwrap();
    let parts = tasks(&plan);
    let finished = finish(&plan, parts.clone()).unwrap();
    let dest = dir.path().join("tasks");
    write_store(&dest, &parts, &finished);
    let commitment = proves(&dest);
    assert_eq!(finished.matrix_commitment, hex::encode(commitment));
    // The manifests agree on everything the blinding does not touch.
    let fields = |dir: &Path| {
        let mut m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
        let m = m.as_object_mut().unwrap();
        for blinded in ["matrix_commitment", "files", "checksum", "partitions"] {
            m.remove(blinded);
        }
        serde_json::Value::Object(m.clone())
    };
    assert_eq!(fields(&dest), fields(&dir.path().join("local")));
    // The blocks each partition file holds are the matrix's.
    let store = JobRunner::open_on(&dest, Device::Cpu).unwrap();
    for p in 0..ROWS.div_ceil(PER) {
        let rows = p * PER..(p * PER + PER).min(ROWS);
        assert_eq!(
            *store.prover().block(p as u32).unwrap(),
            Block::Dense(matrix().block(rows).to_vec())
        );
    }
}

#[test]
fn a_missing_repeated_or_altered_partition_fails_the_finish() {
    let plan = plan(
        Scheme::Pedersen,
        ROWS as u64,
        COLS as u64,
        encoding(),
        PER,
        None,
    )
    .unwrap();
    let parts = tasks(&plan);
    let missing = parts[1..].to_vec();
    assert!(finish(&plan, missing)
        .unwrap_err()
        .to_string()
        .contains("not each of the 4 once"));
    let mut repeated = parts.clone();
    repeated[0] = parts[1].clone();
    assert!(finish(&plan, repeated).is_err());
    let mut shifted = parts.clone();
    shifted[0].row_end += 1;
    assert!(finish(&plan, shifted).is_err());
    let mut short = parts.clone();
    short[0].columns.pop();
    assert!(finish(&plan, short)
        .unwrap_err()
        .to_string()
        .contains("sums"));
    // A task handed rows of two partitions, or a partition with a row missing, is refused.
    let m = matrix();
    let row = |r: usize| {
        (
            r as u64,
            m.row(r).iter().map(|v| Number::Int(*v)).collect::<Vec<_>>(),
        )
    };
    let err = commit_partition(&plan, vec![row(0), row(9)])
        .unwrap_err()
        .to_string();
    assert!(err.contains("belong to partitions 0 and 1"), "{err}");
    let err = commit_partition(&plan, (0..7).map(row).collect())
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing row 7"), "{err}");
}

/// A setup task learns nothing secret: the plan is the same bytes every time for one matrix
/// (so it carries no seed), the tasks' outputs are the same whoever runs them, and the driver
/// alone draws the blinding, so two finishes of the same task outputs commit differently.
#[test]
fn setup_tasks_receive_no_secret_and_the_driver_blinds() {
    use prost::Message;
    let plan_of = || {
        plan(
            Scheme::Pedersen,
            ROWS as u64,
            COLS as u64,
            encoding(),
            PER,
            None,
        )
        .unwrap()
    };
    let first = plan_of();
    assert_eq!(first.encode_to_vec(), plan_of().encode_to_vec());
    let parts = tasks(&first);
    assert_eq!(parts, tasks(&plan_of()));
    let a = finish(&first, parts.clone()).unwrap();
    let b = finish(&first, parts).unwrap();
    assert_ne!(a.matrix_commitment, b.matrix_commitment);
}

/// The driver takes a task's partial sums only as increasing columns inside the matrix, one
/// canonical point each: a hostile list is an error naming the partition, not a panic.
#[test]
fn malformed_partial_sums_fail_the_finish_naming_the_partition() {
    let plan = plan(
        Scheme::Pedersen,
        ROWS as u64,
        COLS as u64,
        encoding(),
        PER,
        None,
    )
    .unwrap();
    let parts = tasks(&plan);
    let index_of_first = parts.iter().position(|p| p.index == 0).unwrap();
    type Change = Box<dyn Fn(&mut PartitionSetup)>;
    let cases: Vec<Change> = vec![
        Box::new(|p| p.sum_columns[0..4].copy_from_slice(&(COLS as u32).to_le_bytes())),
        Box::new(|p| p.sum_columns[0..4].copy_from_slice(&u32::MAX.to_le_bytes())),
        Box::new(|p| p.sum_columns.truncate(p.sum_columns.len() - 1)),
        Box::new(|p| {
            let second = p.sum_columns[4..8].to_vec();
            p.sum_columns[0..4].copy_from_slice(&second);
        }),
        Box::new(|p| p.columns[10] ^= 1),
        Box::new(|p| p.key_digest = vec![1; 32]),
    ];
    for (i, change) in cases.iter().enumerate() {
        let mut bad = parts.clone();
        change(&mut bad[index_of_first]);
        let err = finish(&plan, bad).unwrap_err().to_string();
        assert!(err.contains("setup partition 0"), "case {i}: {err}");
    }
}
