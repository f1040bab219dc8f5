"""The Python path against the CLI on the same job, measured in one run.

    python python/benchmarks/overhead.py [--size 4096] [--repeat 5] [--zkmr target/release/zkmr]

`zkmr generate` writes a SIZE×SIZE Parquet matrix and a JSON vector. The CLI commits the file,
proves the vector and verifies the bundle, each in its own process (its wall time includes
starting the process and reading and writing its files, as a shell user pays them). Python
does the same from this interpreter: `zkmr.commit` of the same file, then of a NumPy array of
the same shape and distribution, `zkmr.prove` of the vector as an array and `zkmr.verify` of
the proof object. Prove and verify are repeated and the median kept; commit runs once per
path. Prints a table of seconds and Python/CLI ratios, and peak RSS of each side.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

import zkmr

ROOT = Path(__file__).resolve().parents[2]


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def cli(zkmr_bin: str, *args) -> dict:
    done = subprocess.run([zkmr_bin, *map(str, args), "--json"], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"zkmr {args[0]} failed: {done.stderr}")
    return json.loads(done.stdout) if done.stdout.strip() else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--zkmr", default=str(ROOT / "target" / "release" / "zkmr"))
    args = parser.parse_args()
    n, zkmr_bin = args.size, args.zkmr
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        matrix, vector = tmp / "a.parquet", tmp / "x.json"
        subprocess.run([zkmr_bin, "generate", "--rows", str(n), "--cols", str(n),
                        "--out", str(matrix), "--vector-out", str(vector)],
                       check=True, capture_output=True)
        x = np.array(json.loads(vector.read_text()), dtype=np.float64)

        rows = []
        t_cli, made = timed(lambda: cli(zkmr_bin, "commit", "--matrix", matrix,
                                        "--keys", tmp / "cli-keys"))
        t_py, c = timed(lambda: zkmr.commit(matrix, tmp / "py-keys"))
        rows.append(("commit (Parquet file)", t_cli, t_py))
        # The generator's distribution: [-8, 8) on a 1/256 grid.
        dense = np.random.default_rng(1).integers(-2048, 2048, size=(n, n)) / 256.0
        t_array, _ = timed(lambda: zkmr.commit(dense, tmp / "array-keys"))
        rows.append(("commit (NumPy array)", t_cli, t_array))

        t_cli, _ = timed(lambda: cli(zkmr_bin, "prove", "--keys", tmp / "cli-keys",
                                     "--vector", vector, "--out", tmp / "cli.bundle"),
                         args.repeat)
        t_py, (y, proof) = timed(lambda: zkmr.prove(c, x), args.repeat)
        rows.append(("prove", t_cli, t_py))

        commitment = made["matrix_commitment"]
        t_cli, _ = timed(lambda: cli(zkmr_bin, "verify", "--bundle", tmp / "cli.bundle",
                                     "--commitment", commitment), args.repeat)
        t_py, verdict = timed(lambda: zkmr.verify(proof, c), args.repeat)
        assert verdict.verified
        rows.append(("verify", t_cli, t_py))

        # A plain product, the cost every row above is measured against elsewhere.
        t_matvec, _ = timed(lambda: dense @ x, args.repeat)

    print(f"{n}x{n} pedersen job, median of {args.repeat} for prove and verify")
    print(f"{'step':<24}{'CLI s':>10}{'Python s':>11}{'Python/CLI':>12}")
    for step, a, b in rows:
        print(f"{step:<24}{a:>10.4f}{b:>11.4f}{b / a:>11.2f}x")
    print(f"numpy matvec: {t_matvec * 1e3:.2f} ms")
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: CLI processes {children:.0f} MiB (the largest one), "
          f"this Python process {own:.0f} MiB")


if __name__ == "__main__":
    main()
