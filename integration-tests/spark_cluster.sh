#!/usr/bin/env bash
# Spark standalone as users run it: a master and two workers, each a JVM of its own started from
# the pyspark distribution in .venv (worker 2 on 127.0.0.2, so speculation has a second host),
# and spark-submit in client mode, its executors separate JVMs on the workers. Every job's matrix
# commitment, job root and y must equal `zkmr prove` over the same key store:
#   1. the store on a shared file system, as a file:// URI read through Hadoop's FileSystem;
#   2. the store shipped with the job (--archives keys.tgz#zkmr-keys), named by that name;
#      and a halo2 store (development SRS) by URI, each executor reading the SRS it proves with;
#   3. an executor JVM killed mid-job (kill -9): Spark reruns its tasks elsewhere;
#   4. spark.speculation with a straggler: a speculative copy wins, the root is the same;
#   5. a malformed row (NaN): the job fails naming the row and column;
#   6. setup on the cluster (zkCommitMatrix on Spark, a task per partition) into a new store,
#      then the job with it: y as before, the commitment setup returned, and the same matrix
#      commitment and job root as `zkmr prove` over that store;
#   7. batch inference (examples/spark/batch.py): 1000 inputs in four input partitions, chunks
#      proved by the tasks on both workers; the same y and batch root as `zkmr prove --vectors
#      --chunk` over the same inputs, and `zkmr verify` accepts the proof against the inputs;
#      again with the executor of a batch task killed while it stalls mid-partition (kill -9), and with
#      spark.speculation and a straggling batch task: the same y and batch root each time;
#   8. PageRank (examples/spark/pagerank_chain.py) on an edge list of 300 nodes and 1500 edges, every
#      iteration's product by tasks on both workers: `zkmr chain verify` accepts the chain, whose
#      job roots are those of `zkmr chain prove` over the same store.
# The cluster comes from integration-tests/standalone.sh: every daemon stopped by its PID whatever
# the outcome, traffic on 127.0.0.0/8 only, every wait bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
zkmr="${CARGO_TARGET_DIR:-target}/release/zkmr"
work="$PWD/target/integration/spark-cluster"
rm -rf "$work" && mkdir -p "$work"
# shellcheck source=integration-tests/standalone.sh
source integration-tests/standalone.sh
standalone_start "$work"

"$zkmr" generate --rows 512 --cols 48 --seed 16 --out "$work/matrix.parquet" \
  --vector-out "$work/x.json" >/dev/null
"$zkmr" commit --matrix "$work/matrix.parquet" --keys "$work/keys" >/dev/null
"$zkmr" prove --keys "$work/keys" --vector "$work/x.json" --out "$work/reference.bundle" \
  --json >"$work/reference.json"
tar -czf "$work/keys.tgz" -C "$work/keys" .

# Runs the cluster job as case $1 (spark-submit options first, then the job's arguments after
# the matrix and vector); its JSON goes to $work/$1.json.
submit() {
  local name=$1; shift
  local conf=()
  while [ "${1:-}" = --conf ] || [ "${1:-}" = --archives ]; do conf+=("$1" "$2"); shift 2; done
  standalone_submit "$master" "$work/$name" --conf spark.sql.shuffle.partitions=4 "${conf[@]}" \
    "$work/matrix.parquet" "$work/x.json" --executors 2 "$@"
}

# Checks case $1's JSON against `zkmr prove` ($2, by default over the pedersen store) and that
# its executors ran on both workers.
check() {
  python3 - "${2:-$work/reference.json}" "$work/$1.json" "$1" <<'PY'
import json, sys
reference = json.load(open(sys.argv[1]))
job = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
for field in ("matrix_commitment", "job_root", "y"):
    assert job[field] == reference[field], f"{sys.argv[3]}: {field}: spark {job[field]!r} != zkmr prove {reference[field]!r}"
assert job["verified"] is True, f"{sys.argv[3]}: the bundle did not verify"
executors = [e for e in job["executors"] if e != job["driver"]]
hosts = {e.split(":")[0] for e in executors}
assert len(executors) >= 2 and hosts == {"127.0.0.1", "127.0.0.2"}, \
    f"{sys.argv[3]}: executors {executors} (driver {job['driver']}) are not on both workers"
print(f"{sys.argv[3]}: job root {job['job_root']} equals zkmr prove's; executors {executors}, driver {job['driver']}")
PY
}

