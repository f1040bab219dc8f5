//! The SQL functions against the proving core and plain integer arithmetic.
//!
//! Tables are small in-memory ones cut into odd-sized batches over two partitions, so a
//! partition's rows arrive in several batches and DataFusion's partial aggregation sees rows
//! of one partition in both streams.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Int64Array, Int64Builder, ListBuilder, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::execution::context::{SessionConfig, SessionContext};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use zkmr_core::device::Device;
use zkmr_core::fixed_point::FixedPoint;
use zkmr_core::job::JobRunner;
use zkmr_core::progress::Silent;
use zkmr_core::setup::SrsChoice;
use zkmr_core::store::digest_to_hex;
use zkmr_core::Scheme;
use zkmr_core::Vectors;
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
            srs: zkmr_core::registry::scheme(scheme)
                .unwrap()
                .capabilities()
                .srs
                .then(dev_srs),
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

/// A job: `zkMatMul` over `from` and `zkCommit` over its parts, both for `x`.
fn job_sql(store: &str, x: &str, from: &str) -> String {
    job_sql_over(store, x, from, "parts")
}

/// A job whose `zkCommit` reads the parts from `parts` (the CTE, perhaps joined to `x`'s table).
fn job_sql_over(store: &str, x: &str, from: &str, parts: &str) -> String {
    format!(
        "WITH parts AS (SELECT zkMatMul(row, values, {x}, '{store}') AS part FROM {from} \
         GROUP BY zkPartition(row, '{store}')) SELECT zkCommit(part, '{store}', {x}) FROM {parts}"
    )
}

/// The digest verdicts name an integer `x` by, at scale 0 and 32 bits (`zkmr prove`'s
/// default for integers), one vector or a batch.
fn integer_x_digest(xs: &[Vec<i64>]) -> String {
    let flat: Vec<i64> = xs.concat();
    digest_to_hex(&zkmr_core::verify::x_digest(
        &flat,
        xs.len(),
        FixedPoint::new(0, 32).unwrap(),
    ))
}

