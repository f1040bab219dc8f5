//! The `zkmr` binary as a user runs it: outputs, exit codes and messages.

use std::path::{Path, PathBuf};

mod common;

use assert_cmd::Command;
use common::json_out;
use serde_json::Value;

fn zkmr(cache: &Path) -> Command {
    let mut cmd = Command::cargo_bin("zkmr").unwrap();
    cmd.env("ZKMR_CACHE_DIR", cache);
    cmd
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/matvec.json")
}

/// The README's main command: no flags beyond the input, the default scheme.
#[test]
fn run_on_the_example_prints_the_plain_product() {
    let cache = tempfile::tempdir().unwrap();
    let report = json_out(
        zkmr(cache.path())
            .args(["run", "--input"])
            .arg(example())
            .arg("--json"),
    );
    assert_eq!(report["scheme"], "pedersen");
    assert_eq!(report["srs_unsafe"], false);
    check_example_report(&report);
    let halo2 = json_out(
        zkmr(cache.path())
            .args(["run", "--input"])
            .arg(example())
            .args(["--scheme", "halo2", "--dev-srs", "--json"]),
    );
    assert_eq!(halo2["scheme"], "halo2");
    assert_eq!(halo2["srs_unsafe"], true);
    check_example_report(&halo2);
    let cqlin = json_out(
        zkmr(cache.path())
            .args(["run", "--input"])
            .arg(example())
            .args(["--scheme", "cqlin", "--dev-srs", "--json"]),
    );
    assert_eq!(cqlin["scheme"], "cqlin");
    assert_eq!(cqlin["srs_unsafe"], true);
    check_example_report(&cqlin);
}

fn check_example_report(report: &Value) {
    assert_eq!(report["verified"], true);
    let input: Value = serde_json::from_str(&std::fs::read_to_string(example()).unwrap()).unwrap();
    let x: Vec<f64> = input["vector"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let expected: Vec<f64> = input["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .zip(&x)
                .map(|(a, x)| a.as_f64().unwrap() * x)
                .sum()
        })
        .collect();
    let y: Vec<f64> = report["y"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(y, expected);
    // Integers encode exactly: no rounding error to bound.
    assert_eq!(report["y_error_bound"], 0.0);
    for key in [
        "matrix_commitment",
        "job_root",
        "partitions",
        "max_abs_error",
        "seconds",
    ] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn halo2_needs_an_srs_and_pedersen_takes_none() {
    let cache = tempfile::tempdir().unwrap();
    let out = zkmr(cache.path())
        .args(["run", "--scheme", "halo2", "--input"])
        .arg(example())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--srs") && stderr.contains("--dev-srs"),
        "{stderr}"
    );
    let out = zkmr(cache.path())
        .args(["run", "--dev-srs", "--input"])
        .arg(example())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("takes no SRS"), "{stderr}");
    let out = zkmr(cache.path())
        .args(["run", "--scheme", "groth16", "--input"])
        .arg(example())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not one of pedersen, halo2"));
}

#[test]
fn commit_prove_verify_and_tampering() {
    commit_prove_verify_and_tampering_under(&[]);
    commit_prove_verify_and_tampering_under(&["--scheme", "halo2", "--dev-srs"]);
    commit_prove_verify_and_tampering_under(&["--scheme", "cqlin", "--dev-srs"]);
}

