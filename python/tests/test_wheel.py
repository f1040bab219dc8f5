"""The wheel the test command builds (``target/wheels/zkmr-*.whl``), installed into a fresh
virtual environment whose ``PATH`` has no ``cargo``: the package imports and proves, and its
``zkmr`` command is the CLI (the README's main command, a benchmark that starts itself again
as ``python -m zkmr``, and the SQL it leaves out)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
WHEELS = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "wheels"


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    wheels = sorted(WHEELS.glob("zkmr-*.whl"))
    if len(wheels) != 1:
        pytest.fail(f"expected one wheel in {WHEELS} (scripts/python.sh builds it), found {wheels}")
    home = tmp_path_factory.mktemp("fresh")
    env_dir = home / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
    path = os.pathsep.join([str(env_dir / "bin"), "/usr/local/bin", "/usr/bin", "/bin"])
    assert shutil.which("cargo", path=path) is None, f"cargo is on {path}"
    env = {"PATH": path, "HOME": str(home), "ZKMR_CACHE_DIR": str(home / "cache")}
    done = subprocess.run(
        [str(env_dir / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", str(wheels[0])],
        capture_output=True, text=True, env={**env, "PIP_CACHE_DIR": os.environ.get(
            "PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip"))}, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return env_dir, env, home


def run(venv, *args):
    env_dir, env, home = venv
    return subprocess.run([*map(str, args)], capture_output=True, text=True, env=env, cwd=home,
                          timeout=600)


def test_the_package_proves_and_verifies_without_rust(venv):
    env_dir, _, home = venv
    script = (
        "import json, numpy as np, zkmr\n"
        "a = np.array([[3, -1, 4], [1, 5, -9]]); x = np.array([2, 7, -1])\n"
        "c = zkmr.commit(a, 'keys')\n"
        "y, proof = zkmr.prove('keys', x)\n"
        "v = zkmr.verify(proof, c.hex, x=x)\n"
        "print(json.dumps({'y': [int(t) for t in y], 'verified': bool(v)}))\n"
    )
    done = run(venv, env_dir / "bin" / "python", "-c", script)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["verified"] is True
    assert out["y"] == (np.array([[3, -1, 4], [1, 5, -9]]) @ np.array([2, 7, -1])).tolist()


def test_the_zkmr_command_runs_the_readme_main_command(venv):
    env_dir, _, _ = venv
    example = ROOT / "examples" / "matvec.json"
    done = run(venv, env_dir / "bin" / "zkmr", "run", "--input", example, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    spec = json.loads(example.read_text())
    assert report["verified"] is True and report["scheme"] == "pedersen"
    assert np.allclose(report["y"], np.array(spec["matrix"]) @ np.array(spec["vector"]), atol=1e-6)
    version = run(venv, env_dir / "bin" / "zkmr", "--version")
    assert version.returncode == 0 and "pedersen, halo2, cqlin; without sql" in version.stdout


def test_the_zkmr_command_keeps_the_cli_exit_codes(venv):
    env_dir, _, home = venv
    bad = home / "not-a-bundle"
    bad.write_bytes(b"\x00" * 10)
    done = run(venv, env_dir / "bin" / "zkmr", "verify", "--bundle", bad, "--commitment", "00" * 32)
    assert done.returncode == 2 and "zkmr:" in done.stderr, (done.returncode, done.stderr)
    usage = run(venv, env_dir / "bin" / "zkmr", "prove", "--no-such-flag")
    assert usage.returncode == 2 and "--no-such-flag" in usage.stderr
    sql = run(venv, env_dir / "bin" / "zkmr", "sql", "SELECT 1")
    assert sql.returncode == 2 and "compiled without the `sql` feature" in sql.stderr


def test_a_benchmark_starts_the_cli_again_through_python(venv):
    env_dir, _, _ = venv
    done = run(venv, env_dir / "bin" / "zkmr", "bench", "--scheme", "pedersen", "--sizes", "32x16",
               "--json")
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)["results"]
    assert (row["scheme"], row["rows"], row["cols"]) == ("pedersen", 32, 16)
    # Measured in a fresh process of its own: its peak memory is that process's.
    assert row["prove_s"] > 0 and row["peak_rss_mib"] > 0
