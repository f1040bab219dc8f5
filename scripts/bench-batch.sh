#!/usr/bin/env bash
# Batch inference, measured: INPUTS random inputs through one committed ROWS x COLS layer, in
# chunks of CHUNK, proved
#   - by zkmr prove --vectors --chunk in one process (wall time, peak RSS), and verified by
#     zkmr verify (the whole batch, chunks in parallel);
#   - on Spark local[2] and on the standalone cluster (two workers of one core) by
#     examples/spark/batch.py, beside the same job without proofs (ZkBatch.multiply: the same
#     tasks, chunks and native product) in the same session, timed after a first run of it.
# Every run's batch root must be zkmr prove's.
#
#   [EXECUTOR_MEMORY=2g] scripts/bench-batch.sh [ROWS COLS INPUTS CHUNK]    (after the README's build; minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1024} cols=${2:-1024} inputs=${3:-16384} chunk=${4:-1024}
zkmr="${CARGO_TARGET_DIR:-target}/release/zkmr"
work="$PWD/target/bench-batch"
rm -rf "$work" && mkdir -p "$work"
# shellcheck source=integration-tests/standalone.sh
source integration-tests/standalone.sh

"$zkmr" generate --rows "$rows" --cols "$cols" --seed 1 --out "$work/matrix.parquet" \
  --vector-out "$work/x.json" >/dev/null
"$zkmr" generate --rows "$inputs" --cols "$cols" --seed 2 --out "$work/inputs.parquet" >/dev/null
"$zkmr" commit --matrix "$work/matrix.parquet" --keys "$work/keys" --json >"$work/commit.json"
commitment=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["matrix_commitment"])' \
  "$work/commit.json")
/usr/bin/time -f '%e %M' -o "$work/cli.time" "$zkmr" prove --keys "$work/keys" \
  --vectors "$work/inputs.parquet" --chunk "$chunk" --out "$work/cli.zkmr" \
  --y-out "$work/cli-y.parquet" --json >"$work/cli.json"
/usr/bin/time -f '%e %M' -o "$work/verify.time" "$zkmr" verify --bundle "$work/cli.zkmr" \
  --commitment "$commitment" --json >"$work/verify.json"

# Each executor's peak heap and RSS, reported with its heartbeats.
args=(--conf spark.driver.memory=3g --conf spark.executor.processTreeMetrics.enabled=true
  --conf spark.executor.metrics.pollingInterval=1s "$work/matrix.parquet" "$work/x.json"
  "file://$work/keys" --batch-baseline --batch "$work/inputs.parquet")
standalone_submit 'local[2]' "$work/local" "${args[@]}" "file://$work/local-batch" "$chunk" \
  "$work/cli-y.parquet"
# Executors of EXECUTOR_MEMORY (768m unless set; a chunk of 2,048 inputs of 4,096 takes 2g).
export STANDALONE_WORKER_MEMORY=${EXECUTOR_MEMORY:-768m} STANDALONE_EXECUTOR_MEMORY=${EXECUTOR_MEMORY:-768m}
standalone_start "$work/cluster"
standalone_submit "$master" "$work/standalone" "${args[@]}" "file://$work/standalone-batch" "$chunk" \
  "$work/cli-y.parquet"

python3 - "$work" "$rows" "$cols" "$inputs" "$chunk" <<'PY'
import json, sys
work, rows, cols, inputs, chunk = sys.argv[1:6]
cli = json.load(open(f"{work}/cli.json"))
verified = json.load(open(f"{work}/verify.json"))
seconds, rss = (float(v) for v in open(f"{work}/cli.time").read().split())
vseconds, vrss = (float(v) for v in open(f"{work}/verify.time").read().split())
n = int(inputs)
assert verified["verified"] and verified["batch_root"] == cli["batch_root"]
print(f"{rows}x{cols} layer, {inputs} inputs in chunks of {chunk}, batch root {cli['batch_root'][:16]}... in every run")
print(f"  zkmr prove --vectors --chunk (1 process)   {seconds:8.2f} s  {n / seconds:9.0f} inputs/s  peak RSS {rss / 1024:6.0f} MiB")
print(f"  zkmr verify (whole batch)                  {vseconds:8.2f} s  {n / vseconds:9.0f} inputs/s  peak RSS {vrss / 1024:6.0f} MiB")
for name, label in (("local", "Spark local[2]"), ("standalone", "Spark standalone, 2 workers x 1 core")):
    job = json.loads(open(f"{work}/{name}.json").read().strip().splitlines()[-1])
    assert job["batch_root"] == cli["batch_root"] and job["y_mismatches"] == 0, f"{label}: another batch"
    zk, plain = job["seconds"], job["baseline_seconds"]
    print(f"  {label}")
    print(f"    zk batch job                             {zk:8.2f} s  {n / zk:9.0f} inputs/s  {zk / plain:5.2f}x plain")
    print(f"    same job without proofs                  {plain:8.2f} s  {n / plain:9.0f} inputs/s")
    for executor, peak in sorted(job["peak_memory_mib"].items()):
        print(f"    executor {executor:>6}: peak heap {peak.get('JVMHeapMemory', '?')} MiB, "
              f"peak RSS {peak.get('ProcessTreeJVMRSSMemory', '?')} MiB (both runs)")
PY