submit uri "file://$work/keys" && check uri
submit shipped --archives "$work/keys.tgz#zkmr-keys" zkmr-keys && check shipped
"$zkmr" commit --scheme halo2 --dev-srs --matrix "$work/matrix.parquet" \
  --keys "$work/keys-halo2" >/dev/null
"$zkmr" prove --keys "$work/keys-halo2" --vector "$work/x.json" --out "$work/halo2.bundle" \
  --json >"$work/halo2-reference.json"
submit halo2 "file://$work/keys-halo2" && check halo2 "$work/halo2-reference.json"

# Kills the executor JVM whose straggling task wrote its PID to $work/$1.straggler (kill -9).
kill_straggler_executor() {
  wait_for "[ -s '$work/$1.straggler' ]" 180
  local victim
  victim=$(cat "$work/$1.straggler")
  grep -q CoarseGrainedExecutorBackend "/proc/$victim/cmdline"
  kill -9 "$victim"
  echo "$1: executor JVM $victim killed while its task stalls"
}

submit killed "file://$work/keys" --slow 60 --straggler "$work/killed.straggler" &
job=$!
kill_straggler_executor killed
wait "$job"
check killed
grep -qE "Lost executor|ExecutorLostFailure|Executor .* removed" "$work/killed.log" ||
  { echo "killed: the driver log shows no lost executor"; exit 1; }

submit speculated --conf spark.speculation=true --conf spark.speculation.interval=200ms \
  --conf spark.speculation.multiplier=1.5 --conf spark.speculation.quantile=0.5 \
  --conf spark.speculation.minTaskRuntime=1s --conf spark.speculation.efficiency.enabled=false \
  "file://$work/keys" --slow 45 --straggler "$work/speculated.straggler"
check speculated
grep -q "speculatable" "$work/speculated.log" ||
  { echo "speculated: no task was marked speculatable"; exit 1; }

if submit malformed "file://$work/keys" --nan-row 200; then
  echo "malformed: a NaN in row 200 did not fail the job"; exit 1
fi
grep -q "row 200, column 0" "$work/malformed.log" ||
  { echo "malformed: the failure does not name row 200, column 0:"; grep -m3 ZkmrException "$work/malformed.log"; exit 1; }
echo "malformed: the job failed naming row 200, column 0"

submit setup "file://$work/cluster-keys" --commit
"$zkmr" prove --keys "$work/cluster-keys" --vector "$work/x.json" --out "$work/setup.bundle" \
  --json >"$work/setup-reference.json"
python3 - "$work/reference.json" "$work/setup-reference.json" "$work/setup.json" <<'PY'
import json, sys
first, reference = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
job = json.loads(open(sys.argv[3]).read().strip().splitlines()[-1])
assert job["committed"] == job["matrix_commitment"] == reference["matrix_commitment"], "setup: commitments differ"
assert job["job_root"] == reference["job_root"], "setup: job root differs from zkmr prove's over the store"
assert job["y"] == first["y"] and job["verified"] is True, "setup: y differs or the bundle does not verify"
print(f"setup: committed on the cluster ({job['committed'][:16]}...), zkmr prove agrees, y as before")
PY

"$zkmr" generate --rows 1000 --cols 48 --seed 17 --out "$work/inputs.parquet" >/dev/null
"$zkmr" prove --keys "$work/keys" --vectors "$work/inputs.parquet" --chunk 125 \
  --out "$work/batch-reference.zkmr" --y-out "$work/batch-reference-y.parquet" \
  --json >"$work/batch-reference.json"
submit batch "file://$work/keys" \
  --batch "$work/inputs.parquet" "file://$work/batch" 125 "$work/batch-reference-y.parquet"
commitment=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["matrix_commitment"])' \
  "$work/reference.json")
