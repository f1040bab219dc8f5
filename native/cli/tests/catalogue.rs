//! The bad-input catalogue (`docs/bad-inputs.md`) as one table: every way a user can hand
//! `zkmr` and `zkmr sql` something wrong, with the exit code and the words the error must
//! use to name what is wrong and where.
//!
//! Each case runs in a fresh working directory and, besides its own expectations, must keep
//! the rules every failure keeps:
//!
//! - exit 2 for bad input, 1 only for a rejected proof, and nothing on stdout for exit 2 (no
//!   `y` is printed for a job that failed);
//! - no panic text on stderr;
//! - the working directory exactly as before: no file changed or removed (outputs of earlier
//!   runs and the user's own files are kept) and nothing new (no half-written output, no
//!   temporary file or key store directory left behind).
//!
//! Commands run under a virtual memory limit, so a giant allocation from a declared size
//! fails the case instead of swapping the machine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use assert_cmd::Command;
use datafusion::arrow::array::{ArrayRef, Float64Builder, Int64Array, ListBuilder, RecordBatch};
use datafusion::parquet::arrow::ArrowWriter;
use serde_json::Value;

/// Virtual memory for one command, in KiB (ulimit -v): far above what these tiny inputs need.
const MEMORY_KIB: u64 = 8 << 20;
/// Wall time for one command: these inputs take well under a second.
const TIMEOUT: Duration = Duration::from_secs(120);

/// One entry of the catalogue.
struct Case {
    /// The name `docs/bad-inputs.md` lists it under.
    name: &'static str,
    /// Makes the files the command reads, and the earlier outputs it must keep, in the working
    /// directory.
    setup: fn(&Path),
    /// `zkmr`'s arguments, run in the working directory; `{FILE}` stands for the trimmed
    /// contents of FILE there (a commitment written by the setup).
    args: &'static [&'static str],
    /// The exit code: 2 bad input, 1 a rejected proof, 0 for the cases that must succeed with
    /// a warning.
    code: i32,
    /// What stderr must say: the file, row, column, flag or field at fault and the reason.
    stderr: &'static [&'static str],
    /// What stdout must say (a `--json` report).
    stdout: &'static [&'static str],
}

/// The matrix every store is made of: 3×2 integers in two partitions of 2 and 1 rows. The
/// first value's little-endian bytes are found in the stored block by [`flip_block_byte`].
const A: &str = "[[1001, 1002], [1003, 1004], [1005, 1006]]";
/// The same matrix as a CSV table for the SQL cases.
const A_CSV: &str = "row,c0,c1\n0,1001,1002\n1,1003,1004\n2,1005,1006\n";
/// A value that does not fit the default encoding (32 bits, `--value-bits`).
const TOO_LARGE: &str = "[[1, 2], [3, 5000000000]]";

/// The SQL job of `docs/sql.md` over table `a` (`row, c0, c1`) with `x` and store as given.
macro_rules! job_sql {
    ($x:literal, $store:literal) => {
        concat!(
            "WITH p AS (SELECT zkMatMul(row, make_array(c0, c1), ",
            $x,
            ", '",
            $store,
            "') AS part FROM a GROUP BY zkPartition(row, '",
            $store,
            "')) SELECT zkCommit(part, '",
            $store,
            "', ",
            $x,
            ")['y'] AS y FROM p"
        )
    };
}

fn cases() -> Vec<Case> {
    let mut cases = input_cases();
    cases.extend(store_cases());
    cases.extend(output_cases());
    cases.extend(verify_cases());
    cases.extend(sparse_and_chain_cases());
    cases.extend(sql_cases());
    cases.extend(binding_cases());
    cases.extend(size_cases());
    cases.extend(path_cases());
    cases.extend(exit_cases());
    cases.extend(message_cases());
    cases
}

