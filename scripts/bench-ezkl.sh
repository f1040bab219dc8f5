#!/usr/bin/env bash
# The README's EZKL comparison: EZKL 23.0.5 (from PyPI, in its own venv under target/) proving
# one matrix-vector product y = A·x of random floats, through its Python API with its default
# settings (gen-settings, calibrate-settings, compile-circuit, an SRS of the circuit's size,
# setup, prove, verify), each size in a fresh process; beside it, in the same run, zkmr bench's
# pedersen row for the same size (the CLI of this checkout, after the README's build).
#
#   scripts/bench-ezkl.sh [SIZE ...]      (default 256; 512 takes minutes; 2>/dev/null hides
#                                          EZKL's calibration tables)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(256)
venv="${CARGO_TARGET_DIR:-target}/ezkl-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check ezkl==23.0.5 onnx==1.23.2 numpy
zkmr="${CARGO_TARGET_DIR:-target}/release/zkmr"
for n in "${sizes[@]}"; do
  # EZKL's calibration prints its tables on stdout; the measurement is the last line.
  "$venv/bin/python" scripts/bench_ezkl.py "$n" | tail -1
  "$zkmr" bench --scheme pedersen --sizes "${n}x${n}" --json | python3 -c '
import json, sys
r = json.load(sys.stdin)["results"][0]
rows, cols, prove, verify, rss = r["rows"], r["cols"], r["prove_s"], r["verify_ms"], r["peak_rss_mib"]
print(f"zkmr pedersen {rows}x{cols}: prove {prove:.4f} s ({rows * cols / prove:,.0f} MACs/s), "
      f"verify {verify:.2f} ms, peak RSS {rss:.0f} MiB")'
done