# Checks batch case $1: the reference's y and batch root, a proof zkmr verify accepts against the
# inputs (reading the chunk files beside it: one per chunk, none of a lost or overtaken attempt),
# tasks on both workers.
check_batch() {
  "$zkmr" verify --bundle "$work/$1/batch.zkmr" --commitment "$commitment" \
    --vectors "$work/inputs.parquet" --json >"$work/$1-verified.json"
  kept=$(find "$work/$1/chunks" -name '*.bundle' | wc -l)
  [ "$kept" -eq 8 ] || { echo "$1: $kept chunk files beside the batch proof, not 8"; exit 1; }
  python3 - "$work/batch-reference.json" "$work/$1.json" "$work/$1-verified.json" "$1" <<'PY'
import json, sys
reference, verified, name = json.load(open(sys.argv[1])), json.load(open(sys.argv[3])), sys.argv[4]
job = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
assert job["matrix_commitment"] == reference["matrix_commitment"], f"{name}: commitments differ"
assert job["batch_root"] == reference["batch_root"] == verified["batch_root"], f"{name}: roots differ"
assert (job["chunks"], job["inputs"]) == (8, 1000) and verified["verified"], f"{name}: not 8 chunks of 1000"
assert job["y_mismatches"] == 0, f"{name}: {job['y_mismatches']} inputs' y differ from zkmr prove's"
executors = [e for e in job["executors"] if e != job["driver"]]
assert {e.split(":")[0] for e in executors} == {"127.0.0.1", "127.0.0.2"}, f"{name}: executors {executors}"
print(f"{name}: {job['inputs']} inputs in {job['chunks']} chunks proved on the cluster in "
      f"{job['seconds']:.1f} s; root {job['batch_root'][:16]}... equals zkmr prove's, zkmr verify accepts it")
PY
}
check_batch batch

batch_args=(--batch "$work/inputs.parquet")
submit batch-killed "file://$work/keys" --slow 60 --straggler "$work/batch-killed.straggler" \
  "${batch_args[@]}" "file://$work/batch-killed" 125 "$work/batch-reference-y.parquet" &
job=$!
kill_straggler_executor batch-killed
wait "$job"
check_batch batch-killed
grep -qE "Lost executor|ExecutorLostFailure|Executor .* removed" "$work/batch-killed.log" ||
  { echo "batch-killed: the driver log shows no lost executor"; exit 1; }

submit batch-speculated --conf spark.speculation=true --conf spark.speculation.interval=200ms \
  --conf spark.speculation.multiplier=1.5 --conf spark.speculation.quantile=0.5 \
  --conf spark.speculation.minTaskRuntime=1s --conf spark.speculation.efficiency.enabled=false \
  "file://$work/keys" --slow 45 --straggler "$work/batch-speculated.straggler" \
  "${batch_args[@]}" "file://$work/batch-speculated" 125 "$work/batch-reference-y.parquet"
check_batch batch-speculated
grep -q "speculatable" "$work/batch-speculated.log" ||
  { echo "batch-speculated: no task was marked speculatable"; exit 1; }

python3 - "$work/edges.csv" <<'PY'
import random, sys
rng = random.Random(8)
edges = sorted({(rng.randrange(300), rng.randrange(300)) for _ in range(1600)} - {(v, v) for v in range(300)})[:1500]
open(sys.argv[1], "w").write("src,dst\n" + "".join(f"{u},{v}\n" for u, v in edges))
PY
ZKMR_BIN="$PWD/$zkmr" submit pagerank "unused" --pagerank "$work/edges.csv" "$work/pagerank"
pagerank_spec=$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])["spec"])' \
  "$work/pagerank.json")
"$zkmr" chain verify --spec "$pagerank_spec" --proof "$work/pagerank/pagerank.chain" \
  --json >"$work/pagerank-verified.json"
"$zkmr" chain prove --spec "$pagerank_spec" --keys "$work/pagerank/keys" \
  --out "$work/pagerank-reference.chain" --json >"$work/pagerank-reference.json"
python3 - "$work/pagerank.json" "$work/pagerank-verified.json" "$work/pagerank-reference.json" <<'PY'
import json, sys
job = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
verified, reference = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
assert verified["verified"] and verified["steps"] == job["steps"], f"pagerank: {verified}"
assert job["converged"] and job["job_roots"] == reference["job_roots"], "pagerank: job roots differ from zkmr chain prove's"
executors = [e for e in job["executors"] if e != job["driver"]]
assert {e.split(":")[0] for e in executors} == {"127.0.0.1", "127.0.0.2"}, f"pagerank: executors {executors}"
print(f"pagerank: {job['steps']} iterations proved on the cluster in {job['seconds']:.1f} s; "
      f"zkmr chain verify accepts them, job roots equal zkmr chain prove's")
PY
