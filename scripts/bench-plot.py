#!/usr/bin/env python3
"""Draws `zkmr bench` as a picture: prove and verify time per scheme and size beside the plain
f64 product of the same run, and prove / product (examples/plots.py, matplotlib).

    zkmr bench --scheme pedersen,halo2 --sizes 256x256,1024x1024 --json > bench.json
    .venv/bin/python scripts/bench-plot.py bench.json bench.png

With no file, or "-", it reads the JSON from standard input."""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
import plots  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", nargs="?", default="-", help="zkmr bench --json output")
    parser.add_argument("out", nargs="?", type=Path, default=plots.DEFAULT_DIR / "bench.png")
    args = parser.parse_args()
    text = sys.stdin.read() if args.report == "-" else Path(args.report).read_text()
    try:
        report = json.loads(text)
        report["results"]
    except (json.JSONDecodeError, KeyError, TypeError):
        sys.exit(f"{args.report}: not the output of zkmr bench --json")
    print(f"plot: {plots.bench(report, args.out)}")


if __name__ == "__main__":
    main()
