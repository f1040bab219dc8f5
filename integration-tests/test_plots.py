"""The pictures: the PageRank and MLP examples and scripts/bench-plot.py each write a PNG that
holds a drawing (not a blank canvas), where they are told to, and say where."""

import json
import os
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import zkmr_cli

ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    done = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "ZKMR_BIN": zkmr_cli.binary()})
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def assert_drawn(path: Path, stdout: str):
    assert f"plot: {path}" in stdout.splitlines()
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = plt.imread(path)
    assert pixels.shape[0] > 200 and pixels.shape[1] > 200
    # More than a background: the image has many distinct colours.
    assert len(np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0)) > 50


def test_pagerank_draws_verified_ranks_against_networkx(tmp_path):
    out = tmp_path / "ranks.png"
    assert_drawn(out, run(ROOT / "examples/pagerank/pagerank.py", "--graph", "karate", "--plot", out))


def test_mlp_draws_the_verified_predictions_confusion_matrix(tmp_path):
    out = tmp_path / "confusion.png"
    assert_drawn(out, run(ROOT / "examples/mlp/mlp.py", "--plot", out))


def test_bench_plot_draws_zkmr_bench_json(tmp_path):
    report = tmp_path / "bench.json"
    bench = subprocess.run([zkmr_cli.binary(), "bench", "--scheme", "pedersen", "--sizes",
                            "32x32,64x64,32x32x4", "--json"], capture_output=True, text=True, timeout=300)
    assert bench.returncode == 0, bench.stderr
    report.write_text(bench.stdout)
    assert len(json.loads(bench.stdout)["results"]) == 3
    out = tmp_path / "bench.png"
    assert_drawn(out, run(ROOT / "scripts/bench-plot.py", report, out))
    report.write_text('{"rows": 3}')
    refused = subprocess.run([sys.executable, ROOT / "scripts/bench-plot.py", report, out],
                             capture_output=True, text=True)
    assert refused.returncode == 1
    assert "not the output of zkmr bench --json" in refused.stderr