/// Matrices and vectors that cannot be encoded, and partitioning flags out of range.
fn input_cases() -> Vec<Case> {
    vec![
        Case {
            name: "commit_missing_matrix_file",
            setup: |_| {},
            args: &["commit", "--matrix", "nope.json", "--keys", "keys"],
            code: 2,
            stderr: &["nope.json"],
            stdout: &[],
        },
        Case {
            name: "commit_ragged_row",
            setup: |d| write(d, "ragged.json", "[[1, 2], [3]]"),
            args: &["commit", "--matrix", "ragged.json", "--keys", "keys"],
            code: 2,
            stderr: &["ragged.json", "row 1 has 1 values"],
            stdout: &[],
        },
        Case {
            name: "commit_non_number_cell",
            setup: |d| write(d, "text.json", r#"[[1, 2], [3, "four"]]"#),
            args: &["commit", "--matrix", "text.json", "--keys", "keys"],
            code: 2,
            stderr: &["text.json", "row 1, column 1", "\"four\""],
            stdout: &[],
        },
        Case {
            name: "commit_nan_token_in_json",
            setup: |d| write(d, "nan.json", "[[1, 2], [3, NaN]]"),
            args: &["commit", "--matrix", "nan.json", "--keys", "keys"],
            code: 2,
            stderr: &["nan.json", "line 1 column 14"],
            stdout: &[],
        },
        Case {
            name: "commit_nan_in_parquet",
            setup: |d| parquet(d, "nan.parquet", &[(0, &[1.0, 2.0]), (1, &[3.0, f64::NAN])]),
            args: &["commit", "--matrix", "nan.parquet", "--keys", "keys"],
            code: 2,
            stderr: &["nan.parquet", "row 1, column 1"],
            stdout: &[],
        },
        Case {
            name: "commit_infinity_in_parquet",
            setup: |d| {
                parquet(
                    d,
                    "inf.parquet",
                    &[(0, &[1.0, f64::INFINITY]), (1, &[3.0, 4.0])],
                )
            },
            args: &["commit", "--matrix", "inf.parquet", "--keys", "keys"],
            code: 2,
            stderr: &["inf.parquet", "row 0, column 1"],
            stdout: &[],
        },
        Case {
            name: "commit_value_too_large",
            setup: |d| write(d, "large.json", TOO_LARGE),
            args: &["commit", "--matrix", "large.json", "--keys", "keys"],
            code: 2,
            stderr: &["large.json", "row 1, column 1", "32 bits"],
            stdout: &[],
        },
        Case {
            name: "commit_empty_matrix",
            setup: |d| write(d, "empty.json", "[]"),
            args: &["commit", "--matrix", "empty.json", "--keys", "keys"],
            code: 2,
            stderr: &["empty.json", "no rows"],
            stdout: &[],
        },
        Case {
            name: "commit_rows_without_columns",
            setup: |d| write(d, "hollow.json", "[[], []]"),
            args: &["commit", "--matrix", "hollow.json", "--keys", "keys"],
            code: 2,
            stderr: &["hollow.json", "column"],
            stdout: &[],
        },
        Case {
            name: "commit_parquet_row_outside_the_matrix",
            setup: |d| parquet(d, "gap.parquet", &[(0, &[1.0, 2.0]), (5, &[3.0, 4.0])]),
            args: &["commit", "--matrix", "gap.parquet", "--keys", "keys"],
            code: 2,
            stderr: &["gap.parquet", "row 5"],
            stdout: &[],
        },
        Case {
            name: "commit_parquet_huge_row_index",
            setup: huge_row_parquet,
            args: &["commit", "--matrix", "huge.parquet", "--keys", "keys"],
            code: 2,
            stderr: &["huge.parquet", "row 4611686018427387904"],
            stdout: &[],
        },
        Case {
            name: "run_parquet_huge_row_index",
            setup: |d| {
                huge_row_parquet(d);
                write(d, "x.json", "[1, 2]");
            },
            args: &["run", "--matrix", "huge.parquet", "--vector", "x.json"],
            code: 2,
            stderr: &["huge.parquet", "row 4611686018427387904"],
            stdout: &[],
        },
        Case {
            name: "commit_parquet_duplicate_row",
            setup: |d| parquet(d, "dup.parquet", &[(0, &[1.0, 2.0]), (0, &[3.0, 4.0])]),
            args: &["commit", "--matrix", "dup.parquet", "--keys", "keys"],
            code: 2,
            stderr: &["dup.parquet", "row 0 appears more than once"],
            stdout: &[],
        },
        Case {
            name: "commit_parquet_negative_row",
            setup: |d| parquet(d, "neg.parquet", &[(0, &[1.0, 2.0]), (-1, &[3.0, 4.0])]),
            args: &["commit", "--matrix", "neg.parquet", "--keys", "keys"],
            code: 2,
            stderr: &["neg.parquet", "-1"],
            stdout: &[],
        },
        Case {
            name: "commit_rows_per_partition_zero",
            setup: store_inputs,
            args: &[
                "commit",
                "--matrix",
                "a.json",
                "--keys",
                "keys",
                "--rows-per-partition",
                "0",
            ],
            code: 2,
            stderr: &["--rows-per-partition"],
            stdout: &[],
        },
        Case {
            name: "commit_rows_per_partition_absurd",
            setup: store_inputs,
            args: &[
                "commit",
                "--matrix",
                "a.json",
                "--keys",
                "keys",
                "--rows-per-partition",
                "18446744073709551615",
            ],
            code: 2,
            stderr: &["--rows-per-partition"],
            stdout: &[],
        },
        Case {
            name: "commit_halo2_without_srs",
            setup: store_inputs,
            args: &[
                "commit", "--matrix", "a.json", "--keys", "keys", "--scheme", "halo2",
            ],
            code: 2,
            stderr: &["--srs", "--dev-srs"],
            stdout: &[],
        },
        Case {
            name: "commit_halo2_srs_file_missing",
            setup: store_inputs,
            args: &[
                "commit",
                "--matrix",
                "a.json",
                "--keys",
                "keys",
                "--scheme",
                "halo2",
                "--srs",
                "nope.params",
            ],
            code: 2,
            stderr: &["nope.params"],
            stdout: &[],
        },
        Case {
            name: "prove_vector_wrong_length",
            setup: |d| {
                store(d);
                write(d, "x3.json", "[1, 2, 3]");
            },
            args: &[
                "prove",
                "--keys",
                "keys",
                "--vector",
                "x3.json",
                "--out",
                "job.bundle",
            ],
            code: 2,
            stderr: &["x3.json", "3 entries", "2 columns"],
            stdout: &[],
        },
        Case {
            name: "prove_vector_non_number",
            setup: |d| {
                store(d);
                write(d, "xs.json", r#"[1, "two"]"#);
            },
            args: &[
                "prove",
                "--keys",
                "keys",
                "--vector",
                "xs.json",
                "--out",
                "job.bundle",
            ],
            code: 2,
            stderr: &["xs.json", "vector index 1"],
            stdout: &[],
        },
        Case {
            name: "prove_vectors_parquet_huge_row_index",
            setup: |d| {
                store(d);
                huge_row_parquet(d);
            },
            args: &[
                "prove",
                "--keys",
                "keys",
                "--vectors",
                "huge.parquet",
                "--out",
                "job.bundle",
            ],
            code: 2,
            stderr: &["huge.parquet", "4611686018427387904"],
            stdout: &[],
        },
        Case {
            name: "run_combined_input_vector_wrong_length",
            setup: |d| {
                write(
                    d,
                    "in.json",
                    r#"{"matrix": [[1, 2], [3, 4]], "vector": [1]}"#,
                )
            },
            args: &["run", "--input", "in.json", "--out", "out"],
            code: 2,
            stderr: &["in.json", "2 columns"],
            stdout: &[],
        },
        Case {
            name: "run_rows_per_partition_zero",
            setup: store_inputs,
            args: &[
                "run",
                "--matrix",
                "a.json",
                "--vector",
                "x.json",
                "--rows-per-partition",
                "0",
                "--out",
                "out",
            ],
            code: 2,
            stderr: &["--rows-per-partition"],
            stdout: &[],
        },
    ]
}

/// Key stores that are missing, foreign, corrupted or tampered with, and commits that must
/// not destroy a directory.
fn store_cases() -> Vec<Case> {
    vec![
        Case {
            name: "prove_store_does_not_exist",
            setup: |d| write(d, "x.json", "[1, 2]"),
            args: &[
                "prove",
                "--keys",
                "nostore",
                "--vector",
                "x.json",
                "--out",
                "job.bundle",
            ],
            code: 2,
            stderr: &["nostore"],
            stdout: &[],
        },
        Case {
            name: "prove_store_is_not_a_key_store",
            setup: |d| {
                users_directory(d);
                write(d, "x.json", "[1, 2]");
            },
            args: &[
                "prove",
                "--keys",
                "mine",
                "--vector",
                "x.json",
                "--out",
                "job.bundle",
            ],
            code: 2,
            stderr: &["mine", "key store"],
            stdout: &[],
        },
        Case {
            name: "prove_store_manifest_corrupted",
            setup: |d| {
                store(d);
                truncate(&d.join("keys/manifest.json"), 40);
            },
            args: PROVE,
            code: 2,
            stderr: &["manifest.json"],
            stdout: &[],
        },
        Case {
            name: "prove_store_manifest_declares_a_huge_matrix",
            setup: |d| {
                store(d);
                edit_manifest(d, |m| {
                    m["rows"] = 4_000_000_000u64.into();
                    m["rows_per_partition"] = 2_000_000_000u64.into();
                });
            },
            args: PROVE,
            code: 2,
            stderr: &["manifest.json"],
            stdout: &[],
        },
        Case {
            name: "prove_store_partition_file_missing",
            setup: |d| {
                store(d);
                std::fs::remove_file(d.join("keys/partitions/000001.part")).unwrap();
            },
            args: PROVE,
            code: 2,
            stderr: &["000001.part"],
            stdout: &[],
        },
        Case {
            name: "prove_store_partition_file_from_another_store",
            setup: |d| {
                store(d);
                other_store(d);
                std::fs::copy(
                    d.join("other/partitions/000000.part"),
                    d.join("keys/partitions/000000.part"),
                )
                .unwrap();
            },
            args: PROVE,
            code: 2,
            stderr: &["000000.part"],
            stdout: &[],
        },
        Case {
            name: "prove_store_block_byte_changed",
            setup: |d| {
                store(d);
                flip_block_byte(&d.join("keys/partitions/000000.part"));
            },
            args: PROVE,
            code: 2,
            stderr: &["000000.part"],
            stdout: &[],
        },
        Case {
            name: "prove_store_secret_missing",
            setup: |d| {
                store(d);
                std::fs::remove_file(d.join("keys/secret.key")).unwrap();
            },
            args: PROVE,
            code: 2,
            stderr: &["secret.key"],
            stdout: &[],
        },
        Case {
            name: "commit_force_into_a_directory_that_is_not_a_key_store",
            setup: |d| {
                store_inputs(d);
                users_directory(d);
            },
            args: &["commit", "--matrix", "a.json", "--keys", "mine", "--force"],
            code: 2,
            stderr: &["mine", "key store"],
            stdout: &[],
        },
        Case {
            name: "commit_into_an_existing_store_without_force",
            setup: store,
            args: &["commit", "--matrix", "a.json", "--keys", "keys"],
            code: 2,
            stderr: &["keys", "--force"],
            stdout: &[],
        },
    ]
}

/// `prove` over the fixture store, writing `job.bundle` and `y.json`.
const PROVE: &[&str] = &[
    "prove",
    "--keys",
    "keys",
    "--vector",
    "x.json",
    "--out",
    "job.bundle",
    "--y-out",
    "y.json",
];

/// Output targets that cannot be written, and earlier outputs a failed command must keep.
fn output_cases() -> Vec<Case> {
    vec![
        Case {
            name: "prove_out_directory_missing",
            setup: store,
            args: &[
                "prove",
                "--keys",
                "keys",
                "--vector",
                "x.json",
                "--out",
                "nodir/job.bundle",
                "--y-out",
                "y.json",
            ],
            code: 2,
            stderr: &["nodir"],
            stdout: &[],
        },
        Case {
            name: "prove_y_out_unwritable_keeps_the_old_bundle",
            setup: |d| {
                store(d);
                write(d, "job.bundle", "an older bundle");
            },
            args: &[
                "prove",
                "--keys",
                "keys",
                "--vector",
                "x.json",
                "--out",
                "job.bundle",
                "--y-out",
                "nodir/y.json",
            ],
            code: 2,
            stderr: &["nodir"],
            stdout: &[],
        },
        Case {
            name: "prove_bad_vector_keeps_the_old_bundle",
            setup: |d| {
                store(d);
                write(d, "job.bundle", "an older bundle");
                write(d, "bad.json", "[1, NaN]");
            },
            args: &[
                "prove",
                "--keys",
                "keys",
                "--vector",
                "bad.json",
                "--out",
                "job.bundle",
            ],
            code: 2,
            stderr: &["bad.json"],
            stdout: &[],
        },
        Case {
            name: "run_out_failing_late_keeps_the_older_job",
            setup: |d| {
                store_inputs(d);
                let ok = zkmr(
                    d,
                    &[
                        "run", "--matrix", "a.json", "--vector", "x.json", "--out", "out",
                    ],
                );
                assert!(ok.status.success(), "{}", stderr(&ok));
                write(d, "b.json", "[[7, 8], [9, 10]]");
                write(d, "x3.json", "[1, 2, 3]");
            },
            args: &[
                "run", "--matrix", "b.json", "--vector", "x3.json", "--out", "out",
            ],
            code: 2,
            stderr: &["x3.json", "3 entries", "2 columns"],
            stdout: &[],
        },
        Case {
            name: "run_out_is_a_file",
            setup: |d| {
                store_inputs(d);
                write(d, "result", "a file the user keeps");
            },
            args: &[
                "run", "--matrix", "a.json", "--vector", "x.json", "--out", "result",
            ],
            code: 2,
            stderr: &["result"],
            stdout: &[],
        },
    ]
}

/// Bundles that are not bundles, bundles that do not verify, commitments that are not
/// commitments, and the development SRS's warning.
fn verify_cases() -> Vec<Case> {
    vec![
        Case {
            name: "verify_bundle_missing",
            setup: store,
            args: &[
                "verify",
                "--bundle",
                "nope.bundle",
                "--commitment",
                "{keys.hex}",
            ],
            code: 2,
            stderr: &["nope.bundle"],
            stdout: &[],
        },
        Case {
            name: "verify_bundle_empty",
            setup: |d| {
                store(d);
                write(d, "empty.bundle", "");
            },
            args: &[
                "verify",
                "--bundle",
                "empty.bundle",
                "--commitment",
                "{keys.hex}",
            ],
            code: 2,
            stderr: &["empty.bundle"],
            stdout: &[],
        },
        Case {
            name: "verify_bundle_truncated",
            setup: |d| {
                proved(d);
                truncate(&d.join("job.bundle"), 100);
            },
            args: &[
                "verify",
                "--bundle",
                "job.bundle",
                "--commitment",
                "{keys.hex}",
            ],
            code: 2,
            stderr: &["job.bundle", "not a zkmr bundle"],
            stdout: &[],
        },
        Case {
            name: "verify_bundle_of_another_matrix",
            setup: |d| {
                store(d);
                other_store(d);
                let out = zkmr(
                    d,
                    &[
                        "prove",
                        "--keys",
                        "other",
                        "--vector",
                        "x.json",
                        "--out",
                        "other.bundle",
                    ],
                );
                assert!(out.status.success(), "{}", stderr(&out));
            },
            args: &[
                "verify",
                "--bundle",
                "other.bundle",
                "--commitment",
                "{keys.hex}",
            ],
            code: 1,
            stderr: &["rejected", "commitment"],
            stdout: &[],
        },
        Case {
            name: "verify_tampered_y_names_the_partition",
            setup: tampered_y,
            args: &[
                "verify",
                "--bundle",
                "job.bundle",
                "--commitment",
                "{keys.hex}",
                "--keys",
                "keys",
            ],
            code: 1,
            stderr: &["rejected: partition 1"],
            stdout: &[],
        },
        Case {
            name: "verify_tampered_y_json_names_the_partition",
            setup: tampered_y,
            args: &[
                "verify",
                "--json",
                "--bundle",
                "job.bundle",
                "--commitment",
                "{keys.hex}",
                "--keys",
                "keys",
            ],
            code: 1,
            stderr: &["rejected: partition 1"],
            stdout: &["\"verified\": false", "\"rejected_partition\": 1"],
        },
        Case {
            name: "verify_bundle_declares_a_huge_matrix",
            setup: |d| {
                proved(d);
                edit_bundle(&d.join("job.bundle"), |b| {
                    b.matrix.as_mut().unwrap().rows = 1 << 62;
                });
            },
            args: &[
                "verify",
                "--bundle",
                "job.bundle",
                "--commitment",
                "{keys.hex}",
            ],
            code: 1,
            stderr: &["rejected", "4611686018427387904"],
            stdout: &[],
        },
        Case {
            name: "verify_halo2_bundle_declares_a_huge_matrix",
            setup: |d| {
                halo2_proved(d);
                edit_bundle(&d.join("h.bundle"), |b| {
                    let matrix = b.matrix.as_mut().unwrap();
                    matrix.rows = 1 << 62;
                    matrix.cols = 1 << 40;
                });
            },
            args: &[
                "verify",
                "--bundle",
                "h.bundle",
                "--commitment",
                "{hkeys.hex}",
            ],
            code: 1,
            stderr: &["rejected", "columns"],
            stdout: &[],
        },
        Case {
            name: "verify_commitment_not_hex",
            setup: proved,
            args: &["verify", "--bundle", "job.bundle", "--commitment", "xyz"],
            code: 2,
            stderr: &["--commitment", "not hex"],
            stdout: &[],
        },
        Case {
            name: "verify_commitment_wrong_length",
            setup: proved,
            args: &["verify", "--bundle", "job.bundle", "--commitment", "00ff"],
            code: 2,
            stderr: &["--commitment", "32 bytes"],
            stdout: &[],
        },
        Case {
            name: "verify_keys_of_another_store",
            setup: |d| {
                proved(d);
                other_store(d);
            },
            args: &[
                "verify",
                "--bundle",
                "job.bundle",
                "--commitment",
                "{keys.hex}",
                "--keys",
                "other",
            ],
            code: 2,
            stderr: &["--keys", "other"],
            stdout: &[],
        },
        Case {
            name: "verify_dev_srs_bundle_says_unsafe",
            setup: halo2_proved,
            args: &[
                "verify",
                "--bundle",
                "h.bundle",
                "--commitment",
                "{hkeys.hex}",
            ],
            code: 0,
            stderr: &["UNSAFE"],
            stdout: &[],
        },
        Case {
            name: "verify_dev_srs_bundle_json_says_srs_unsafe",
            setup: halo2_proved,
            args: &[
                "verify",
                "--json",
                "--bundle",
                "h.bundle",
                "--commitment",
                "{hkeys.hex}",
            ],
            code: 0,
            stderr: &[],
            stdout: &["\"srs_unsafe\": true"],
        },
    ]
}

/// `zkmr sql`: functions called wrongly, stores and tables that are not there, vectors and
/// values that do not fit, and the session's flags out of range.
fn sql_cases() -> Vec<Case> {
    vec![
        Case {
            name: "sql_unknown_function",
            setup: |_| {},
            args: &["sql", "SELECT zkNoSuch(1)"],
            code: 2,
            stderr: &["zknosuch"],
            stdout: &[],
        },
        Case {
            name: "sql_zkmatmul_argument_types",
            setup: sql_store,
            args: &[
                "sql",
                "--table",
                "a=a.csv",
                "SELECT zkMatMul('r', 'v', [1, 2], 'keys') FROM a",
            ],
            code: 2,
            stderr: &["zkMatMul", "argument 1 (row)"],
            stdout: &[],
        },
        Case {
            name: "sql_zkmatmul_argument_count",
            setup: |_| {},
            args: &["sql", "SELECT zkMatMul(1, [1], [2])"],
            code: 2,
            stderr: &["zkMatMul takes 4 to 5 arguments, got 3"],
            stdout: &[],
        },
        Case {
            name: "sql_store_does_not_exist",
            setup: sql_store,
            args: &[
                "sql",
                "--table",
                "a=a.csv",
                "--param",
                "x=[1, 2]",
                job_sql!("$x", "nostore"),
            ],
            code: 2,
            stderr: &["nostore"],
            stdout: &[],
        },
        Case {
            name: "sql_store_is_not_a_key_store",
            setup: |d| {
                sql_store(d);
                users_directory(d);
            },
            args: &[
                "sql",
                "--table",
                "a=a.csv",
                "--param",
                "x=[1, 2]",
                job_sql!("$x", "mine"),
            ],
            code: 2,
            stderr: &["mine", "key store"],
            stdout: &[],
        },
        Case {
            name: "sql_null_vector",
            setup: sql_store,
            args: &[
                "sql",
                "--table",
                "a=a.csv",
                job_sql!("CAST(NULL AS DOUBLE[])", "keys"),
            ],
            code: 2,
            stderr: &["zkMatMul", "x is null"],
            stdout: &[],
        },
        Case {
            name: "sql_vector_wrong_length",
            setup: sql_store,
            args: &[
                "sql",
                "--table",
                "a=a.csv",
                "--param",
                "x=[1, 2, 3]",
                job_sql!("$x", "keys"),
            ],
            code: 2,
            stderr: &["zkMatMul", "3 entries", "2 columns"],
            stdout: &[],
        },
        Case {
            name: "sql_vector_nan",
            setup: sql_store,
            args: &[
                "sql",
                "--table",
                "a=a.csv",
                job_sql!("[1.0, CAST('NaN' AS DOUBLE)]", "keys"),
            ],
            code: 2,
            stderr: &["zkMatMul", "NaN"],
            stdout: &[],
        },
        Case {
            name: "sql_csv_bad_cell",
            setup: |d| {
                sql_store(d);
                write(
                    d,
                    "bad.csv",
                    "row,c0,c1\n0,1001,1002\n1,1003,x\n2,1005,1006\n",
                );
            },
            args: &[
                "sql",
                "--table",
                "a=bad.csv",
                "--param",
                "x=[1, 2]",
                job_sql!("$x", "keys"),
            ],
            code: 2,
            stderr: &["bad.csv", "'x'"],
            stdout: &[],
        },
        Case {
            name: "sql_table_file_missing",
            setup: |_| {},
            args: &["sql", "--table", "m=nope.parquet", "SELECT 1"],
            code: 2,
            stderr: &["nope.parquet"],
            stdout: &[],
        },
        Case {
            name: "sql_param_file_missing",
            setup: |_| {},
            args: &["sql", "--param", "x=@nope.json", "SELECT $x"],
            code: 2,
            stderr: &["nope.json"],
            stdout: &[],
        },
        Case {
            name: "sql_value_differs_from_the_committed_matrix",
            setup: |d| {
                sql_store(d);
                write(
                    d,
                    "diff.csv",
                    "row,c0,c1\n0,1001,1002\n1,1003,9\n2,1005,1006\n",
                );
            },
            args: &[
                "sql",
                "--table",
                "a=diff.csv",
                "--param",
                "x=[1, 2]",
                job_sql!("$x", "keys"),
            ],
            code: 2,
            stderr: &["row 1, column 1", "differs"],
            stdout: &[],
        },
        Case {
            name: "sql_partition_missing_from_the_table",
            setup: |d| {
                sql_store(d);
                write(d, "part.csv", "row,c0,c1\n0,1001,1002\n1,1003,1004\n");
            },
            args: &[
                "sql",
                "--table",
                "a=part.csv",
                "--param",
                "x=[1, 2]",
                job_sql!("$x", "keys"),
            ],
            code: 2,
            stderr: &["zkCommit", "missing from the job: 1"],
            stdout: &[],
        },
        Case {
            name: "sql_commit_matrix_into_an_existing_store",
            setup: sql_store,
            args: &[
                "sql",
                "--table",
                "a=a.csv",
                "SELECT zkCommitMatrix(row, make_array(c0, c1), 'keys') FROM a",
            ],
            code: 2,
            stderr: &["keys", "--force"],
            stdout: &[],
        },
        Case {
            name: "sql_commit_matrix_rows_per_partition_zero",
            setup: |d| write(d, "a.csv", A_CSV),
            args: &[
                "sql",
                "--table",
                "a=a.csv",
                "SELECT zkCommitMatrix(row, make_array(c0, c1), 'fresh', 0) FROM a",
            ],
            code: 2,
            stderr: &["zkCommitMatrix", "rows_per_partition"],
            stdout: &[],
        },
        Case {
            name: "sql_commit_matrix_duplicate_row",
            setup: |d| write(d, "dup.csv", "row,c0,c1\n0,1,2\n0,3,4\n"),
            args: &[
                "sql",
                "--table",
                "a=dup.csv",
                "SELECT zkCommitMatrix(row, make_array(c0, c1), 'fresh') FROM a",
            ],
            code: 2,
            stderr: &["zkCommitMatrix", "row 0"],
            stdout: &[],
        },
        Case {
            name: "sql_verify_commitment_not_hex",
            setup: |_| {},
            args: &["sql", "SELECT zkVerify(X'00', 'xyz')"],
            code: 2,
            stderr: &["zkVerify", "commitment"],
            stdout: &[],
        },
        Case {
            name: "sql_bundle_out_directory_missing",
            setup: sql_store,
            args: &[
                "sql",
                "--table",
                "a=a.csv",
                "--param",
                "x=[1, 2]",
                "--bundle-out",
                "nodir/job.bundle",
                "WITH p AS (SELECT zkMatMul(row, make_array(c0, c1), $x, 'keys') AS part \
                 FROM a GROUP BY zkPartition(row, 'keys')) \
                 SELECT zkCommit(part, 'keys', $x)['bundle'] AS bundle FROM p",
            ],
            code: 2,
            stderr: &["nodir"],
            stdout: &[],
        },
        Case {
            name: "sql_batch_size_zero",
            setup: |d| write(d, "a.csv", A_CSV),
            args: &[
                "sql",
                "--batch-size",
                "0",
                "--table",
                "a=a.csv",
                "SELECT * FROM a",
            ],
            code: 2,
            stderr: &["--batch-size"],
            stdout: &[],
        },
        Case {
            name: "sql_batch_size_absurd",
            setup: |d| write(d, "a.csv", A_CSV),
            args: &[
                "sql",
                "--batch-size",
                "18446744073709551615",
                "--table",
                "a=a.csv",
                "SELECT * FROM a",
            ],
            code: 2,
            stderr: &["--batch-size"],
            stdout: &[],
        },
    ]
}

/// Matrices in coordinate form, chain specs and chain proofs.
fn sparse_and_chain_cases() -> Vec<Case> {
    vec![
        Case {
            name: "commit_coordinates_duplicate_entry",
            setup: |d| write(d, "dup.csv", "row,col,value\n0,1,5\n1,0,2\n0,1,7\n"),
            args: &["commit", "--matrix", "dup.csv", "--keys", "keys"],
            code: 2,
            stderr: &["dup.csv", "entries 0 and 2 both give row 0, column 1"],
            stdout: &[],
        },
        Case {
            name: "commit_coordinates_negative_index",
            setup: |d| write(d, "neg.csv", "row,col,value\n0,0,1\n-1,1,2\n"),
            args: &["commit", "--matrix", "neg.csv", "--keys", "keys"],
            code: 2,
            stderr: &["neg.csv", "line 3", "row index -1"],
            stdout: &[],
        },
        Case {
            name: "commit_coordinates_value_not_a_number",
            setup: |d| write(d, "text.csv", "row,col,value\n0,1,abc\n"),
            args: &["commit", "--matrix", "text.csv", "--keys", "keys"],
            code: 2,
            stderr: &["text.csv", "line 2", "\"value\"", "\"abc\""],
            stdout: &[],
        },
        Case {
            name: "commit_coordinates_header_without_value",
            setup: |d| write(d, "w.csv", "row,col,weight\n0,1,2\n"),
            args: &["commit", "--matrix", "w.csv", "--keys", "keys"],
            code: 2,
            stderr: &["w.csv", "line 1", "\"value\""],
            stdout: &[],
        },
        Case {
            name: "commit_coordinates_outside_the_shape",
            setup: |d| write(d, "m.csv", "row,col,value\n0,0,1\n2,0,3\n"),
            args: &[
                "commit", "--matrix", "m.csv", "--keys", "keys", "--shape", "2x2",
            ],
            code: 2,
            stderr: &[
                "m.csv",
                "entry 1",
                "row 2, column 0",
                "outside the 2x2 matrix",
            ],
            stdout: &[],
        },
        Case {
            name: "commit_coordinates_json_entry_not_a_triple",
            setup: |d| write(d, "e.json", r#"{"entries": [[0, 0, 1], [1, 2]]}"#),
            args: &["commit", "--matrix", "e.json", "--keys", "keys"],
            code: 2,
            stderr: &["e.json", "entry 1", "[row, col, value]"],
            stdout: &[],
        },
        Case {
            name: "commit_coordinates_under_halo2",
            setup: |d| write(d, "m.csv", "row,col,value\n0,0,1\n1,1,3\n"),
            args: &[
                "commit",
                "--matrix",
                "m.csv",
                "--keys",
                "keys",
                "--scheme",
                "halo2",
                "--dev-srs",
            ],
            code: 2,
            stderr: &["coordinate form", "pedersen scheme only"],
            stdout: &[],
        },
        Case {
            name: "commit_shape_for_a_matrix_of_rows",
            setup: store_inputs,
            args: &[
                "commit", "--matrix", "a.json", "--keys", "keys", "--shape", "3x2",
            ],
            code: 2,
            stderr: &["--shape", "a.json"],
            stdout: &[],
        },
        Case {
            name: "chain_spec_malformed",
            setup: |d| {
                store(d);
                write(
                    d,
                    "spec.json",
                    r#"{"input": {"scale_bits": 0, "value_bits": 32}}"#,
                );
                write(d, "in.json", "[[1, 2]]");
            },
            args: &[
                "chain",
                "prove",
                "--spec",
                "spec.json",
                "--keys",
                "keys",
                "--input",
                "in.json",
                "--out",
                "p.chain",
            ],
            code: 2,
            stderr: &["spec.json", "chain spec", "stages"],
            stdout: &[],
        },
        Case {
            name: "chain_prove_without_a_stage_store",
            setup: |d| {
                store(d);
                other_store(d);
                chain_spec(d, "other");
            },
            args: &[
                "chain",
                "prove",
                "--spec",
                "spec.json",
                "--keys",
                "keys",
                "--input",
                "in.json",
                "--out",
                "p.chain",
            ],
            code: 2,
            stderr: &["stage 0 (only)", "no key store"],
            stdout: &[],
        },
        Case {
            name: "chain_prove_input_wrong_length",
            setup: |d| {
                store(d);
                chain_spec(d, "keys");
                write(d, "in.json", "[[1, 2, 3]]");
            },
            args: &[
                "chain",
                "prove",
                "--spec",
                "spec.json",
                "--keys",
                "keys",
                "--input",
                "in.json",
                "--out",
                "p.chain",
            ],
            code: 2,
            stderr: &["step 0 (only)", "3 entries", "2 columns"],
            stdout: &[],
        },
        Case {
            name: "chain_prove_out_directory_missing",
            setup: |d| {
                store(d);
                chain_spec(d, "keys");
            },
            args: &[
                "chain",
                "prove",
                "--spec",
                "spec.json",
                "--keys",
                "keys",
                "--input",
                "in.json",
                "--out",
                "nodir/p.chain",
            ],
            code: 2,
            stderr: &["nodir"],
            stdout: &[],
        },
        Case {
            name: "chain_verify_tampered_proof_names_the_step",
            setup: |d| {
                chain_proved(d);
                let mut bytes = std::fs::read(d.join("p.chain")).unwrap();
                let last = bytes.len() - 1;
                bytes[last] ^= 0x01;
                std::fs::write(d.join("p.chain"), bytes).unwrap();
            },
            args: &[
                "chain",
                "verify",
                "--spec",
                "spec.json",
                "--proof",
                "p.chain",
            ],
            code: 1,
            stderr: &["rejected", "step 0 (only)"],
            stdout: &[],
        },
        Case {
            name: "chain_verify_against_another_spec",
            setup: |d| {
                chain_proved(d);
                let spec = std::fs::read_to_string(d.join("spec.json")).unwrap();
                write(
                    d,
                    "spec.json",
                    &spec.replace("\"relu\"", "\"relu\"}, {\"op\": \"relu\""),
                );
            },
            args: &[
                "chain",
                "verify",
                "--spec",
                "spec.json",
                "--proof",
                "p.chain",
            ],
            code: 1,
            stderr: &["rejected", "another spec"],
            stdout: &[],
        },
        Case {
            name: "chain_verify_another_first_input",
            setup: |d| {
                chain_proved(d);
                write(d, "in2.json", "[[1, 3]]");
            },
            args: &[
                "chain",
                "verify",
                "--spec",
                "spec.json",
                "--proof",
                "p.chain",
                "--input",
                "in2.json",
            ],
            code: 1,
            stderr: &["rejected", "first input", "--input"],
            stdout: &[],
        },
    ]
}

// ---- running a case ----

#[test]
fn every_bad_input_is_named_and_leaves_nothing_behind() {
    let failures: Vec<String> = cases().iter().filter_map(run_case).collect();
    assert!(
        failures.is_empty(),
        "{} of {} catalogue cases failed:\n\n{}",
        failures.len(),
        cases().len(),
        failures.join("\n\n")
    );
}

/// The catalogue in `docs/bad-inputs.md` lists every case, by name, in this order.
#[test]
fn the_docs_table_lists_every_case_in_order() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/bad-inputs.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let mut from = 0;
    for case in cases() {
        let cell = format!("`{}`", case.name);
        match doc[from..].find(&cell) {
            Some(at) => from += at + cell.len(),
            None => panic!(
                "{} does not list {} (after the case before it)",
                path.display(),
                case.name
            ),
        }
    }
}

/// Runs one case in a fresh directory; `None` when it keeps every rule, otherwise what it
/// broke and what the command printed.
fn run_case(case: &Case) -> Option<String> {
    let work = tempfile::tempdir().unwrap();
    (case.setup)(work.path());
    let args: Vec<String> = case.args.iter().map(|a| fill(work.path(), a)).collect();
    let before = snapshot(work.path());
    let out = zkmr(work.path(), &args);
    let mut broken = broken_rules(case, &out);
    broken.extend(changes(&before, &snapshot(work.path())));
    if broken.is_empty() {
        return None;
    }
    Some(format!(
        "{}: zkmr {}\n  broke: {}\n  exit: {:?}\n  stderr: {}\n  stdout: {}",
        case.name,
        args.join(" "),
        broken.join("; "),
        out.status.code(),
        stderr(&out).trim_end(),
        shorten(&String::from_utf8_lossy(&out.stdout)),
    ))
}

/// The expectations on the exit code and the two streams.
fn broken_rules(case: &Case, out: &Output) -> Vec<String> {
    let (err, std) = (
        stderr(out),
        String::from_utf8_lossy(&out.stdout).to_string(),
    );
    let mut broken = Vec::new();
    if out.status.code() != Some(case.code) {
        broken.push(format!("exit code is not {}", case.code));
    }
    for needle in case.stderr {
        if !err.contains(needle) {
            broken.push(format!("stderr does not say {needle:?}"));
        }
    }
    for needle in case.stdout {
        if !std.contains(needle) {
            broken.push(format!("stdout does not say {needle:?}"));
        }
    }
    for panic in ["panicked", "RUST_BACKTRACE"] {
        if err.contains(panic) {
            broken.push(format!("stderr has panic text ({panic:?})"));
        }
    }
    if case.code == 2 && !std.trim().is_empty() {
        broken.push("stdout is not empty after bad input".into());
    }
    broken
}

/// `zkmr` in `work` with the shared SRS cache, no backtraces asked for, and limits on memory
/// and time.
fn zkmr(work: &Path, args: &[impl AsRef<std::ffi::OsStr>]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_KIB} && exec \"$0\" \"$@\""))
        .arg(assert_cmd::cargo::cargo_bin("zkmr"))
        .args(args)
        .current_dir(work)
        .env("ZKMR_CACHE_DIR", cache_dir())
        .env_remove("RUST_BACKTRACE")
        .env_remove("ZKMR_LOG")
        .timeout(TIMEOUT)
        .output()
        .unwrap()
}