/// Column `c` of the first row, a boolean or a string, as text (NULL as `None`).
fn cell(batches: &[RecordBatch], c: usize) -> Option<String> {
    let column = batches[0].column(c);
    column.is_valid(0).then(|| match column.data_type() {
        DataType::Boolean => column.as_boolean().value(0).to_string(),
        _ => column.as_string::<i32>().value(0).to_string(),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The job the core proves in one process from the store SQL made: the reference for the SQL
/// job (the commitment and the job root; `y` is checked against integer matmul).
fn core_job(store: &str, x: &[i64]) -> (String, String) {
    let open = JobRunner::open_on(Path::new(store), Device::Cpu).unwrap();
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

/// zkMatMul's `key_digest` of each partition, in partition order.
async fn key_digests(ctx: &SessionContext, store: &str) -> Vec<Option<String>> {
    let parts = query(
        ctx,
        &format!(
            "SELECT p['key_digest'] FROM (SELECT zkMatMul(row, values, {:?}, '{store}') AS p \
             FROM m GROUP BY zkPartition(row, '{store}')) ORDER BY p['partition']",
            vec![1i64; COLS]
        ),
    )
    .await
    .unwrap();
    parts
        .iter()
        .flat_map(|b| {
            let d = b.column(0).as_string::<i32>();
            (0..d.len())
                .map(|i| d.is_valid(i).then(|| d.value(i).to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_job_equals_the_core_and_integer_matmul() {
    for scheme in Scheme::ALL {
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

    // A partition's key digest: its verifying key's under halo2, NULL under pedersen and cqlin
    // (one key for the matrix, none per partition).
    let open = JobRunner::open_on(Path::new(&store), Device::Cpu).unwrap();
    let expected: Vec<Option<String>> = (0..3)
        .map(|p| {
            let digest = open.prover().key_digest(p).unwrap();
            digest.as_ref().map(digest_to_hex)
        })
        .collect();
    let digests = key_digests(&ctx, &store).await;
    assert_eq!(digests, expected);
    assert_eq!(digests.iter().all(Option::is_none), scheme != Scheme::Halo2);

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
    let joined = query(
        &ctx,
        &job_sql_over(&store, "v.x", "m CROSS JOIN v", "parts CROSS JOIN v"),
    )
    .await
    .unwrap();
    assert_eq!(text(&joined, "job_root"), core_root);

    // zkCommit reports the x it held the tasks to: the query's, and its digest.
    let x_digest = integer_x_digest(std::slice::from_ref(&x));
    assert_eq!(text(&job, "x_digest"), x_digest);
    let x_floats: Vec<f64> = x.iter().map(|v| *v as f64).collect();
    assert_eq!(floats(&field(&job, "x")), x_floats);

    // The bundle verifies against the commitment, for its x and no other, and every verdict
    // names the x; and it does not verify once tampered with.
    let bundle_hex = hex(field(&job, "bundle").as_binary::<i32>().value(0));
    let mut other = x.clone();
    other[5] += 1;
    let other_digest = integer_x_digest(std::slice::from_ref(&other));
    let verdict = query(
        &ctx,
        &format!(
            "SELECT zkVerify(b, c), zkverifyexplain(b, c), zkVerify(b, c, {literal}), \
             zkVerify(b, c, {x_floats:?}), zkVerify(b, c, {other:?}), \
             zkVerifyExplain(b, c, {other:?}), zkVerify(b, c, '{x_digest}'), \
             zkVerify(b, c, '0x{x_digest}'), zkVerifyExplain(b, c, '{other_digest}'), \
             zkVerifyExplain(b, c, [{literal}, {literal}]), zkVerify(b, c, NULL), \
             zkVerify(b, c, x) \
             FROM (SELECT X'{bundle_hex}' AS b, '{core_commitment}' AS c, \
                   CAST(NULL AS BIGINT[]) AS x)"
        ),
    )
    .await
    .unwrap();
    let verdicts: Vec<Option<String>> = (0..12).map(|c| cell(&verdict, c)).collect();
    let line = format!("verified: 3 partitions, x {x_digest}, job root {core_root}");
    let yes = Some("true".to_string());
    let no = Some("false".to_string());
    assert_eq!(verdicts[0], yes);
    assert_eq!(verdicts[1].as_deref(), Some(line.as_str()));
    assert_eq!(verdicts[2], yes, "the x asked about");
    assert_eq!(verdicts[3], yes, "the same x as floats");
    assert_eq!(verdicts[4], no, "another x");
    let why = verdicts[5].as_deref().unwrap();
    assert!(
        why.starts_with(&format!("rejected: x: it proves x[5] = {}", x[5] as f64))
            && why.contains(&format!("the expected x has {}", other[5] as f64)),
        "{why}"
    );
    assert_eq!(verdicts[6], yes, "x's digest");
    assert_eq!(verdicts[7], yes, "x's digest with 0x");
    let why = verdicts[8].as_deref().unwrap();
    assert!(
        why.starts_with("rejected: x: ") && why.contains(&other_digest),
        "{why}"
    );
    let why = verdicts[9].as_deref().unwrap();
    assert!(why.starts_with("rejected: x: it proves 1 vector"), "{why}");
    assert_eq!(verdicts[10], yes, "a NULL literal expects no x");
    assert_eq!(verdicts[11], None, "a NULL x on a row: no verdict");

    let mut bundle =
        zkmr_core::bundle::decode(field(&job, "bundle").as_binary::<i32>().value(0), "bundle")
            .unwrap();
    let mut y = zkmr_core::field::unpack_i128(&bundle.partitions[1].y, "y").unwrap();
    y[3] += 1;
    bundle.partitions[1].y = zkmr_core::field::pack_i128(&y);
    let forged = hex(&prost::Message::encode_to_vec(&bundle));
    let tampered = query(
        &ctx,
        &format!(
            "SELECT ZKVERIFY(X'{forged}', '{core_commitment}'), zkVerifyExplain(X'{forged}', '{core_commitment}')"
        ),
    )
    .await
    .unwrap();
    assert!(!tampered[0].column(0).as_boolean().value(0));
    let why = tampered[0].column(1).as_string::<i32>().value(0);
    match scheme {
        // One check over the whole job; the key store names the partition (zkCommit does).
        Scheme::Pedersen => assert!(why.contains("do not match the committed matrix"), "{why}"),
        Scheme::Cqlin => assert!(
            why.contains("y is not the committed matrix times x"),
            "{why}"
        ),
        Scheme::Halo2 => assert!(why.starts_with("rejected: partition 1"), "{why}"),
    }

    // One partition shown alone: zkOpen on the store's side, zkVerifyPartition on a third
    // party's, which checks it against the commitment, and against the x and the job root it
    // expects where it gives them.
    let zeros = "00".repeat(32);
    let opened = query(
        &ctx,
        &format!(
            "SELECT zkVerifyPartition(o, c), zkVerifyPartition(o, c, {literal}, '{core_root}'), \
             zkVerifyPartition(o, c, NULL, '{core_root}'), zkVerifyPartition(o, c, '{x_digest}'), \
             zkVerifyPartition(o, c, {other:?}), zkVerifyPartition(o, c, {literal}, '{zeros}'), \
             zkVerifyPartition(o, c, NULL, root) \
             FROM (SELECT zkOpen(X'{bundle_hex}', 1, '{store}') AS o, '{core_commitment}' AS c, \
                   CAST(NULL AS VARCHAR) AS root)"
        ),
    )
    .await;
    match scheme {
        Scheme::Pedersen => {
            let opened = opened.unwrap();
            let lines: Vec<Option<String>> = (0..7).map(|c| cell(&opened, c)).collect();
            let line =
                format!("verified: partition 1 (rows 64..128), x {x_digest}, job root {core_root}");
            for (c, what) in [
                (0, "nothing"),
                (1, "x and root"),
                (2, "root"),
                (3, "x digest"),
            ] {
                assert_eq!(lines[c].as_deref(), Some(line.as_str()), "expecting {what}");
            }
            let why = lines[4].as_deref().unwrap();
            assert!(why.starts_with("rejected: x: it proves x[5]"), "{why}");
            let why = lines[5].as_deref().unwrap();
            assert!(
                why.starts_with("rejected") && why.contains(&format!("not the expected {zeros}")),
                "{why}"
            );
            assert_eq!(lines[6], None, "a NULL job root on a row: no verdict");
        }
        Scheme::Halo2 | Scheme::Cqlin => {
            let err = opened.unwrap_err().to_string();
            assert!(err.contains("zkOpen") && err.contains("pedersen"), "{err}");
        }
    }
    let refused = error(&ctx, &format!("SELECT zkOpen(X'{forged}', 0, '{store}')")).await;
    assert!(refused.contains("rejected"), "{refused}");
    let foreign = query(
        &ctx,
        &format!("SELECT zkVerifyPartition(X'{forged}', '{core_commitment}')"),
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
        &zkmr_core::store::digest_from_hex(&commitment, "c").unwrap(),
        &zkmr_core::verify::Expected::default(),
    );
    assert_eq!(verified.unwrap().vectors, 3, "{line}");
    let x_digest = integer_x_digest(&xs);
    assert_eq!(text(&job, "x_digest"), x_digest);

    // The batch verifies as the x it is, and not with its vectors in another order.
    let swapped = [xs[1].clone(), xs[0].clone(), xs[2].clone()];
    let verdict = query(
        &ctx,
        &format!(
            "SELECT zkVerify(b, c, {xs:?}), zkVerify(b, c, '{x_digest}'), \
             zkVerifyExplain(b, c, {swapped:?}) \
             FROM (SELECT X'{}' AS b, '{commitment}' AS c)",
            hex(&bundle)
        ),
    )
    .await
    .unwrap();
    assert_eq!(cell(&verdict, 0).as_deref(), Some("true"));
    assert_eq!(cell(&verdict, 1).as_deref(), Some("true"));
    let why = cell(&verdict, 2).unwrap();
    assert!(
        why.starts_with("rejected: x: it proves vector 0, x["),
        "{why}"
    );

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

/// zkCommit takes the job's x from the query, never from the tasks: a partition proved for
/// another x (or at another scale) is rejected naming it, and a call without x does not plan.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zkcommit_holds_the_tasks_to_the_query_x() {
    let dir = tempfile::tempdir().unwrap();
    let a = random_matrix(4);
    let ctx = session(Scheme::default());
    register_rows(&ctx, "m", full_rows(&a));
    let store = store(dir.path());
    query(
        &ctx,
        &format!("SELECT zkCommitMatrix(row, values, '{store}') FROM m"),
    )
    .await
    .unwrap();
    let x: Vec<i64> = (0..COLS as i64).map(|j| 2 * j - 9).collect();
    let mut other = x.clone();
    other[0] += 1;
    let (x, other) = (format!("{x:?}"), format!("{other:?}"));
    let parts = |x_of: &dyn Fn(&str) -> String| {
        format!(
            "WITH parts AS (SELECT zkMatMul(row, values, {}, '{store}') AS part FROM m \
             GROUP BY zkPartition(row, '{store}'))",
            x_of("row")
        )
    };

    // Every task proved another x than the query's: the first result checked is named.
    let e = error(
        &ctx,
        &format!(
            "{} SELECT zkCommit(part, '{store}', {x}) FROM parts",
            parts(&|_| other.clone())
        ),
    )
    .await;
    assert!(
        e.contains("rejected: partition ") && e.contains("another x than the job's"),
        "{e}"
    );
    // One task (partition 1, rows 64..128) proved another x: it is the one named.
    let e = error(
        &ctx,
        &format!(
            "{} SELECT zkCommit(part, '{store}', {x}) FROM parts",
            parts(&|row| format!(
                "CASE WHEN {row} >= 64 AND {row} < 128 THEN {other} ELSE {x} END"
            ))
        ),
    )
    .await;
    assert!(
        e.contains("partition 1") && e.contains("another x than the job's"),
        "{e}"
    );
    // The query's x must be one x.
    let e = error(
        &ctx,
        &format!(
            "{} SELECT zkCommit(part, '{store}', \
             CASE WHEN part['partition'] = 2 THEN {other} ELSE {x} END) FROM parts",
            parts(&|_| x.clone())
        ),
    )
    .await;
    assert!(e.contains("zkCommit: x differs between rows"), "{e}");

    // zkCommit without x is refused at planning, saying why.
    let e = error(
        &ctx,
        &format!(
            "{} SELECT zkCommit(part, '{store}') FROM parts",
            parts(&|_| x.clone())
        ),
    )
    .await;
    assert!(
        e.contains("zkCommit needs the job's x as its third argument")
            && e.contains("rather than trusting the x its task reports"),
        "{e}"
    );
}

/// zkCommit encodes x as zkMatMul does, x_scale_bits included: the same x and scale on both
/// sides make the job, and its `x` field is x rounded to that scale.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zkcommit_encodes_x_as_zkmatmul() {
    let dir = tempfile::tempdir().unwrap();
    let a = random_matrix(5);
    let ctx = session(Scheme::default());
    register_rows(&ctx, "m", full_rows(&a));
    let store = store(dir.path());
    query(
        &ctx,
        &format!("SELECT zkCommitMatrix(row, values, '{store}') FROM m"),
    )
    .await
    .unwrap();
    let x: Vec<f64> = (0..COLS).map(|j| j as f64 * 0.1 - 0.55).collect();
    let job = |matmul_scale: &str, commit_scale: &str| {
        format!(
            "WITH parts AS (SELECT zkMatMul(row, values, {x:?}, '{store}'{matmul_scale}) AS part \
             FROM m GROUP BY zkPartition(row, '{store}')) \
             SELECT zkCommit(part, '{store}', {x:?}{commit_scale}) FROM parts"
        )
    };
    for (scale, arg) in [(16, ""), (20, ", 20")] {
        let committed = query(&ctx, &job(arg, arg)).await.unwrap();
        let unit = (scale as f64).exp2();
        let rounded: Vec<f64> = x.iter().map(|v| (v * unit).round() / unit).collect();
        assert_eq!(floats(&field(&committed, "x")), rounded, "scale {scale}");
        // y is A times the rounded x, exactly (integer A, rounded x at 2^-scale).
        let expected: Vec<f64> = a
            .iter()
            .map(|row| row.iter().zip(&rounded).map(|(a, x)| *a as f64 * x).sum())
            .collect();
        assert_eq!(floats(&field(&committed, "y")), expected, "scale {scale}");
    }
    // Another scale on one side is another x.
    let e = error(&ctx, &job(", 20", "")).await;
    assert!(
        e.contains("rejected: partition ") && e.contains("another x than the job's"),
        "{e}"
    );
}
