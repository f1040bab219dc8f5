"""The quick CLI build: what `./scripts/zkmr` builds first on a fresh clone (the CLI without
its default features), as the test command leaves it in `target/release/zkmr-quick`. It runs
the README's main command to the plain product, and every part it leaves out (halo2, its
aggregation, SQL) answers with the feature's name and how to build the full CLI, never a crash
or a rejection."""

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
QUICK = os.environ.get("ZKMR_QUICK_BIN")
FULL = os.environ.get("ZKMR_BIN")

pytestmark = pytest.mark.skipif(
    not QUICK or not Path(QUICK).exists(),
    reason="ZKMR_QUICK_BIN names no quick build (scripts/test.sh makes one)",
)


def quick(*args, cwd=None):
    return subprocess.run([QUICK, *map(str, args)], capture_output=True, text=True, timeout=300, cwd=cwd)


def test_it_says_it_is_the_quick_build():
    done = quick("--version")
    assert done.returncode == 0, done.stderr
    assert "quick build" in done.stdout and "without halo2, sql" in done.stdout


def test_the_main_command_prints_the_plain_product(tmp_path):
    example = json.loads((ROOT / "examples" / "matvec.json").read_text())
    done = quick("run", "--input", ROOT / "examples" / "matvec.json", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["scheme"] == "pedersen" and report["verified"] is True
    expected = np.array(example["matrix"]) @ np.array(example["vector"])
    assert np.allclose(report["y"], expected, atol=1e-6), (report["y"], expected)


def left_out(done, feature):
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert f"compiled without the `{feature}` feature" in done.stderr, done.stderr
    assert "ZKMR_FULL=1 ./scripts/zkmr" in done.stderr, done.stderr
    assert "panicked" not in done.stderr


def test_every_part_it_leaves_out_names_its_feature(tmp_path):
    matvec = ROOT / "examples" / "matvec.json"
    left_out(quick("run", "--input", matvec, "--scheme", "halo2", "--dev-srs", cwd=tmp_path), "halo2")
    left_out(quick("sql", "SELECT 1"), "sql")
    left_out(quick("aggregate", "--bundle", tmp_path / "none", "--dev-srs"), "halo2")
    left_out(quick("bench-aggregate"), "halo2")
    left_out(quick("verify", "--aggregated", tmp_path / "none", "--commitment", "00" * 32, "--dev-srs"), "halo2")


@pytest.mark.skipif(not FULL, reason="ZKMR_BIN names no full build")
def test_a_halo2_bundle_is_refused_as_unverifiable_here_not_as_rejected(tmp_path):
    made = subprocess.run(
        [FULL, "run", "--input", ROOT / "examples" / "matvec.json", "--scheme", "halo2", "--dev-srs",
         "--out", tmp_path / "job", "--json"],
        capture_output=True, text=True, timeout=600,
    )
    assert made.returncode == 0, made.stderr
    commitment = json.loads(made.stdout)["matrix_commitment"]
    done = quick("verify", "--bundle", tmp_path / "job" / "job.bundle", "--commitment", commitment)
    left_out(done, "halo2")
    assert "verified" not in done.stdout.lower()