/// The development SRS cache: the suite's own when set, else one under the target directory
/// kept between runs (outside the working directories, whose contents are compared).
fn cache_dir() -> PathBuf {
    std::env::var_os("ZKMR_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("zkmr-cache"))
}

/// Replaces each `{FILE}` in `arg` with the trimmed contents of FILE in `work`.
fn fill(work: &Path, arg: &str) -> String {
    let (Some(open), Some(close)) = (arg.find('{'), arg.find('}')) else {
        return arg.to_string();
    };
    let file = std::fs::read_to_string(work.join(&arg[open + 1..close])).unwrap();
    format!("{}{}{}", &arg[..open], file.trim(), &arg[close + 1..])
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn shorten(s: &str) -> String {
    const KEEP: usize = 600;
    match s.char_indices().nth(KEEP) {
        Some((at, _)) => format!("{}... ({} bytes)", &s[..at], s.len()),
        None => s.trim_end().to_string(),
    }
}

// ---- the working directory before and after ----

/// A directory's tree: each path (relative) with its bytes, or `None` for a directory.
type Tree = BTreeMap<PathBuf, Option<Vec<u8>>>;

fn snapshot(root: &Path) -> Tree {
    let mut tree = Tree::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(root).unwrap().to_path_buf();
            if path.is_symlink() {
                // A link is kept as where it points, which may be nowhere.
                let target = std::fs::read_link(&path).unwrap();
                tree.insert(
                    relative,
                    Some(format!("-> {}", target.display()).into_bytes()),
                );
            } else if path.is_dir() {
                tree.insert(relative, None);
                pending.push(path);
            } else {
                tree.insert(relative, Some(std::fs::read(&path).unwrap()));
            }
        }
    }
    tree
}