fn commit_prove_verify_and_tampering_under(scheme: &[&str]) {
    let name = scheme.get(1).copied().unwrap_or("pedersen");
    let cache = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let matrix = work.path().join("a.json");
    let rows: Vec<Vec<i64>> = (0..9)
        .map(|i| (0..5).map(|j| i * 5 + j - 20).collect())
        .collect();
    std::fs::write(&matrix, serde_json::json!({ "matrix": rows }).to_string()).unwrap();
    let vector = work.path().join("x.json");
    std::fs::write(&vector, "[1, -2, 3, -4, 5]").unwrap();
    let keys = work.path().join("keys");

    let commit = json_out(
        zkmr(cache.path())
            .args(["commit", "--matrix"])
            .arg(&matrix)
            .arg("--keys")
            .arg(&keys)
            .args(["--rows-per-partition", "4", "--json"])
            .args(scheme),
    );
    assert_eq!(commit["partitions"], 3);
    let commitment = commit["matrix_commitment"].as_str().unwrap().to_string();

    // A second commit into the same directory is refused without --force.
    let again = zkmr(cache.path())
        .args(["commit", "--matrix"])
        .arg(&matrix)
        .arg("--keys")
        .arg(&keys)
        .args(scheme)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));

    let bundle = work.path().join("job.bundle");
    let y_out = work.path().join("y.json");
    let proved = json_out(
        zkmr(cache.path())
            .args(["prove", "--keys"])
            .arg(&keys)
            .arg("--vector")
            .arg(&vector)
            .arg("--out")
            .arg(&bundle)
            .arg("--y-out")
            .arg(&y_out)
            .arg("--json"),
    );
    let expected: Vec<i64> = rows
        .iter()
        .map(|r| r.iter().zip([1, -2, 3, -4, 5]).map(|(a, x)| a * x).sum())
        .collect();
    let y: Vec<i64> = proved["y"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap() as i64)
        .collect();
    assert_eq!(y, expected);
    let y_file: Value = serde_json::from_str(&std::fs::read_to_string(&y_out).unwrap()).unwrap();
    assert_eq!(y_file["y_encoded"][0], expected[0].to_string());

    let verify = |bundle: &Path, commitment: &str| {
        zkmr(cache.path())
            .args(["verify", "--bundle"])
            .arg(bundle)
            .args(["--commitment", commitment])
            .output()
            .unwrap()
    };
    let ok = verify(&bundle, &commitment);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    // Partition 2's first output changed: halo2 names the partition from its proof; the
    // pedersen and cqlin checks are one for the whole job, and the key store names the
    // partition.
    let mut tampered = zkmr_core::bundle::read(&bundle).unwrap();
    let mut y = zkmr_core::field::unpack_i128(&tampered.partitions[2].y, "y").unwrap();
    y[0] += 1;
    tampered.partitions[2].y = zkmr_core::field::pack_i128(&y);
    let flipped = work.path().join("flipped.bundle");
    zkmr_core::bundle::write(&tampered, &flipped).unwrap();
    let rejected = verify(&flipped, &commitment);
    let stderr = String::from_utf8_lossy(&rejected.stderr);
    assert_eq!(rejected.status.code(), Some(1), "{stderr}");
    if name == "halo2" {
        assert!(stderr.contains("rejected: partition 2"), "{stderr}");
    } else {
        let whole_job = if name == "cqlin" {
            "y is not the committed matrix times x"
        } else {
            "homomorphic check"
        };
        assert!(stderr.contains(whole_job), "{stderr}");
        let named = zkmr(cache.path())
            .args(["verify", "--bundle"])
            .arg(&flipped)
            .args(["--commitment", &commitment, "--keys"])
            .arg(&keys)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&named.stderr);
        assert_eq!(named.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("rejected: partition 2"), "{stderr}");
        for (partition, code) in [("2", 1), ("1", 0)] {
            let alone = zkmr(cache.path())
                .args(["verify", "--bundle"])
                .arg(&flipped)
                .args(["--commitment", &commitment, "--keys"])
                .arg(&keys)
                .args(["--partition", partition])
                .output()
                .unwrap();
            assert_eq!(alone.status.code(), Some(code), "partition {partition}");
        }
    }

    check_openings(
        cache.path(),
        &keys,
        &bundle,
        &flipped,
        &commitment,
        &proved,
        name != "pedersen",
    );

    let other = "0".repeat(63) + "1";
    let wrong = verify(&bundle, &other);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("rejected"));

    let bad_hex = verify(&bundle, "xyz");
    assert_eq!(bad_hex.status.code(), Some(2));

    let truncated = work.path().join("truncated.bundle");
    std::fs::write(&truncated, &std::fs::read(&bundle).unwrap()[..100]).unwrap();
    let out = verify(&truncated, &commitment);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a zkmr bundle"));

    let missing = verify(&work.path().join("nope.bundle"), &commitment);
    assert_eq!(missing.status.code(), Some(2));
}

