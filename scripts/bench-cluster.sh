#!/usr/bin/env bash
# The scaling figure: one 8192x2048 job (the matrix committed once, one vector) proved three
# ways in one run, each timed beyond its engine's start-up:
#   - zkmr prove, in one process (the prove_seconds it reports: the proofs, not reading the store);
#   - Spark local[2], one JVM with two task threads;
#   - Spark standalone, two workers of one core each, executors in their own JVMs;
# the Spark figures are the job alone (the SQL from examples/spark/job.py until its result),
# measured inside the driver after the session is up, beside the plain product in Spark SQL over
# the same tables in the same session (the baseline). Every run's job root must be zkmr prove's.
#
#   scripts/bench-cluster.sh [ROWS COLS]       (after the README's build; a few minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-8192} cols=${2:-2048}
zkmr="${CARGO_TARGET_DIR:-target}/release/zkmr"
work="$PWD/target/bench-cluster"
rm -rf "$work" && mkdir -p "$work"
# shellcheck source=integration-tests/standalone.sh
source integration-tests/standalone.sh

"$zkmr" generate --rows "$rows" --cols "$cols" --out "$work/matrix.parquet" \
  --vector-out "$work/x.json" >/dev/null
"$zkmr" commit --matrix "$work/matrix.parquet" --keys "$work/keys" >/dev/null
"$zkmr" prove --keys "$work/keys" --vector "$work/x.json" --out "$work/cli.bundle" \
  --json >"$work/cli.json"

args=("$work/matrix.parquet" "$work/x.json" "file://$work/keys" --baseline)
standalone_submit 'local[2]' "$work/local" --conf spark.driver.memory=2g "${args[@]}"
standalone_start "$work/cluster"
standalone_submit "$master" "$work/standalone" --conf spark.executor.memory=768m "${args[@]}"

python3 - "$work" "$rows" "$cols" <<'PY'
import json, sys
work, rows, cols = sys.argv[1], sys.argv[2], sys.argv[3]
cli = json.load(open(f"{work}/cli.json"))
runs = {"zkmr prove (1 process, 2 cores)": cli["prove_seconds"]}
for name, label in (("local", "Spark local[2]"), ("standalone", "Spark standalone, 2 workers x 1 core")):
    job = json.loads(open(f"{work}/{name}.json").read().strip().splitlines()[-1])
    assert job["job_root"] == cli["job_root"] and job["verified"], f"{label}: a different job root"
    runs[label] = job["seconds"]
    runs[label + ", plain product in SQL"] = job["baseline_seconds"]
print(f"{rows}x{cols}, job root {cli['job_root'][:16]}... in every run")
for label, seconds in runs.items():
    print(f"  {label:60s} {seconds:8.2f} s")
PY