/// Every difference between two trees: changed, removed and new paths.
fn changes(before: &Tree, after: &Tree) -> Vec<String> {
    let mut out = Vec::new();
    for (path, old) in before {
        match after.get(path) {
            None => out.push(format!("removed {}", path.display())),
            Some(new) if new != old => out.push(format!("changed {}", path.display())),
            Some(_) => {}
        }
    }
    for path in after.keys().filter(|p| !before.contains_key(*p)) {
        out.push(format!("left behind {}", path.display()));
    }
    out
}

// ---- setups ----

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// The matrix and vector the fixture store is made from.
fn store_inputs(dir: &Path) {
    write(dir, "a.json", A);
    write(dir, "x.json", "[1, 2]");
}

/// Commits `matrix` (a file in `dir`) into `keys` with `extra` flags, writing the commitment
/// to `keys.hex`.
fn commit(dir: &Path, matrix: &str, keys: &str, extra: &[&str]) {
    let mut args = vec!["commit", "--matrix", matrix, "--keys", keys];
    args.extend(["--rows-per-partition", "2", "--json"]);
    args.extend(extra);
    let out = zkmr(dir, &args);
    assert!(out.status.success(), "setup: {}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let commitment = report["matrix_commitment"].as_str().unwrap();
    write(dir, &format!("{keys}.hex"), commitment);
}

/// The fixture: `a.json`, `x.json` and the pedersen store `keys` (two partitions).
fn store(dir: &Path) {
    store_inputs(dir);
    commit(dir, "a.json", "keys", &[]);
}

/// `spec.json`: a one-stage chain over the store `keys` names (ReLU after the product), and
/// its input `in.json`.
fn chain_spec(dir: &Path, keys: &str) {
    let commitment = std::fs::read_to_string(dir.join(format!("{keys}.hex"))).unwrap();
    let spec = format!(
        r#"{{"input": {{"scale_bits": 0, "value_bits": 32}}, "stages": [{{"name": "only", "commitment": "{}", "then": [{{"op": "relu"}}]}}]}}"#,
        commitment.trim()
    );
    write(dir, "spec.json", &spec);
    write(dir, "in.json", "[[1, 2]]");
}

/// The fixture store, its chain spec and a chain proof `p.chain`.
fn chain_proved(dir: &Path) {
    store(dir);
    chain_spec(dir, "keys");
    let out = zkmr(
        dir,
        &[
            "chain",
            "prove",
            "--spec",
            "spec.json",
            "--keys",
            "keys",
            "--input",
            "in.json",
            "--out",
            "p.chain",
        ],
    );
    assert!(out.status.success(), "setup: {}", stderr(&out));
}

/// A second store, `other`, of another matrix of the same shape.
fn other_store(dir: &Path) {
    write(dir, "b.json", "[[7, 8], [9, 10], [11, 12]]");
    commit(dir, "b.json", "other", &[]);
}

/// The fixture and its bundle, `job.bundle`.
fn proved(dir: &Path) {
    store(dir);
    let out = zkmr(
        dir,
        &[
            "prove",
            "--keys",
            "keys",
            "--vector",
            "x.json",
            "--out",
            "job.bundle",
        ],
    );
    assert!(out.status.success(), "setup: {}", stderr(&out));
}

/// A halo2 store under the development SRS, `hkeys`, and its bundle, `h.bundle`.
fn halo2_proved(dir: &Path) {
    store_inputs(dir);
    commit(dir, "a.json", "hkeys", &["--scheme", "halo2", "--dev-srs"]);
    let out = zkmr(
        dir,
        &[
            "prove", "--keys", "hkeys", "--vector", "x.json", "--out", "h.bundle",
        ],
    );
    assert!(out.status.success(), "setup: {}", stderr(&out));
}

/// Sizes read from an untrusted file or a flag: bounded before anything is allocated for them
/// (each of these once aborted the process on an allocation; the 8 GiB memory limit every
/// case runs under makes a regression fail here instead of swapping).
fn size_cases() -> Vec<Case> {
    vec![
        Case {
            name: "chain_verify_uniform_start_of_2_32_columns",
            setup: |d| uniform_chain_proved(d, 1 << 32),
            args: &[
                "chain",
                "verify",
                "--spec",
                "uspec.json",
                "--proof",
                "u.chain",
            ],
            code: 1,
            stderr: &["step 0", "not one vector over a matrix the spec can start"],
            stdout: &[],
        },
        Case {
            name: "chain_verify_uniform_start_of_2_28_columns",
            setup: |d| uniform_chain_proved(d, 1 << 28),
            args: &[
                "chain",
                "verify",
                "--spec",
                "uspec.json",
                "--proof",
                "u.chain",
            ],
            code: 1,
            stderr: &["step 0", "not one vector over a matrix the spec can start"],
            stdout: &[],
        },
        Case {
            name: "verify_aggregated_claims_k_40",
            setup: |d| crafted_aggregate(d, 40),
            args: &[
                "verify",
                "--aggregated",
                "agg.proof",
                "--commitment",
                "0000000000000000000000000000000000000000000000000000000000000000",
                "--dev-srs",
            ],
            code: 2,
            stderr: &["agg.proof", "k = 40", "1..=22"],
            stdout: &[],
        },
        Case {
            name: "verify_aggregated_one_past_the_largest_k",
            setup: |d| crafted_aggregate(d, 23),
            args: &[
                "verify",
                "--aggregated",
                "agg.proof",
                "--commitment",
                "0000000000000000000000000000000000000000000000000000000000000000",
                "--dev-srs",
            ],
            code: 2,
            stderr: &["agg.proof", "k = 23"],
            stdout: &[],
        },
        Case {
            name: "aggregate_k_40",
            setup: proved,
            args: &[
                "aggregate",
                "--bundle",
                "job.bundle",
                "--k",
                "40",
                "--dev-srs",
                "--out",
                "agg",
            ],
            code: 2,
            stderr: &["--k", "k = 40", "1..=22"],
            stdout: &[],
        },
        Case {
            name: "aggregate_a_pedersen_bundle",
            setup: proved,
            args: &[
                "aggregate",
                "--bundle",
                "job.bundle",
                "--dev-srs",
                "--out",
                "agg",
            ],
            code: 2,
            stderr: &["job.bundle", "not halo2"],
            stdout: &[],
        },
        Case {
            name: "commit_sparse_shape_of_2_28_rows",
            setup: |d| write(d, "s.csv", "row,col,value\n0,1,5\n"),
            args: &[
                "commit",
                "--matrix",
                "s.csv",
                "--shape",
                "268435456x3",
                "--keys",
                "keys",
            ],
            code: 2,
            stderr: &["s.csv", "268435456x3", "16777216 rows"],
            stdout: &[],
        },
        Case {
            name: "commit_sparse_shape_of_2_32_columns",
            setup: |d| write(d, "s.csv", "row,col,value\n0,1,5\n"),
            args: &[
                "commit",
                "--matrix",
                "s.csv",
                "--shape",
                "4x4294967296",
                "--keys",
                "keys",
            ],
            code: 2,
            stderr: &["s.csv", "4x4294967296", "16777216 columns"],
            stdout: &[],
        },
        Case {
            name: "commit_sparse_shape_one_past_the_limit",
            setup: |d| write(d, "s.csv", "row,col,value\n0,1,5\n"),
            args: &[
                "commit",
                "--matrix",
                "s.csv",
                "--shape",
                "16777217x2",
                "--keys",
                "keys",
            ],
            code: 2,
            stderr: &["s.csv", "16777217x2"],
            stdout: &[],
        },
        Case {
            name: "prove_batch_over_the_vector_limit",
            setup: |d| {
                store(d);
                let batch = vec!["[1, 2]"; (1 << 20) + 1].join(",");
                write(d, "many.json", &format!("[{batch}]"));
            },
            args: &[
                "prove",
                "--keys",
                "keys",
                "--vectors",
                "many.json",
                "--out",
                "b.bundle",
            ],
            code: 2,
            stderr: &["many.json", "1048577 vectors", "batches of at most 1048576"],
            stdout: &[],
        },
    ]
}

/// Outputs that would land on the key store in use, an input of the same command or another
/// output: refused before any work, every file kept.
fn path_cases() -> Vec<Case> {
    vec![
        Case {
            name: "prove_out_into_the_key_store",
            setup: store,
            args: &[
                "prove",
                "--keys",
                "keys",
                "--vector",
                "x.json",
                "--out",
                "keys/manifest.json",
            ],
            code: 2,
            stderr: &["--out", "keys/manifest.json", "inside the key store"],
            stdout: &[],
        },
        Case {
            name: "prove_y_out_over_the_secret_key",
            setup: store,
            args: &[
                "prove",
                "--keys",
                "keys",
                "--vector",
                "x.json",
                "--out",
                "b.bundle",
                "--y-out",
                "keys/secret.key",
            ],
            code: 2,
            stderr: &["--y-out", "keys/secret.key", "inside the key store"],
            stdout: &[],
        },
        Case {
            name: "chain_prove_out_into_the_key_store",
            setup: |d| {
                store(d);
                chain_spec(d, "keys");
            },
            args: &[
                "chain",
                "prove",
                "--spec",
                "spec.json",
                "--keys",
                "keys",
                "--input",
                "in.json",
                "--out",
                "keys/partitions/000000.part",
            ],
            code: 2,
            stderr: &["--out", "000000.part", "inside the key store"],
            stdout: &[],
        },
        Case {
            name: "prove_out_over_its_vector",
            setup: store,
            args: &[
                "prove", "--keys", "keys", "--vector", "x.json", "--out", "x.json",
            ],
            code: 2,
            stderr: &["--out x.json", "input of --vector"],
            stdout: &[],
        },
        Case {
            name: "prove_out_through_a_link_to_its_vector",
            setup: |d| {
                store(d);
                std::os::unix::fs::symlink("x.json", d.join("link.json")).unwrap();
            },
            args: &[
                "prove",
                "--keys",
                "keys",
                "--vector",
                "x.json",
                "--out",
                "link.json",
            ],
            code: 2,
            stderr: &["link.json", "input of --vector"],
            stdout: &[],
        },
        Case {
            name: "chain_prove_out_over_its_spec",
            setup: |d| {
                store(d);
                chain_spec(d, "keys");
            },
            args: &[
                "chain",
                "prove",
                "--spec",
                "spec.json",
                "--keys",
                "keys",
                "--input",
                "in.json",
                "--out",
                "spec.json",
            ],
            code: 2,
            stderr: &["--out spec.json", "input of --spec"],
            stdout: &[],
        },
        Case {
            name: "open_out_over_its_bundle",
            setup: proved,
            args: &[
                "open",
                "--keys",
                "keys",
                "--bundle",
                "job.bundle",
                "--partition",
                "0",
                "--out",
                "job.bundle",
            ],
            code: 2,
            stderr: &["--out job.bundle", "input of --bundle"],
            stdout: &[],
        },
        Case {
            name: "chain_prove_proof_and_output_on_one_path",
            setup: |d| {
                store(d);
                chain_spec(d, "keys");
            },
            args: &[
                "chain",
                "prove",
                "--spec",
                "spec.json",
                "--keys",
                "keys",
                "--input",
                "in.json",
                "--out",
                "p.chain",
                "--output-out",
                "p.chain",
            ],
            code: 2,
            stderr: &["--out and --output-out", "p.chain"],
            stdout: &[],
        },
        Case {
            name: "run_out_names_a_key_store",
            setup: store,
            args: &[
                "run", "--matrix", "a.json", "--vector", "x.json", "--out", "keys",
            ],
            code: 2,
            stderr: &["keys is a key store", "DIR/keys"],
            stdout: &[],
        },
        Case {
            name: "commit_matrix_inside_the_store_it_replaces",
            setup: |d| {
                store(d);
                write(d, "keys/mine.json", A);
            },
            args: &[
                "commit",
                "--matrix",
                "keys/mine.json",
                "--keys",
                "keys",
                "--force",
            ],
            code: 2,
            stderr: &["--matrix", "keys/mine.json", "inside --keys"],
            stdout: &[],
        },
        Case {
            name: "prove_out_to_a_full_disk",
            setup: store,
            args: &[
                "prove",
                "--keys",
                "keys",
                "--vector",
                "x.json",
                "--out",
                "/dev/full",
            ],
            code: 2,
            stderr: &["/dev/full", "No space left"],
            stdout: &[],
        },
        Case {
            name: "prove_out_through_a_dangling_link",
            setup: |d| {
                store(d);
                std::os::unix::fs::symlink("gone/b.bundle", d.join("dangling")).unwrap();
            },
            args: &[
                "prove", "--keys", "keys", "--vector", "x.json", "--out", "dangling",
            ],
            code: 2,
            stderr: &["dangling", "symbolic link to nothing"],
            stdout: &[],
        },
    ]
}

/// Exit codes as documented for every verifier: 2 for a file that is not the artifact asked
/// for (empty, cut short, another kind), 1 only for one that decodes and fails.
fn exit_cases() -> Vec<Case> {
    vec![
        Case {
            name: "chain_verify_empty_file",
            setup: |d| {
                chain_proved(d);
                write(d, "empty.chain", "");
            },
            args: &[
                "chain",
                "verify",
                "--spec",
                "spec.json",
                "--proof",
                "empty.chain",
            ],
            code: 2,
            stderr: &["empty.chain", "chain proof version 0"],
            stdout: &[],
        },
        Case {
            name: "chain_verify_truncated_proof",
            setup: |d| {
                chain_proved(d);
                let len = std::fs::metadata(d.join("p.chain")).unwrap().len() as usize;
                truncate(&d.join("p.chain"), len / 2);
            },
            args: &[
                "chain",
                "verify",
                "--spec",
                "spec.json",
                "--proof",
                "p.chain",
            ],
            code: 2,
            stderr: &["p.chain", "not a chain proof"],
            stdout: &[],
        },
        Case {
            name: "chain_verify_a_bundle",
            setup: |d| {
                chain_proved(d);
                let out = zkmr(
                    d,
                    &[
                        "prove",
                        "--keys",
                        "keys",
                        "--vector",
                        "x.json",
                        "--out",
                        "job.bundle",
                    ],
                );
                assert!(out.status.success(), "setup: {}", stderr(&out));
            },
            args: &[
                "chain",
                "verify",
                "--spec",
                "spec.json",
                "--proof",
                "job.bundle",
            ],
            code: 2,
            stderr: &["job.bundle", "not a chain proof"],
            stdout: &[],
        },
        Case {
            name: "verify_opening_empty_file",
            setup: |d| {
                store(d);
                write(d, "empty.opening", "");
            },
            args: &[
                "verify",
                "--opening",
                "empty.opening",
                "--commitment",
                "{keys.hex}",
            ],
            code: 2,
            stderr: &["empty.opening", "opening version 0"],
            stdout: &[],
        },
        Case {
            name: "verify_opening_a_bundle",
            setup: proved,
            args: &[
                "verify",
                "--opening",
                "job.bundle",
                "--commitment",
                "{keys.hex}",
            ],
            code: 2,
            stderr: &["job.bundle", "partition opening"],
            stdout: &[],
        },
    ]
}

/// Inputs that were refused with a generic message: each now says what is wrong and where.
fn message_cases() -> Vec<Case> {
    vec![
        Case {
            name: "commit_empty_file",
            setup: |d| write(d, "empty.csv", ""),
            args: &["commit", "--matrix", "empty.csv", "--keys", "keys"],
            code: 2,
            stderr: &["empty.csv", "the file is empty"],
            stdout: &[],
        },
        Case {
            name: "commit_coordinates_json_negative_column",
            setup: |d| write(d, "neg.json", r#"{"entries": [[0, 1, 5], [0, -1, 5]]}"#),
            args: &["commit", "--matrix", "neg.json", "--keys", "keys"],
            code: 2,
            stderr: &["neg.json", "entry 1: column -1 is negative"],
            stdout: &[],
        },
        Case {
            name: "commit_coordinates_json_value_is_a_string",
            setup: |d| write(d, "text.json", r#"{"entries": [[0, 1, "1.5"]]}"#),
            args: &["commit", "--matrix", "text.json", "--keys", "keys"],
            code: 2,
            stderr: &[
                "text.json",
                "entry 0: value \"1.5\" is a string, not a number",
            ],
            stdout: &[],
        },
        Case {
            name: "prove_vectors_empty_list",
            setup: |d| {
                store(d);
                write(d, "none.json", "[]");
            },
            args: &[
                "prove",
                "--keys",
                "keys",
                "--vectors",
                "none.json",
                "--out",
                "b.bundle",
            ],
            code: 2,
            stderr: &["none.json", "the batch has no vectors"],
            stdout: &[],
        },
        Case {
            name: "open_batch_input_past_the_end",
            setup: batch_proved,
            args: &[
                "open",
                "--batch",
                "b.zkmr",
                "--input",
                "5",
                "--out",
                "in5.opening",
            ],
            code: 2,
            stderr: &["inputs 0..5", "no input 5"],
            stdout: &[],
        },
        Case {
            name: "verify_input_opening_cut_short",
            setup: |d| {
                batch_proved(d);
                let out = zkmr(
                    d,
                    &[
                        "open",
                        "--batch",
                        "b.zkmr",
                        "--input",
                        "3",
                        "--out",
                        "in3.opening",
                    ],
                );
                assert!(out.status.success(), "setup: {}", stderr(&out));
                let bytes = std::fs::read(d.join("in3.opening")).unwrap();
                std::fs::write(d.join("in3.opening"), &bytes[..bytes.len() / 2]).unwrap();
            },
            args: &[
                "verify",
                "--opening",
                "in3.opening",
                "--commitment",
                "{keys.hex}",
            ],
            code: 2,
            stderr: &["in3.opening", "not an input opening"],
            stdout: &[],
        },
        Case {
            name: "prove_chunked_batch_short_vector_mid_stream",
            setup: |d| {
                store(d);
                write(d, "xs.json", "[[1, 2], [3, 4], [5, 6], [7], [9, 10]]");
            },
            args: &[
                "prove",
                "--keys",
                "keys",
                "--vectors",
                "xs.json",
                "--chunk",
                "2",
                "--out",
                "b.zkmr",
            ],
            code: 2,
            stderr: &["xs.json", "the chunk of vectors 2..4"],
            stdout: &[],
        },
        Case {
            name: "verify_batch_chunk_file_missing",
            setup: |d| {
                batch_in_chunk_files(d);
                std::fs::remove_file(d.join("chunks/00001.bundle")).unwrap();
            },
            args: &["verify", "--bundle", "b.zkmr", "--commitment", "{keys.hex}"],
            code: 1,
            stderr: &["chunk 1 (inputs from 2)", "chunks/00001.bundle"],
            stdout: &[],
        },
        Case {
            name: "verify_batch_chunk_file_outside_its_directory",
            setup: |d| {
                batch_in_chunk_files(d);
                rename_chunk_file(d, 1, "../00001.bundle");
            },
            args: &["verify", "--bundle", "b.zkmr", "--commitment", "{keys.hex}"],
            code: 1,
            stderr: &[
                "chunk 1 (inputs from 2)",
                "\"../00001.bundle\"",
                "not a relative path of plain names",
            ],
            stdout: &[],
        },
        Case {
            name: "verify_y_packed_wider_than_its_entries_need",
            setup: y_packed_wider,
            args: &[
                "verify",
                "--bundle",
                "job.bundle",
                "--commitment",
                "{keys.hex}",
                "--keys",
                "keys",
            ],
            code: 1,
            stderr: &[
                "rejected: partition 1",
                "partition 1 y",
                "not the shortest form",
            ],
            stdout: &[],
        },
    ]
}

/// The records of the batch proof `b.zkmr` in `dir`, after the magic word.
fn batch_records(dir: &Path) -> Vec<zkmr_proto::BatchRecord> {
    use prost::Message;
    let bytes = std::fs::read(dir.join("b.zkmr")).unwrap();
    let mut rest = &bytes[zkmr_core::batch::MAGIC.len()..];
    let mut records = Vec::new();
    while !rest.is_empty() {
        let len = u64::from_le_bytes(rest[..8].try_into().unwrap()) as usize;
        records.push(zkmr_proto::BatchRecord::decode(&rest[8..8 + len]).unwrap());
        rest = &rest[8 + len..];
    }
    records
}

/// Writes `records` to `b.zkmr` in `dir`, as a batch proof.
fn write_batch_records(dir: &Path, records: &[zkmr_proto::BatchRecord]) {
    use prost::Message;
    let mut bytes = zkmr_core::batch::MAGIC.to_vec();
    for record in records {
        let encoded = record.encode_to_vec();
        bytes.extend((encoded.len() as u64).to_le_bytes());
        bytes.extend(encoded);
    }
    std::fs::write(dir.join("b.zkmr"), bytes).unwrap();
}

/// [`batch_proved`], written as an engine writes a batch: each chunk's bundle in
/// `chunks/NNNNN.bundle`, named by its record.
fn batch_in_chunk_files(dir: &Path) {
    use prost::Message;
    use zkmr_proto::batch_record::Record;
    batch_proved(dir);
    std::fs::create_dir(dir.join("chunks")).unwrap();
    let mut records = batch_records(dir);
    for record in &mut records {
        if let Some(Record::Chunk(chunk)) = &mut record.record {
            chunk.file = format!("chunks/{:05}.bundle", chunk.index);
            let bundle = chunk.bundle.take().unwrap().encode_to_vec();
            std::fs::write(dir.join(&chunk.file), bundle).unwrap();
        }
    }
    write_batch_records(dir, &records);
}

/// Makes chunk `index` of `b.zkmr` name `file`.
fn rename_chunk_file(dir: &Path, index: u32, file: &str) {
    use zkmr_proto::batch_record::Record;
    let mut records = batch_records(dir);
    for record in &mut records {
        if let Some(Record::Chunk(chunk)) = &mut record.record {
            if chunk.index == index {
                chunk.file = file.into();
            }
        }
    }
    write_batch_records(dir, &records);
}

/// The fixture store and a batch proof `b.zkmr` of five vectors in chunks of two.
fn batch_proved(dir: &Path) {
    store(dir);
    write(dir, "xs.json", "[[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]");
    let out = zkmr(
        dir,
        &[
            "prove",
            "--keys",
            "keys",
            "--vectors",
            "xs.json",
            "--chunk",
            "2",
            "--out",
            "b.zkmr",
        ],
    );
    assert!(out.status.success(), "setup: {}", stderr(&out));
}

/// A one-stage chain over `keys` that starts from the uniform vector (`uspec.json`), and its
/// proof `u.chain` with step 0's matrix header rewritten to claim `cols` columns.
fn uniform_chain_proved(dir: &Path, cols: u64) {
    store(dir);
    let commitment = std::fs::read_to_string(dir.join("keys.hex")).unwrap();
    write(
        dir,
        "uspec.json",
        &format!(
            r#"{{"input": {{"scale_bits": 4, "value_bits": 32, "uniform": true}}, "stages": [{{"name": "only", "commitment": "{}"}}]}}"#,
            commitment.trim()
        ),
    );
    let out = zkmr(
        dir,
        &[
            "chain",
            "prove",
            "--spec",
            "uspec.json",
            "--keys",
            "keys",
            "--out",
            "u.chain",
        ],
    );
    assert!(out.status.success(), "setup: {}", stderr(&out));
    use prost::Message;
    let path = dir.join("u.chain");
    let mut proof = zkmr_proto::ChainProof::decode(&*std::fs::read(&path).unwrap()).unwrap();
    proof.steps[0].matrix.as_mut().unwrap().cols = cols;
    std::fs::write(&path, proof.encode_to_vec()).unwrap();
}

/// `agg.proof`: an aggregated proof of a 3×2 halo2 matrix, consistent in every field that a
/// verifier reads before building keys (the development SRS's points, x, y and partitions),
/// that claims aggregation circuits of `2^k` rows.
fn crafted_aggregate(dir: &Path, k: u32) {
    use prost::Message;
    let srs = zkmr_core::halo2::srs::development(4, &cache_dir()).unwrap();
    let zero = vec![0u8; 32];
    let proof = zkmr_proto::AggregatedProof {
        version: zkmr_proto::AGGREGATED_VERSION,
        matrix: Some(zkmr_proto::MatrixMeta {
            rows: 3,
            cols: 2,
            encoding: Some(zkmr_proto::FixedPoint {
                scale_bits: 0,
                value_bits: 32,
            }),
            rows_per_partition: 2,
            fold: 1,
            k: 4,
            srs_digest: zero.clone(),
        }),
        partitions: 2,
        fan_in: 2,
        k,
        srs: Some(zkmr_core::halo2::srs::VerifierSrs::of(&srs).to_proto()),
        matrix_commitment: zero.clone(),
        job_root: zero.clone(),
        x_digest: zero.clone(),
        y_digest: zero.clone(),
        accumulator: vec![zero.clone(); 12],
        proof: Vec::new(),
        x: vec![1, 2],
        x_encoding: Some(zkmr_proto::FixedPoint {
            scale_bits: 0,
            value_bits: 32,
        }),
        y: vec![0u8; 3 * 16],
    };
    std::fs::write(dir.join("agg.proof"), proof.encode_to_vec()).unwrap();
}

/// A verdict is about one `x` and one commitment: another `x`, another job root, a split key
/// and a store that commits to another matrix are all refused.
fn binding_cases() -> Vec<Case> {
    vec![
        Case {
            name: "verify_bundle_of_another_x_names_x",
            setup: |d| {
                proved(d);
                write(d, "x2.json", "[1, 3]");
            },
            args: &[
                "verify",
                "--bundle",
                "job.bundle",
                "--commitment",
                "{keys.hex}",
                "--vector",
                "x2.json",
            ],
            code: 1,
            stderr: &["rejected: x:", "x[1]"],
            stdout: &[],
        },
        Case {
            name: "verify_bundle_of_another_x_digest",
            setup: proved,
            args: &[
                "verify",
                "--bundle",
                "job.bundle",
                "--commitment",
                "{keys.hex}",
                "--x-digest",
                "0000000000000000000000000000000000000000000000000000000000000000",
            ],
            code: 1,
            stderr: &["rejected: x:", "digest"],
            stdout: &[],
        },
        Case {
            name: "verify_keys_partition_with_job_root",
            setup: proved,
            args: &[
                "verify",
                "--bundle",
                "job.bundle",
                "--commitment",
                "{keys.hex}",
                "--keys",
                "keys",
                "--partition",
                "0",
                "--job-root",
                "0000000000000000000000000000000000000000000000000000000000000000",
            ],
            code: 2,
            stderr: &["--job-root", "--partition"],
            stdout: &[],
        },
        Case {
            name: "prove_store_of_another_commitment",
            setup: |d| {
                store(d);
                other_store(d);
            },
            args: &[
                "prove",
                "--keys",
                "keys",
                "--commitment",
                "{other.hex}",
                "--vector",
                "x.json",
                "--out",
                "o.bundle",
            ],
            code: 2,
            stderr: &["keys", "not the expected commitment"],
            stdout: &[],
        },
        Case {
            name: "verify_opening_of_another_x",
            setup: |d| {
                opened(d);
                write(d, "x2.json", "[1, 3]");
            },
            args: &[
                "verify",
                "--opening",
                "p0.opening",
                "--commitment",
                "{keys.hex}",
                "--vector",
                "x2.json",
            ],
            code: 1,
            stderr: &["rejected: x:", "x[1]"],
            stdout: &[],
        },
        Case {
            name: "verify_opening_of_another_job",
            setup: opened,
            args: &[
                "verify",
                "--opening",
                "p0.opening",
                "--commitment",
                "{keys.hex}",
                "--job-root",
                "0000000000000000000000000000000000000000000000000000000000000001",
            ],
            code: 1,
            stderr: &["rejected: partition 0", "job root"],
            stdout: &[],
        },
        Case {
            name: "verify_opening_of_a_split_key",
            setup: split_opening,
            args: &[
                "verify",
                "--opening",
                "split.opening",
                "--commitment",
                "{keys.hex}",
            ],
            code: 1,
            stderr: &["rejected: partition 0", "committed matrix"],
            stdout: &[],
        },
        Case {
            name: "prove_store_of_an_earlier_version",
            setup: |d| {
                store(d);
                let path = d.join("keys/manifest.json");
                let text = std::fs::read_to_string(&path).unwrap();
                std::fs::write(&path, text.replace("\"version\": 5", "\"version\": 4")).unwrap();
            },
            args: &[
                "prove", "--keys", "keys", "--vector", "x.json", "--out", "o.bundle",
            ],
            code: 2,
            stderr: &["manifest.json", "earlier zkmr", "commit the matrix again"],
            stdout: &[],
        },
    ]
}

/// The fixture's bundle and an opening of its partition 0, `p0.opening`.
fn opened(dir: &Path) {
    proved(dir);
    let out = zkmr(
        dir,
        &[
            "open",
            "--keys",
            "keys",
            "--bundle",
            "job.bundle",
            "--partition",
            "0",
            "--out",
            "p0.opening",
        ],
    );
    assert!(out.status.success(), "setup: {}", stderr(&out));
}

/// `split.opening`: what a committer holding the fixture's store (key, blindings and all)
/// makes to open partition 0 to the rows of another matrix, `[[7, 8], [9, 10]]`, under the
/// fixture's commitment — the review's split key, built with everything the committer has.
fn split_opening(dir: &Path) {
    use prost::Message;
    use zkmr_core::pedersen::opening::{make, Parts};
    use zkmr_core::pedersen::statement::{
        job_leaf, job_root, vectors_digest, MatrixHeader, PartitionId,
    };
    use zkmr_core::pedersen::transcript::merkle_path;
    store(dir);
    let open = zkmr_core::job::JobRunner::open(&dir.join("keys")).unwrap();
    let prover = zkmr_core::pedersen::store::PedersenProver::new(open.store.clone()).unwrap();
    let commitment = open.commitment().unwrap();
    let x = [1i64, 2];
    // A·x is [3005, 3011, 3017]; partition 0 (rows 0..2) claims [7, 8]·x and [9, 10]·x.
    let y: Vec<i128> = vec![23, 29, 3017];
    let ids = [
        PartitionId {
            index: 0,
            row_start: 0,
            row_end: 2,
        },
        PartitionId {
            index: 1,
            row_start: 2,
            row_end: 3,
        },
    ];
    let leaves: Vec<[u8; 32]> = ids
        .iter()
        .map(|id| {
            job_leaf(
                id,
                &vectors_digest(&x),
                &y[id.row_start as usize..id.row_end as usize],
            )
        })
        .collect();
    let encoding = zkmr_core::fixed_point::FixedPoint::new(0, 32).unwrap();
    let manifest = &open.store.manifest;
    let opening = make(Parts {
        header: MatrixHeader {
            rows: 3,
            cols: 2,
            encoding: manifest.encoding,
            rows_per_partition: 2,
        },
        commitment: &commitment,
        columns: prover.columns().unwrap(),
        id: ids[0],
        x: &x,
        x_encoding: encoding,
        vectors: 1,
        y: &y,
        job_path: merkle_path(&leaves, 0),
        job_root: job_root(&commitment, 1, encoding, &leaves),
        blindings: &prover.secret().unwrap().column_blindings,
    });
    std::fs::write(dir.join("split.opening"), opening.encode_to_vec()).unwrap();
}

/// The fixture's bundle with the first output of partition 1 changed.
fn tampered_y(dir: &Path) {
    proved(dir);
    edit_bundle(&dir.join("job.bundle"), |bundle| {
        let mut y = zkmr_core::field::unpack_i128(&bundle.partitions[1].y, "y").unwrap();
        y[0] += 1;
        bundle.partitions[1].y = zkmr_core::field::pack_i128(&y);
    });
}

/// The fixture's bundle with partition 1's `y` one byte wider per entry than its entries need:
/// the same values, another encoding, which would give one `y` two byte strings.
fn y_packed_wider(dir: &Path) {
    proved(dir);
    edit_bundle(&dir.join("job.bundle"), |bundle| {
        let y = zkmr_core::field::unpack_i128(&bundle.partitions[1].y, "y").unwrap();
        let width = bundle.partitions[1].y[0] as usize + 1;
        let mut wider = vec![width as u8];
        for v in &y {
            wider.extend_from_slice(&v.to_le_bytes()[..width]);
        }
        bundle.partitions[1].y = wider;
    });
}

/// Rewrites a bundle through `edit`, as an attacker holding the file could.
fn edit_bundle(path: &Path, edit: impl FnOnce(&mut zkmr_proto::Bundle)) {
    let mut bundle = zkmr_core::bundle::read(path).unwrap();
    edit(&mut bundle);
    zkmr_core::bundle::write(&bundle, path).unwrap();
}

/// The fixture store and the matrix as a CSV table, `a.csv`.
fn sql_store(dir: &Path) {
    store(dir);
    write(dir, "a.csv", A_CSV);
}

/// A directory of the user's that is not a key store: `mine/notes.txt`.
fn users_directory(dir: &Path) {
    std::fs::create_dir(dir.join("mine")).unwrap();
    write(dir, "mine/notes.txt", "the user's own notes");
}

fn truncate(path: &Path, len: usize) {
    let bytes = std::fs::read(path).unwrap();
    std::fs::write(path, &bytes[..len]).unwrap();
}

/// Rewrites the fixture store's manifest through `edit`.
fn edit_manifest(dir: &Path, edit: impl FnOnce(&mut Value)) {
    let path = dir.join("keys/manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut manifest);
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
}

/// Changes the stored value of A[0][0] (1001, little-endian in the block whatever its width)
/// to 1000, leaving the column commitments as they were.
fn flip_block_byte(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let needle = 1001i32.to_le_bytes();
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the block holds A[0][0]");
    bytes[at] ^= 1;
    std::fs::write(path, bytes).unwrap();
}

/// A matrix table whose second row index is 2^62.
fn huge_row_parquet(dir: &Path) {
    parquet(
        dir,
        "huge.parquet",
        &[(0, &[1.0, 2.0]), (1 << 62, &[3.0, 4.0])],
    );
}

/// Writes `rows` as a matrix table (`row: int64, values: list<float64>`), any index allowed.
fn parquet(dir: &Path, name: &str, rows: &[(i64, &[f64])]) {
    let index = Int64Array::from_iter_values(rows.iter().map(|(i, _)| *i));
    let mut values = ListBuilder::new(Float64Builder::new());
    for (_, row) in rows {
        values.values().append_slice(row);
        values.append(true);
    }
    let batch = RecordBatch::try_from_iter([
        ("row", Arc::new(index) as ArrayRef),
        ("values", Arc::new(values.finish()) as ArrayRef),
    ])
    .unwrap();
    let file = std::fs::File::create(dir.join(name)).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}
