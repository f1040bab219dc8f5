//! The SQL functions against the proving core and plain integer arithmetic.
//!
//! Tables are small in-memory ones cut into odd-sized batches over two partitions, so a
//! partition's rows arrive in several batches and DataFusion's partial aggregation sees rows
//! of one partition in both streams.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{ArrayRef, AsArray, Int64Array, Int64Builder, ListBuilder, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::execution::context::{SessionConfig, SessionContext};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use zkmr_core::device::Device;
use zkmr_core::fixed_point::FixedPoint;
use zkmr_core::halo2::setup::SrsChoice;
use zkmr_core::job::OpenStore;
use zkmr_core::keystore::digest_to_hex;
use zkmr_core::progress::Silent;
use zkmr_core::scheme::Vectors;
use zkmr_core::Scheme;
use zkmr_sql::SessionOptions;

const ROWS: usize = 150;
const COLS: usize = 13;

fn cache_dir() -> PathBuf {
    std::env::var_os("ZKMR_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("zkmr-test-cache"))
}

fn dev_srs() -> SrsChoice {
    SrsChoice::Development {
        cache_dir: cache_dir(),
    }
}

fn random_matrix(seed: u64) -> Vec<Vec<i64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..ROWS)
        .map(|_| (0..COLS).map(|_| rng.gen_range(-50..50)).collect())
        .collect()
}

fn matvec(a: &[Vec<i64>], x: &[i64]) -> Vec<f64> {
    a.iter()
        .map(|row| row.iter().zip(x).map(|(a, x)| a * x).sum::<i64>() as f64)
        .collect()
}

fn matrix_batch(rows: &[(i64, Option<Vec<Option<i64>>>)]) -> RecordBatch {
    let item = Arc::new(Field::new_list_field(DataType::Int64, true));
    let schema = Arc::new(Schema::new(vec![
        Field::new("row", DataType::Int64, true),
        Field::new("values", DataType::List(item.clone()), true),
    ]));
    let mut values = ListBuilder::new(Int64Builder::new()).with_field(item);
    for (_, row) in rows {
        match row {
            Some(v) => {
                for e in v {
                    values.values().append_option(*e);
                }
                values.append(true);
            }
            None => values.append(false),
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.0))),
        Arc::new(values.finish()),
    ];
    RecordBatch::try_new(schema, columns).unwrap()
}

/// Registers `rows` as table `name`: batches of 7 rows dealt over two partitions.
fn register_rows(ctx: &SessionContext, name: &str, rows: Vec<(i64, Option<Vec<Option<i64>>>)>) {
    let batches: Vec<RecordBatch> = rows.chunks(7).map(matrix_batch).collect();
    let schema = batches[0].schema();
    let mut parts = vec![Vec::new(), Vec::new()];
    for (i, b) in batches.into_iter().enumerate() {
        parts[(i / 3) % 2].push(b);
    }
    ctx.register_table(name, Arc::new(MemTable::try_new(schema, parts).unwrap()))
        .unwrap();
}

fn full_rows(a: &[Vec<i64>]) -> Vec<(i64, Option<Vec<Option<i64>>>)> {
    a.iter()
        .enumerate()
        .map(|(i, r)| (i as i64, Some(r.iter().map(|v| Some(*v)).collect())))
        .collect()
}

/// A session committing under `scheme` (halo2 with the development SRS).
fn session(scheme: Scheme) -> SessionContext {
    let ctx = SessionContext::new_with_config(
        SessionConfig::new()
            .with_batch_size(7)
            .with_target_partitions(2),
    );
    zkmr_sql::register(
        &ctx,
        SessionOptions {
            scheme,
            srs: (scheme == Scheme::Halo2).then(dev_srs),
            replace_stores: true,
            progress: None,
        },
    );
    ctx
}

async fn query(ctx: &SessionContext, sql: &str) -> datafusion::error::Result<Vec<RecordBatch>> {
    ctx.sql(sql).await?.collect().await
}

async fn error(ctx: &SessionContext, sql: &str) -> String {
    match query(ctx, sql).await {
        Ok(batches) => panic!("query succeeded: {batches:?}"),
        Err(e) => e.strip_backtrace(),
    }
}

