//! `zkmr sql` as a user runs it: the example queries against `zkmr run` on the same data,
//! other table formats, and errors.

use std::path::{Path, PathBuf};

mod common;

use assert_cmd::Command;
use common::json_out;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `zkmr` run from the repository root, where the example queries' paths resolve.
fn zkmr(cache: &Path) -> Command {
    let mut cmd = Command::cargo_bin("zkmr").unwrap();
    cmd.env("ZKMR_CACHE_DIR", cache).current_dir(root());
    cmd
}

/// The last statement's rows.
fn last_rows(report: &Value) -> Vec<Value> {
    report["statements"].as_array().unwrap().last().unwrap()["rows"]
        .as_array()
        .unwrap()
        .clone()
}

/// An example query with its key store moved to `keys`.
fn example_query(name: &str, keys: &Path, dir: &Path) -> PathBuf {
    let sql = std::fs::read_to_string(root().join("examples/sql").join(name)).unwrap();
    let path = dir.join(name);
    std::fs::write(
        &path,
        sql.replace("target/zkmr-example/keys", &keys.display().to_string()),
    )
    .unwrap();
    path
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_f64().unwrap())
        .collect()
}

#[test]
fn example_queries_match_zkmr_run() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");

    let commit = json_out(
        zkmr(cache.path())
            .args(["sql", "--json", "--file"])
            .arg(example_query("commit.sql", &keys, dir.path())),
    );
    let m = &last_rows(&commit)[0]["m"];
    assert_eq!(m["partitions"], 3);
    assert_eq!(m["scheme"], "pedersen");
    assert_eq!(m["srs_unsafe"], false);

    let bundle = dir.path().join("job.bundle");
    let job = json_out(
        zkmr(cache.path())
            .args([
                "sql",
                "--json",
                "--param",
                "x=@examples/vector.json",
                "--file",
            ])
            .arg(example_query("job.sql", &keys, dir.path()))
            .arg("--bundle-out")
            .arg(&bundle),
    );
    let job = &last_rows(&job)[0];
    assert_eq!(job["verified"], true);

    // `zkmr prove` over the store the query made: the same commitment, job root and y.
    let run = json_out(
        zkmr(cache.path())
            .args(["prove", "--keys"])
            .arg(&keys)
            .args(["--vector", "examples/vector.json", "--json", "--out"])
            .arg(dir.path().join("cli.bundle")),
    );
    assert_eq!(m["matrix_commitment"], run["matrix_commitment"]);
    assert_eq!(job["matrix_commitment"], run["matrix_commitment"]);
    assert_eq!(job["job_root"], run["job_root"]);
    assert_eq!(floats(&job["y"]), floats(&run["y"]));
    // And `zkmr run` on the same files (a commit of its own) the same y.
    let fresh = json_out(zkmr(cache.path()).args([
        "run",
        "--matrix",
        "examples/matrix.parquet",
        "--vector",
        "examples/vector.json",
        "--json",
    ]));
    assert_eq!(fresh["verified"], true);
    assert_eq!(floats(&job["y"]), floats(&fresh["y"]));

    // The bundle the query wrote is the one `zkmr verify` checks.
    let verified = json_out(
        zkmr(cache.path())
            .args(["verify", "--json", "--bundle"])
            .arg(&bundle)
            .arg("--commitment")
            .arg(run["matrix_commitment"].as_str().unwrap()),
    );
    assert_eq!(verified["job_root"], run["job_root"]);

    let parts = json_out(
        zkmr(cache.path())
            .args([
                "sql",
                "--json",
                "--param",
                "x=@examples/vector.json",
                "--file",
            ])
            .arg(example_query("partitions.sql", &keys, dir.path())),
    );
    let parts = last_rows(&parts);
    let ranges: Vec<(i64, i64)> = parts
        .iter()
        .map(|p| {
            (
                p["row_start"].as_i64().unwrap(),
                p["row_end"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(ranges, vec![(0, 64), (64, 128), (128, 192)]);
}

#[test]
fn csv_and_json_tables_prove_the_plain_product() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a: Vec<Vec<i64>> = (0..5)
        .map(|i| (0..3).map(|j| (i * 3 + j) as i64 - 7).collect())
        .collect();
    let x = [2i64, -1, 4];
    let expected: Vec<f64> = a
        .iter()
        .map(|r| r.iter().zip(x).map(|(a, x)| a * x).sum::<i64>() as f64)
        .collect();
    let mut csv = String::from("row,c0,c1,c2\n");
    let mut ndjson = String::new();
    for (i, r) in a.iter().enumerate() {
        csv.push_str(&format!("{i},{},{},{}\n", r[0], r[1], r[2]));
        ndjson.push_str(&format!("{{\"row\": {i}, \"values\": {r:?}}}\n"));
    }
    std::fs::write(dir.path().join("a.csv"), csv).unwrap();
    std::fs::write(dir.path().join("a.ndjson"), ndjson).unwrap();
    let x_file = dir.path().join("x.json");
    std::fs::write(&x_file, format!("{x:?}")).unwrap();

    for (table, values, keys) in [
        ("a.csv", "make_array(c0, c1, c2)", "csv-keys"),
        ("a.ndjson", "values", "json-keys"),
    ] {
        let keys = dir.path().join(keys).display().to_string();
        let spec = format!("a={}", dir.path().join(table).display());
        let sql = format!(
            "SELECT zkCommitMatrix(row, {values}, '{keys}', 2) FROM a; \
             WITH p AS (SELECT zkMatMul(row, {values}, $x, '{keys}') AS part FROM a \
             GROUP BY zkPartition(row, '{keys}')) \
             SELECT j['y'] AS y, j['partitions'] AS n, j['x_digest'] AS x_digest, \
             j['matrix_commitment'] AS commitment, j['bundle'] AS bundle, \
             zkVerify(j['bundle'], j['matrix_commitment'], $x) AS for_x, \
             zkVerify(j['bundle'], j['matrix_commitment'], j['x_digest']) AS for_digest, \
             zkVerifyExplain(j['bundle'], j['matrix_commitment'], [2, -1, 5]) AS for_other \
             FROM (SELECT zkCommit(part, '{keys}', $x) AS j FROM p)"
        );
        let bundle = dir.path().join(format!("{table}.bundle"));
        let report = json_out(
            zkmr(cache.path())
                .args(["sql", "--json", "--table", &spec, "--param", "x=[2, -1, 4]"])
                .arg("--bundle-out")
                .arg(&bundle)
                .arg(&sql),
        );
        let row = &last_rows(&report)[0];
        assert_eq!(floats(&row["y"]), expected, "{table}");
        assert_eq!(row["n"], 3, "{table}");
        assert_eq!(row["for_x"], true, "{table}");
        assert_eq!(row["for_digest"], true, "{table}");
        let why = row["for_other"].as_str().unwrap();
        assert!(
            why.starts_with("rejected: x: it proves x[2] = 4"),
            "{table}: {why}"
        );
        // `zkmr verify`, given the same x, verifies the bundle and names x by the same digest.
        let verified = json_out(
            zkmr(cache.path())
                .args(["verify", "--json", "--bundle"])
                .arg(&bundle)
                .args(["--commitment", row["commitment"].as_str().unwrap()])
                .arg("--vector")
                .arg(&x_file),
        );
        assert_eq!(verified["verified"], true, "{table}");
        assert_eq!(verified["x_digest"], row["x_digest"], "{table}");
    }
}

#[test]
fn query_errors_exit_2_with_the_reason() {
    let cache = tempfile::tempdir().unwrap();
    let out = zkmr(cache.path())
        .args(["sql", "SELECT zkMatMul(1, [1], [2])"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("zkMatMul takes 4 to 5 arguments, got 3"),
        "{err}"
    );

    // zkCommit without the job's x, as queries had it before x was required.
    let out = zkmr(cache.path())
        .args(["sql", "SELECT zkCommit(1, 'keys')"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("zkCommit needs the job's x as its third argument"),
        "{err}"
    );

    let out = zkmr(cache.path())
        .args(["sql", "--table", "m=examples/nope.parquet", "SELECT 1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.parquet"));

    let out = zkmr(cache.path())
        .args(["sql", "--param", "x", "SELECT 1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected NAME=VALUE"));
}