/// `zkmr open` shows one partition of a verified job, and `zkmr verify --opening` checks it
/// alone against the commitment and the job root; halo2 and cqlin stores make no openings.
fn check_openings(
    cache: &Path,
    keys: &Path,
    bundle: &Path,
    tampered: &Path,
    commitment: &str,
    proved: &Value,
    no_openings: bool,
) {
    let dir = bundle.parent().unwrap();
    let opening = dir.join("p1.opening");
    let open = |bundle: &Path| {
        zkmr(cache)
            .args(["open", "--keys"])
            .arg(keys)
            .arg("--bundle")
            .arg(bundle)
            .args(["--partition", "1", "--out"])
            .arg(&opening)
            .output()
            .unwrap()
    };
    let made = open(bundle);
    if no_openings {
        assert_eq!(made.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&made.stderr).contains("pedersen"));
        assert!(!opening.exists());
        return;
    }
    assert_eq!(
        made.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let root = proved["job_root"].as_str().unwrap();
    let check = |opening: &Path, root: &str| {
        zkmr(cache)
            .args(["verify", "--opening"])
            .arg(opening)
            .args(["--commitment", commitment, "--job-root", root, "--json"])
            .output()
            .unwrap()
    };
    let ok = check(&opening, root);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let report: Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(report["partition"], 1);
    assert_eq!(
        report["y"].as_array().unwrap()[..],
        proved["y"].as_array().unwrap()[4..8]
    );
    // Another job root, a changed byte, and a bundle that does not verify are all refused.
    let other_root = "0".repeat(64);
    assert_eq!(check(&opening, &other_root).status.code(), Some(1));
    let mut bytes = std::fs::read(&opening).unwrap();
    let last = bytes.len() - 40;
    bytes[last] ^= 1;
    let changed = dir.join("changed.opening");
    std::fs::write(&changed, &bytes).unwrap();
    assert_eq!(check(&changed, root).status.code(), Some(1));
    std::fs::remove_file(&opening).unwrap();
    assert_eq!(open(tampered).status.code(), Some(1));
    assert!(!opening.exists());
}

#[test]
fn verify_json_reports_the_rejected_partition() {
    verify_json_reports_the_rejected_partition_under(&[]);
    verify_json_reports_the_rejected_partition_under(&["--scheme", "halo2", "--dev-srs"]);
    verify_json_reports_the_rejected_partition_under(&["--scheme", "cqlin", "--dev-srs"]);
}

fn verify_json_reports_the_rejected_partition_under(scheme: &[&str]) {
    let cache = tempfile::tempdir().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let run = json_out(
        zkmr(cache.path())
            .args(["run", "--input"])
            .arg(example())
            .args(["--rows-per-partition", "1", "--json", "--out"])
            .arg(out_dir.path())
            .args(scheme),
    );
    let commitment = run["matrix_commitment"].as_str().unwrap();
    let bundle_path = out_dir.path().join("job.bundle");
    let mut bundle = zkmr_core::bundle::read(&bundle_path).unwrap();
    bundle.partitions[1].y = zkmr_core::field::pack_i128(&[12345]);
    zkmr_core::bundle::write(&bundle, &bundle_path).unwrap();
    let out = zkmr(cache.path())
        .args(["verify", "--json", "--bundle"])
        .arg(&bundle_path)
        .args(["--commitment", commitment, "--keys"])
        .arg(out_dir.path().join("keys"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verified"], false);
    assert_eq!(report["rejected_partition"], 1);
}

/// A verdict shows the x it is about, as the relying party can recompute it: `--json` gives
/// `x` decoded and its digest, and the digest accepts the bundle through `--x-digest`; the
/// help says what a verdict does not show.
#[test]
fn a_verdict_reports_its_x() {
    let cache = tempfile::tempdir().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let run = json_out(
        zkmr(cache.path())
            .args(["run", "--input"])
            .arg(example())
            .args(["--json", "--out"])
            .arg(out_dir.path()),
    );
    let commitment = run["matrix_commitment"].as_str().unwrap();
    let bundle = out_dir.path().join("job.bundle");
    let report = json_out(
        zkmr(cache.path())
            .args(["verify", "--json", "--bundle"])
            .arg(&bundle)
            .args(["--commitment", commitment]),
    );
    let input: Value = serde_json::from_str(&std::fs::read_to_string(example()).unwrap()).unwrap();
    assert_eq!(report["x"], input["vector"]);
    let digest = report["x_digest"].as_str().unwrap();
    let again = zkmr(cache.path())
        .args(["verify", "--bundle"])
        .arg(&bundle)
        .args(["--commitment", commitment, "--x-digest", digest])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&again.stdout).contains(digest));
    let help = zkmr(cache.path())
        .args(["verify", "--help"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&help.stdout)
        .contains("does not show that A's entries are integers"));
}