/// Field `name` of the struct in column 0, row 0.
fn field(batches: &[RecordBatch], name: &str) -> ArrayRef {
    let s = batches[0].column(0).as_struct();
    s.column_by_name(name).unwrap().clone()
}

fn text(batches: &[RecordBatch], name: &str) -> String {
    field(batches, name).as_string::<i32>().value(0).to_string()
}

fn floats(array: &ArrayRef) -> Vec<f64> {
    array
        .as_list::<i32>()
        .value(0)
        .as_primitive::<arrow::datatypes::Float64Type>()
        .values()
        .to_vec()
}

fn store(dir: &Path) -> String {
    dir.join("keys").display().to_string()
}

fn job_sql(store: &str, x: &str, from: &str) -> String {
    format!(
        "WITH parts AS (SELECT zkMatMul(row, values, {x}, '{store}') AS part FROM {from} \
         GROUP BY zkPartition(row, '{store}')) SELECT zkCommit(part, '{store}') FROM parts"
    )
}

/// The job the core proves in one process from the store SQL made: the reference for the SQL
/// job (the commitment and the job root; `y` is checked against integer matmul).
fn core_job(store: &str, x: &[i64]) -> (String, String) {
    let open = OpenStore::open_on(Path::new(store), Device::Cpu).unwrap();
    let proved = open
        .prove(
            &Vectors::one(x.to_vec(), FixedPoint::new(0, 32).unwrap()),
            &Silent,
        )
        .unwrap();
    (
        digest_to_hex(&open.commitment().unwrap()),
        digest_to_hex(&proved.job_root),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_job_equals_the_core_and_integer_matmul() {
    for scheme in [Scheme::Pedersen, Scheme::Halo2] {
        sql_job_under(scheme).await;
    }
}

async fn sql_job_under(scheme: Scheme) {
    let dir = tempfile::tempdir().unwrap();
    let a = random_matrix(1);
    let x: Vec<i64> = (0..COLS as i64).map(|j| 3 * j - 17).collect();
    let ctx = session(scheme);
    register_rows(&ctx, "m", full_rows(&a));
    let store = store(dir.path());

    let committed = query(
        &ctx,
        &format!("SELECT zkCommitMatrix(row, values, '{store}') FROM m"),
    )
    .await
    .unwrap();
    let (core_commitment, core_root) = core_job(&store, &x);
    assert_eq!(text(&committed, "scheme"), scheme.name());
    assert_eq!(text(&committed, "matrix_commitment"), core_commitment);
    assert_eq!(
        field(&committed, "partitions")
            .as_primitive::<arrow::datatypes::Int64Type>()
            .value(0),
        3
    );

    let literal = format!("{x:?}");
    let job = query(&ctx, &job_sql(&store, &literal, "m")).await.unwrap();
    assert_eq!(floats(&field(&job, "y")), matvec(&a, &x));
    assert_eq!(text(&job, "matrix_commitment"), core_commitment);
    assert_eq!(text(&job, "job_root"), core_root);

    // The same job with x as a parameter and as a one-row table.
    let with_param = ctx
        .sql(&job_sql(&store, "$x", "m"))
        .await
        .unwrap()
        .with_param_values(vec![(
            "x",
            datafusion::common::ScalarValue::List(
                datafusion::common::ScalarValue::new_list_nullable(
                    &x.iter()
                        .map(|v| datafusion::common::ScalarValue::Int64(Some(*v)))
                        .collect::<Vec<_>>(),
                    &DataType::Int64,
                ),
            ),
        )])
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(text(&with_param, "job_root"), core_root);
    query(&ctx, &format!("CREATE TABLE v AS SELECT {literal} AS x"))
        .await
        .unwrap();
    let joined = query(&ctx, &job_sql(&store, "v.x", "m CROSS JOIN v"))
        .await
        .unwrap();
    assert_eq!(text(&joined, "job_root"), core_root);

    // The bundle verifies against the commitment, and not once tampered with.
    let verdict = query(
        &ctx,
        &format!(
            "WITH j AS ({}) SELECT zkVerify(j.c['bundle'], '{core_commitment}') AS ok, \
             zkverifyexplain(j.c['bundle'], '{core_commitment}') AS why FROM (SELECT * FROM j) AS j(c)",
            job_sql(&store, &literal, "m")
        ),
    )
    .await
    .unwrap();
    assert!(verdict[0].column(0).as_boolean().value(0));
    assert!(verdict[0]
        .column(1)
        .as_string::<i32>()
        .value(0)
        .starts_with("verified: 3 partitions"));

    let mut bundle =
        zkmr_core::bundle::decode(field(&job, "bundle").as_binary::<i32>().value(0), "bundle")
            .unwrap();
    let mut y = zkmr_core::field::unpack_i128(&bundle.partitions[1].y, "y").unwrap();
    y[3] += 1;
    bundle.partitions[1].y = zkmr_core::field::pack_i128(&y);
    let bundle = prost::Message::encode_to_vec(&bundle);
    let hex: String = bundle.iter().map(|b| format!("{b:02x}")).collect();
    let tampered = query(
        &ctx,
        &format!(
            "SELECT ZKVERIFY(X'{hex}', '{core_commitment}'), zkVerifyExplain(X'{hex}', '{core_commitment}')"
        ),
    )
    .await
    .unwrap();
    assert!(!tampered[0].column(0).as_boolean().value(0));
    let why = tampered[0].column(1).as_string::<i32>().value(0);
    match scheme {
        // One check over the whole job; the key store names the partition (zkCommit does).
        Scheme::Pedersen => assert!(why.contains("do not match the committed matrix"), "{why}"),
        Scheme::Halo2 => assert!(why.starts_with("rejected: partition 1"), "{why}"),
    }

    // One partition shown alone: zkOpen on the store's side, zkVerifyPartition on a third
    // party's, which checks it against the commitment and gets the job root to compare.
    let opened = query(
        &ctx,
        &format!(
            "WITH j AS ({}) SELECT zkVerifyPartition(zkOpen(j.c['bundle'], 1, '{store}'),              '{core_commitment}') AS why FROM (SELECT * FROM j) AS j(c)",
            job_sql(&store, &literal, "m")
        ),
    )
    .await;
    match scheme {
        Scheme::Pedersen => {
            let why = opened.unwrap()[0]
                .column(0)
                .as_string::<i32>()
                .value(0)
                .to_string();
            assert_eq!(
                why,
                format!("verified: partition 1 (rows 64..128), job root {core_root}")
            );
        }
        Scheme::Halo2 => {
            let err = opened.unwrap_err().to_string();
            assert!(err.contains("zkOpen") && err.contains("pedersen"), "{err}");
        }
    }
    let refused = error(&ctx, &format!("SELECT zkOpen(X'{hex}', 0, '{store}')")).await;
    assert!(refused.contains("rejected"), "{refused}");
    let foreign = query(
        &ctx,
        &format!("SELECT zkVerifyPartition(X'{hex}', '{core_commitment}')"),
    )
    .await
    .unwrap();
    assert!(foreign[0]
        .column(0)
        .as_string::<i32>()
        .value(0)
        .starts_with("rejected"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_tables_and_calls_fail_with_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let a = random_matrix(2);
    let ctx = session(Scheme::default());
    register_rows(&ctx, "m", full_rows(&a));
    let store = store(dir.path());
    query(
        &ctx,
        &format!("SELECT zkCommitMatrix(row, values, '{store}', 64) FROM m"),
    )
    .await
    .unwrap();
    let x = format!("{:?}", vec![1i64; COLS]);

    // Another matrix than the committed one.
    let mut b = a.clone();
    b[70][4] += 1;
    register_rows(&ctx, "other", full_rows(&b));
    let e = error(&ctx, &job_sql(&store, &x, "other")).await;
    assert!(
        e.contains("row 70, column 4: the value differs from the matrix committed"),
        "{e}"
    );

    // NULL entries, NULL rows and ragged rows name the row (and column).
    let mut rows = full_rows(&a);
    rows[5].1.as_mut().unwrap()[2] = None;
    register_rows(&ctx, "nulls", rows);
    let e = error(&ctx, &job_sql(&store, &x, "nulls")).await;
    assert!(e.contains("zkMatMul: row 5, column 2: null value"), "{e}");
    let mut rows = full_rows(&a);
    rows[9].1 = None;
    register_rows(&ctx, "null_row", rows);
    let e = error(&ctx, &job_sql(&store, &x, "null_row")).await;
    assert!(e.contains("row 9: values is null"), "{e}");
    let mut rows = full_rows(&a);
    rows[100].1.as_mut().unwrap().pop();
    register_rows(&ctx, "ragged", rows);
    let e = error(&ctx, &job_sql(&store, &x, "ragged")).await;
    assert!(
        e.contains("row 100 has 12 values but the committed matrix has 13 columns"),
        "{e}"
    );

    // A vector of the wrong length.
    let e = error(&ctx, &job_sql(&store, "[1, 2, 3]", "m")).await;
    assert!(
        e.contains("vector has 3 entries but the matrix has 13 columns"),
        "{e}"
    );

    // Grouped by something other than the partition: rows of a partition are split.
    let e = error(
        &ctx,
        &format!("SELECT zkMatMul(row, values, {x}, '{store}') FROM m GROUP BY row / 32"),
    )
    .await;
    assert!(e.contains("received 32 of its 64 rows"), "{e}");
    assert!(e.contains("group by zkPartition(row,"), "{e}");
    let e = error(
        &ctx,
        &format!("SELECT zkMatMul(row, values, {x}, '{store}') FROM m GROUP BY row % 2"),
    )
    .await;
    assert!(e.contains("belong to partitions"), "{e}");

    // A row missing from a partition, and a whole partition missing from the job.
    let e = error(
        &ctx,
        &job_sql(&store, &x, "(SELECT * FROM m WHERE row <> 77)"),
    )
    .await;
    assert!(e.contains("partition 1 received 63 of its 64 rows"), "{e}");
    let e = error(
        &ctx,
        &job_sql(&store, &x, "(SELECT * FROM m WHERE row >= 64)"),
    )
    .await;
    assert!(
        e.contains("zkCommit: invalid input: partitions missing from the job: 0"),
        "{e}"
    );

    // Calls that cannot be planned.
    let e = error(&ctx, &format!("SELECT zkMatMul(row, values, {x}) FROM m")).await;
    assert!(e.contains("zkMatMul takes 4 to 5 arguments, got 3"), "{e}");
    let e = error(
        &ctx,
        &format!(
            "SELECT zkMatMul(row, 'text', {x}, '{store}') FROM m GROUP BY zkPartition(row, 64)"
        ),
    )
    .await;
    assert!(
        e.contains("argument 2 (values) must be a list of numbers"),
        "{e}"
    );
    let e = error(&ctx, "SELECT zkVerify(X'00', 'not hex')").await;
    assert!(e.contains("zkVerify"), "{e}");

    // A store that is not there; halo2 setup without an SRS, pedersen setup with one.
    let e = error(&ctx, &job_sql("/nonexistent/keys", &x, "m")).await;
    assert!(e.contains("/nonexistent/keys"), "{e}");
    let with_srs = SessionContext::new();
    zkmr_sql::register(
        &with_srs,
        SessionOptions {
            srs: Some(dev_srs()),
            ..SessionOptions::default()
        },
    );
    register_rows(&with_srs, "m", full_rows(&a));
    let e = error(
        &with_srs,
        &format!(
            "SELECT zkCommitMatrix(row, values, '{}') FROM m",
            dir.path().join("k2").display()
        ),
    )
    .await;
    assert!(e.contains("takes no SRS"), "{e}");
    let bare = SessionContext::new();
    zkmr_sql::register(
        &bare,
        SessionOptions {
            scheme: Scheme::Halo2,
            ..SessionOptions::default()
        },
    );
    register_rows(&bare, "m", full_rows(&a));
    let e = error(
        &bare,
        &format!(
            "SELECT zkCommitMatrix(row, values, '{}') FROM m",
            dir.path().join("k2").display()
        ),
    )
    .await;
    assert!(e.contains("--dev-srs"), "{e}");
    assert!(!dir.path().join("k2").exists());

    // Setup rejects gaps and duplicates, naming the row.
    let e = error(
        &ctx,
        &format!("SELECT zkCommitMatrix(row, values, '{store}') FROM m WHERE row <> 3"),
    )
    .await;
    assert!(e.contains("row 3 is missing"), "{e}");
    let e = error(
        &ctx,
        &format!(
            "SELECT zkCommitMatrix(row, values, '{store}') FROM (SELECT * FROM m UNION ALL SELECT * FROM m WHERE row = 8)"
        ),
    )
    .await;
    assert!(e.contains("row 8 appears twice"), "{e}");
}

/// A batch: `x` as a list of vectors proves `A X` as one job; `y` holds each vector's outputs
/// one after another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_vectors_is_one_job() {
    let dir = tempfile::tempdir().unwrap();
    let a = random_matrix(3);
    let ctx = session(Scheme::default());
    register_rows(&ctx, "m", full_rows(&a));
    let store = store(dir.path());
    query(
        &ctx,
        &format!("SELECT zkCommitMatrix(row, values, '{store}') FROM m"),
    )
    .await
    .unwrap();
    let xs: Vec<Vec<i64>> = (0..3)
        .map(|b| (0..COLS as i64).map(|j| (b * 5 + j) % 7 - 3).collect())
        .collect();
    let job = query(&ctx, &job_sql(&store, &format!("{xs:?}"), "m"))
        .await
        .unwrap();
    let expected: Vec<f64> = xs.iter().flat_map(|x| matvec(&a, x)).collect();
    assert_eq!(floats(&field(&job, "y")), expected);
    assert_eq!(
        field(&job, "vectors")
            .as_primitive::<arrow::datatypes::Int64Type>()
            .value(0),
        3
    );
    let bundle = field(&job, "bundle").as_binary::<i32>().value(0).to_vec();
    let commitment = text(&job, "matrix_commitment");
    let (verified, line) = zkmr_core::verify::verdict(
        &bundle,
        &zkmr_core::keystore::digest_from_hex(&commitment, "c").unwrap(),
    );
    assert_eq!(verified.unwrap().vectors, 3, "{line}");

    // Vectors of different lengths in one batch name the vector.
    let e = error(&ctx, &job_sql(&store, "[[1, 2], [3]]", "m")).await;
    assert!(e.contains("vector"), "{e}");
}

/// A store committed from coordinate entries (kept sparse) proves the SQL job over the same
/// matrix's rows: the rows are checked against the stored non-zeros.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sparse_store_proves_the_sql_job_over_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = random_matrix(9);
    // Most entries zero, as in a sparse matrix.
    for (i, row) in a.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            if (i * 7 + j) % 5 != 0 {
                *v = 0;
            }
        }
    }
    let entries: Vec<zkmr_core::sparse::Entry> = a
        .iter()
        .enumerate()
        .flat_map(|(i, row)| {
            row.iter()
                .enumerate()
                .filter(|(_, v)| **v != 0)
                .map(move |(j, v)| (i as u64, j as u64, zkmr_core::fixed_point::Number::Int(*v)))
        })
        .collect();
    let encoding = FixedPoint::new(0, 32).unwrap();
    let matrix =
        zkmr_core::sparse::SparseMatrix::encode(ROWS as u64, COLS as u64, &entries, encoding)
            .unwrap();
    let store = store(dir.path());
    let options = zkmr_core::setup::CommitOptions {
        rows_per_partition: 64,
        ..Default::default()
    };
    zkmr_core::setup::commit_sparse(&matrix, encoding, &options, Path::new(&store), &Silent)
        .unwrap();
    let ctx = session(Scheme::default());
    register_rows(&ctx, "m", full_rows(&a));
    let x: Vec<i64> = (0..COLS as i64).map(|j| j * 3 - 11).collect();
    let job = query(&ctx, &job_sql(&store, &format!("{x:?}"), "m"))
        .await
        .unwrap();
    assert_eq!(floats(&field(&job, "y")), matvec(&a, &x));
    let (commitment, root) = core_job(&store, &x);
    assert_eq!(text(&job, "matrix_commitment"), commitment);
    assert_eq!(text(&job, "job_root"), root);
    // A row that differs from the stored non-zeros is named.
    let mut changed = a.clone();
    changed[70][1] += 1;
    register_rows(&ctx, "bad", full_rows(&changed));
    let e = error(&ctx, &job_sql(&store, &format!("{x:?}"), "bad")).await;
    assert!(
        e.contains("row 70, column 1") && e.contains("differs"),
        "{e}"
    );
}
