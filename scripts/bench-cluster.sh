#!/usr/bin/env bash
# The scaling figure: one 8192x2048 job (the matrix committed once, one vector) proved three
# ways in one run, each timed beyond its engine's start-up:
#   - zkmr prove, in one process (the prove_seconds it reports: the proofs, not reading the store);
#   - Spark local[2], one JVM with two task threads;
#   - Spark standalone, two workers of one core each, executors in their own JVMs;
# the Spark figures are the job alone (examples/spark/job.py's prove until its y and bundle are
# in the driver, and its SQL form prove_sql; the bundle's check by zkVerify, which a third party
# runs, is timed apart), measured inside the driver after the session is up, beside the plain
# product in Spark SQL over the same tables in the same session (the baseline). Each figure is
# the median of five runs in the session, the three forms in turn (every run is printed); the
# first run, which opens the store in each executor, is shown apart. Every run's job root must be
# zkmr prove's.
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
STANDALONE_EXECUTOR_MEMORY=768m standalone_submit "$master" "$work/standalone" "${args[@]}"

python3 - "$work" "$rows" "$cols" <<'PY'
import json, sys
work, rows, cols = sys.argv[1], sys.argv[2], sys.argv[3]
cli = json.load(open(f"{work}/cli.json"))
print(f"{rows}x{cols}, job root {cli['job_root'][:16]}... in every run")
print(f"  {'zkmr prove (1 process, 2 cores)':56s} {cli['prove_seconds']:8.2f} s")
for name, label in (("local", "Spark local[2]"), ("standalone", "Spark standalone, 2 workers x 1 core")):
    job = json.loads(open(f"{work}/{name}.json").read().strip().splitlines()[-1])
    assert job["job_root"] == cli["job_root"] and job["verified"], f"{label}: a different job root"
    plain = job["baseline_seconds"]
    print(f"  {label}")
    for what, key in (("zk job, first run (opens the store)", "first_seconds"),
                      ("zk job (ZkJob: no shuffle)", "seconds"),
                      ("its check (zkVerify on the bundle, apart)", "verify_seconds"),
                      ("zk job in SQL (GROUP BY zkPartition)", "sql_seconds"),
                      ("plain product in Spark SQL", "baseline_seconds")):
        runs = job.get(key.replace("seconds", "runs"))
        each = f"  (median of {' '.join(f'{t:.2f}' for t in runs)})" if runs else ""
        print(f"    {what:54s} {job[key]:8.2f} s  {job[key] / plain:5.2f}x plain{each}")
PY