#[test]
fn bad_input_is_named_and_leaves_nothing_behind() {
    let cache = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let cases = [
        (
            r#"{"matrix": [[1, 2], [3]], "vector": [1, 2]}"#,
            "row 1 has 1 values",
        ),
        (
            r#"{"matrix": [[1, 2], [3, 4]], "vector": [1]}"#,
            "2 columns",
        ),
        (
            r#"{"matrix": [[1e300, 2]], "vector": [1, 2]}"#,
            "row 0, column 0",
        ),
    ];
    for (text, message) in cases {
        let input = work.path().join("in.json");
        std::fs::write(&input, text).unwrap();
        let out_dir = work.path().join("out");
        let out = zkmr(cache.path())
            .args(["run", "--input"])
            .arg(&input)
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{text}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{text}: {stderr}");
        assert!(!out_dir.join("job.bundle").exists());
    }
}

#[test]
fn bench_reports_a_row_per_size() {
    let cache = tempfile::tempdir().unwrap();
    let report = json_out(zkmr(cache.path()).args([
        "bench",
        "--sizes",
        "8x16,3x5,8x16x3",
        "--scheme",
        "pedersen,halo2,cqlin",
        "--rows-per-partition",
        "4",
        "--json",
    ]));
    let rows = report["results"].as_array().unwrap();
    // halo2 proves one vector at a time: the batch is measured under pedersen and cqlin.
    let shapes: Vec<(String, u64, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["scheme"].as_str().unwrap().to_string(),
                r["rows"].as_u64().unwrap(),
                r["vectors"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("pedersen", 8, 1),
        ("halo2", 8, 1),
        ("cqlin", 8, 1),
        ("pedersen", 3, 1),
        ("halo2", 3, 1),
        ("cqlin", 3, 1),
        ("pedersen", 8, 3),
        ("cqlin", 8, 3),
    ];
    assert_eq!(
        shapes,
        expected
            .iter()
            .map(|(s, r, v)| (s.to_string(), *r, *v))
            .collect::<Vec<_>>()
    );
    for row in rows {
        assert!(row["macs_per_s"].as_f64().unwrap() > 0.0);
        assert!(row["prove_over_matvec"].as_f64().unwrap() > 0.0);
        assert!(row["verify_ms"].as_f64().unwrap() > 0.0);
        assert!(row["max_abs_error"].as_f64().unwrap() < 1e-3);
        let proof = row["proof_bytes"].as_u64().unwrap();
        assert!(proof > 0 && proof < row["bundle_bytes"].as_u64().unwrap());
        if row["scheme"] == "cqlin" {
            // Six points and the matrix's public data, whatever the shape or the batch.
            assert!(proof <= 2048, "{row}");
        }
    }
}

/// A batch: `y` as one array per vector, each the integer product.
#[test]
fn a_batch_of_vectors_is_one_job() {
    let cache = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let rows: Vec<Vec<i64>> = (0..7)
        .map(|i| (0..4).map(|j| (i * 3 + j * 5) % 11 - 5).collect())
        .collect();
    let xs: Vec<Vec<i64>> = (0..5)
        .map(|b| (0..4).map(|j| (b * 7 + j) % 9 - 4).collect())
        .collect();
    let matrix = work.path().join("a.json");
    std::fs::write(&matrix, serde_json::json!(rows).to_string()).unwrap();
    let vectors = work.path().join("x.json");
    std::fs::write(&vectors, serde_json::json!(xs).to_string()).unwrap();
    let out = work.path().join("out");
    let report = json_out(
        zkmr(cache.path())
            .args(["run", "--matrix"])
            .arg(&matrix)
            .arg("--vectors")
            .arg(&vectors)
            .args(["--rows-per-partition", "3", "--json", "--out"])
            .arg(&out),
    );
    assert_eq!(report["vectors"], 5);
    let expected: Vec<Vec<f64>> = xs
        .iter()
        .map(|x| {
            rows.iter()
                .map(|r| r.iter().zip(x).map(|(a, x)| a * x).sum::<i64>() as f64)
                .collect()
        })
        .collect();
    let y: Vec<Vec<f64>> = serde_json::from_value(report["y"].clone()).unwrap();
    assert_eq!(y, expected);

    // The same vectors through `prove --vectors`; a halo2 store refuses a batch.
    let proved = json_out(
        zkmr(cache.path())
            .args(["prove", "--keys"])
            .arg(out.join("keys"))
            .arg("--vectors")
            .arg(&vectors)
            .arg("--out")
            .arg(work.path().join("b.bundle"))
            .arg("--json"),
    );
    assert_eq!(proved["y"], report["y"]);
    let halo2 = work.path().join("halo2");
    json_out(
        zkmr(cache.path())
            .args(["commit", "--scheme", "halo2", "--dev-srs", "--matrix"])
            .arg(&matrix)
            .arg("--keys")
            .arg(&halo2)
            .arg("--json"),
    );
    let refused = zkmr(cache.path())
        .args(["prove", "--keys"])
        .arg(&halo2)
        .arg("--vectors")
        .arg(&vectors)
        .arg("--out")
        .arg(work.path().join("c.bundle"))
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--scheme pedersen"));
    assert!(!work.path().join("c.bundle").exists());
}

/// A batch proved in chunks from Parquet (`prove --chunk`): `y` comes out as Parquet, equal to
/// the integer product; `verify` checks the batch proof against the commitment and the inputs,
/// and names the chunk whose input differs.
#[test]
fn a_batch_in_chunks_streams_from_parquet_and_verifies_against_its_inputs() {
    let cache = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let rows: Vec<Vec<i64>> = (0..7)
        .map(|i| (0..4).map(|j| (i * 3 + j * 5) % 11 - 5).collect())
        .collect();
    let xs: Vec<Vec<i64>> = (0..23)
        .map(|b| (0..4).map(|j| (b * 7 + j) % 9 - 4).collect())
        .collect();
    let matrix = work.path().join("a.json");
    std::fs::write(&matrix, serde_json::json!(rows).to_string()).unwrap();
    let as_floats = |xs: &[Vec<i64>]| -> Vec<Vec<f64>> {
        xs.iter()
            .map(|x| x.iter().map(|v| *v as f64).collect())
            .collect()
    };
    let vectors = work.path().join("x.parquet");
    zkmr_io::write_matrix_parquet(&vectors, 4, as_floats(&xs).into_iter()).unwrap();
    let keys = work.path().join("keys");
    let committed = json_out(
        zkmr(cache.path())
            .args(["commit", "--matrix"])
            .arg(&matrix)
            .arg("--keys")
            .arg(&keys)
            .args(["--rows-per-partition", "3", "--json"]),
    );
    let commitment = committed["matrix_commitment"].as_str().unwrap().to_string();
    let proof = work.path().join("batch.zkmr");
    let y_out = work.path().join("y.parquet");
    let proved = json_out(
        zkmr(cache.path())
            .args(["prove", "--keys"])
            .arg(&keys)
            .arg("--vectors")
            .arg(&vectors)
            .args(["--chunk", "5", "--json", "--out"])
            .arg(&proof)
            .arg("--y-out")
            .arg(&y_out),
    );
    assert_eq!(
        (proved["vectors"].as_u64(), proved["chunks"].as_u64()),
        (Some(23), Some(5))
    );
    let expected: Vec<Vec<f64>> = xs
        .iter()
        .map(|x| {
            rows.iter()
                .map(|r| r.iter().zip(x).map(|(a, x)| a * x).sum::<i64>() as f64)
                .collect()
        })
        .collect();
    let y: Vec<Vec<f64>> = zkmr_io::read_matrix(&y_out)
        .unwrap()
        .into_iter()
        .map(|row| row.iter().map(|v| v.as_f64()).collect())
        .collect();
    assert_eq!(y, expected);

    let verify = |vectors: &Path, root: Option<&str>| {
        let mut cmd = zkmr(cache.path());
        cmd.args(["verify", "--json", "--bundle"])
            .arg(&proof)
            .args(["--commitment", &commitment, "--vectors"])
            .arg(vectors);
        if let Some(root) = root {
            cmd.args(["--job-root", root]);
        }
        cmd.output().unwrap()
    };
    let verified = verify(&vectors, proved["batch_root"].as_str());
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    let report: Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert_eq!(report["verified"], true);
    assert_eq!(report["vectors"], 23);
    assert_eq!(report["inputs_checked"], true);

    let wrong_root = verify(&vectors, Some(&"0".repeat(64)));
    assert_eq!(wrong_root.status.code(), Some(1));

    let mut others = xs.clone();
    others[12][1] += 1;
    let other = work.path().join("other.parquet");
    zkmr_io::write_matrix_parquet(&other, 4, as_floats(&others).into_iter()).unwrap();
    let refused = verify(&other, None);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("chunk 2 (inputs from 10)"), "{stderr}");

    // Input 12's owner: its opening (chunk 2 and the path) verifies against the batch root
    // with their x, shows their y, and is refused for another x or another root.
    let opening = work.path().join("input-12.zkin");
    let opened = json_out(
        zkmr(cache.path())
            .args(["open", "--batch"])
            .arg(&proof)
            .args([
                "--input",
                "12",
                "--commitment",
                &commitment,
                "--json",
                "--out",
            ])
            .arg(&opening),
    );
    assert_eq!(
        (opened["chunk"].as_u64(), opened["chunks"].as_u64()),
        (Some(2), Some(5))
    );
    let mine = work.path().join("x12.json");
    let check_input = |x: &[i64], root: &str| {
        std::fs::write(&mine, serde_json::json!(x).to_string()).unwrap();
        zkmr(cache.path())
            .args(["verify", "--json", "--opening"])
            .arg(&opening)
            .args(["--commitment", &commitment, "--job-root", root, "--vector"])
            .arg(&mine)
            .output()
            .unwrap()
    };
    let root = proved["batch_root"].as_str().unwrap();
    let checked = check_input(&xs[12], root);
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let report: Value = serde_json::from_slice(&checked.stdout).unwrap();
    assert_eq!(
        (report["input"].as_u64(), report["input_checked"].as_bool()),
        (Some(12), Some(true))
    );
    assert_eq!(report["batch_root"], root);
    let x: Vec<f64> = serde_json::from_value(report["x"].clone()).unwrap();
    assert_eq!(x, as_floats(&xs[12..13])[0]);
    let y: Vec<f64> = serde_json::from_value(report["y"].clone()).unwrap();
    assert_eq!(y, expected[12]);
    let refused = check_input(&xs[11], root);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("input 12: x:"), "{stderr}");
    let refused = check_input(&xs[12], &"0".repeat(64));
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("not the one expected"), "{stderr}");
}

