//! Where outputs go when a path is not a plain new file: devices, FIFOs, links, descriptors
//! and `-` are written through and never replaced, a closed stdout ends a report quietly,
//! inputs come through pipes, and a killed commit's leftovers are cleaned by the next one.

use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::process::Stdio;

use assert_cmd::Command;

mod common;

use common::json_out;

fn zkmr(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("zkmr").unwrap();
    cmd.current_dir(dir)
        .env("ZKMR_CACHE_DIR", cache_dir())
        .env_remove("ZKMR_LOG");
    cmd
}

fn cache_dir() -> std::path::PathBuf {
    std::env::var_os("ZKMR_CACHE_DIR")
        .map(Into::into)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("zkmr-cache"))
}

/// `A = [[1, 2], [3, 4], [5, 6]]` committed to `keys`; its commitment.
fn store(dir: &Path) -> String {
    std::fs::write(dir.join("a.json"), "[[1, 2], [3, 4], [5, 6]]").unwrap();
    std::fs::write(dir.join("x.json"), "[1, 2]").unwrap();
    let report =
        json_out(zkmr(dir).args(["commit", "--matrix", "a.json", "--keys", "keys", "--json"]));
    report["matrix_commitment"].as_str().unwrap().to_string()
}

/// Verifies the bundle at `path` for x = [1, 2] and returns its `y`, the plain product of
/// the fixture's matrix.
fn verified_y(dir: &Path, path: &Path, commitment: &str) -> Vec<f64> {
    let report = json_out(
        zkmr(dir)
            .args([
                "verify",
                "--vector",
                "x.json",
                "--commitment",
                commitment,
                "--json",
            ])
            .arg("--bundle")
            .arg(path),
    );
    serde_json::from_value(report["y"].clone()).unwrap()
}

const Y: [f64; 3] = [5.0, 11.0, 17.0];

/// Stand-ins for `/dev/null` and `/dev/full` made with mknod where the test runs as root (as
/// CI does), so that a regression replaces a node of the test's own and not the machine's;
/// the real ones otherwise, which a user cannot replace anyway and the test still reads.
fn device(dir: &Path, name: &str, minor: u32) -> std::path::PathBuf {
    let path = dir.join(name);
    let made = std::process::Command::new("mknod")
        .arg(&path)
        .args(["c", "1", &minor.to_string()])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if made {
        path
    } else {
        Path::new("/dev").join(name)
    }
}

#[test]
fn special_files_and_links_are_written_through_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let commitment = store(d);
    let prove = |out: &Path| {
        zkmr(d)
            .args(["prove", "--keys", "keys", "--vector", "x.json", "--out"])
            .arg(out)
            .output()
            .unwrap()
    };

    let null = device(d, "null", 3);
    assert!(prove(&null).status.success());
    assert!(std::fs::metadata(&null)
        .unwrap()
        .file_type()
        .is_char_device());

    let full = device(d, "full", 7);
    let out = prove(&full);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("No space left"));
    assert!(out.stdout.is_empty(), "nothing reported for a failed write");
    assert!(std::fs::metadata(&full)
        .unwrap()
        .file_type()
        .is_char_device());

    let fifo = d.join("fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    assert!(prove(&fifo).status.success());
    std::fs::write(d.join("from-fifo.bundle"), reader.join().unwrap()).unwrap();
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(verified_y(d, &d.join("from-fifo.bundle"), &commitment), Y);

    std::fs::write(d.join("target.bundle"), "old").unwrap();
    std::os::unix::fs::symlink("target.bundle", d.join("link.bundle")).unwrap();
    assert!(prove(&d.join("link.bundle")).status.success());
    assert!(d.join("link.bundle").is_symlink());
    assert_eq!(verified_y(d, &d.join("target.bundle"), &commitment), Y);

    // `-` and /dev/fd/1 are stdout: the file goes there, the report to stderr.
    let out = zkmr(d)
        .args([
            "prove", "--keys", "keys", "--vector", "x.json", "--out", "-",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("job root"));
    std::fs::write(d.join("stdout.bundle"), &out.stdout).unwrap();
    assert_eq!(verified_y(d, &d.join("stdout.bundle"), &commitment), Y);
    let out = zkmr(d)
        .args([
            "prove", "--keys", "keys", "--vector", "x.json", "--out", "b.bundle",
        ])
        .args(["--y-out", "/dev/fd/1", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"y_encoded\""), "y went to stdout: {text}");
}

/// A reader that closed the pipe before anything was written (`| head`, `| true`): no panic,
/// and the exit status is the command's own.
#[test]
fn a_closed_stdout_ends_the_report_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let commitment = store(d);
    for args in [
        vec![
            "prove", "--keys", "keys", "--vector", "x.json", "--out", "b.bundle",
        ],
        vec![
            "verify",
            "--bundle",
            "b.bundle",
            "--commitment",
            &commitment,
            "--json",
        ],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("zkmr"))
            .args(&args)
            .current_dir(d)
            .env("ZKMR_CACHE_DIR", cache_dir())
            .stdout(writer)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// `--vector /dev/stdin` and process substitution: the input is read once, whatever it is.
#[test]
fn inputs_come_through_pipes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let commitment = store(d);
    let out = zkmr(d)
        .args([
            "prove",
            "--keys",
            "keys",
            "--vector",
            "/dev/stdin",
            "--out",
            "p.bundle",
        ])
        .write_stdin("[1, 2]")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(verified_y(d, &d.join("p.bundle"), &commitment), Y);
    let out = zkmr(d)
        .args([
            "prove",
            "--keys",
            "keys",
            "--vector",
            "/dev/stdin",
            "--out",
            "q.bundle",
        ])
        .write_stdin("[1, \"two\"]")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/dev/stdin"));
}

/// `kill -9` in the middle of a commit leaves its staging directory and an empty destination;
/// the next commit into that destination removes the one and fills the other.
#[test]
fn the_next_commit_cleans_up_after_a_killed_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // One entry in a million columns: staged at once, then seconds of blinding columns.
    std::fs::write(d.join("wide.csv"), "row,col,value\n0,1,5\n").unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("zkmr"))
        .args([
            "commit",
            "--matrix",
            "wide.csv",
            "--shape",
            "1x1000000",
            "--keys",
            "keys",
        ])
        .current_dir(d)
        .env("ZKMR_CACHE_DIR", cache_dir())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let staging = || {
        std::fs::read_dir(d)
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with(".zkmr-keys-"))
    };
    let started = std::time::Instant::now();
    while !staging() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the commit ended before it was killed"
        );
        assert!(
            started.elapsed().as_secs() < 60,
            "no staging directory appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(staging(), "a killed commit leaves its staging");

    let commitment = store(d);
    assert!(!staging(), "the next commit removed it");
    let out = zkmr(d)
        .args([
            "prove", "--keys", "keys", "--vector", "x.json", "--out", "k.bundle",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(verified_y(d, &d.join("k.bundle"), &commitment), Y);
}

/// A `run --out` killed midway leaves its staging directory inside `--out`; the next run into
/// that directory removes it (and one still running would hold the directory's lock).
#[test]
fn the_next_run_cleans_up_after_a_killed_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a.json"), "[[1, 2], [3, 4], [5, 6]]").unwrap();
    std::fs::write(d.join("x.json"), "[1, 2]").unwrap();
    // What a run killed after staging its store leaves behind.
    std::fs::create_dir_all(d.join("out/.zkmr-run-Ab12Cd/keys/partitions")).unwrap();
    let report = json_out(zkmr(d).args([
        "run", "--matrix", "a.json", "--vector", "x.json", "--out", "out", "--json",
    ]));
    assert_eq!(
        serde_json::from_value::<Vec<f64>>(report["y"].clone()).unwrap(),
        Y
    );
    let left: Vec<_> = std::fs::read_dir(d.join("out"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert!(
        !left.iter().any(|n| n.starts_with(".zkmr-run-")),
        "{left:?}"
    );
}