/// This build has no CUDA: asked for it, zkmr says why, proves on the CPU, and the bundle and
/// report say so. A device name it does not know is a usage error.
#[test]
fn cuda_without_a_gpu_falls_back_to_the_cpu_with_a_warning() {
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let assert = zkmr(cache.path())
        .args(["run", "--input"])
        .arg(example())
        .args(["--json", "--device", "cuda", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains("no CUDA device") && stderr.contains("proving on the CPU"),
        "{stderr}"
    );
    let report: Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(report["device"], "cpu");
    assert_eq!(report["verified"], true);
    assert!(zkmr_core::bundle::read(&out.path().join("job.bundle")).is_ok());

    let assert = zkmr(cache.path())
        .args(["run", "--input"])
        .arg(example())
        .args(["--device", "tpu"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains("\"tpu\" is not one of cpu, cuda, auto"),
        "{stderr}"
    );
}

/// What `verify --aggregated` and `bench-aggregate` say about files that are not what they
/// should be, before any key or SRS is touched.
#[test]
fn aggregated_inputs_are_named_when_they_are_wrong() {
    let cache = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let commitment = "0".repeat(64);
    let garbage = work.path().join("garbage.agg");
    std::fs::write(&garbage, b"garbage").unwrap();
    let out = zkmr(cache.path())
        .args([
            "verify",
            "--dev-srs",
            "--commitment",
            &commitment,
            "--aggregated",
        ])
        .arg(&garbage)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // A file that is not an aggregated proof cannot be read: exit 2, as for a bundle.
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("garbage.agg: not a zkmr aggregated proof"),
        "{stderr}"
    );

    let out = zkmr(cache.path())
        .args(["bench-aggregate", "--partitions", "2", "--reverify"])
        .arg(work.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let expected = work.path().join("2").join("job.agg");
    assert!(stderr.contains(&expected.display().to_string()), "{stderr}");

    let out = zkmr(cache.path())
        .args(["bench-aggregate", "--partitions", "two"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--partitions: \"two\""));
}
