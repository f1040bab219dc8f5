#!/usr/bin/env bash
# End to end as a Hadoop user runs it: `hadoop jar` semantics (org.apache.hadoop.util.RunJar, on
# the Hadoop client classpath, a conf dir first) with the zkmr job jar, on a 256×300 float matrix; the job root,
# commitment and y must equal `zkmr run`, and a malformed row must fail the job saying where.
set -euo pipefail
cd "$(dirname "$0")/.."
# The CLI from the release build, wherever cargo puts its target directory.
zkmr="${CARGO_TARGET_DIR:-target}/release/zkmr"
work=target/integration/hadoop
rm -rf "$work" && mkdir -p "$work"
classpath=$(cat target/hadoop.classpath)
jar=jvm/hadoop/target/zkmr-hadoop-0.1.0.jar

python3 - "$work" <<'PY'
import json, random, sys
work = sys.argv[1]
rng = random.Random(5)
rows, cols = 256, 300
matrix = [[rng.randrange(-2048, 2048) / 256 for _ in range(cols)] for _ in range(rows)]
x = [rng.randrange(-2048, 2048) / 256 for _ in range(cols)]
json.dump({"matrix": matrix, "vector": x}, open(f"{work}/input.json", "w"))
json.dump(x, open(f"{work}/x.json", "w"))
with open(f"{work}/matrix.csv", "w") as f:
    for i, row in enumerate(matrix):
        f.write(",".join([str(i)] + [repr(v) for v in row]) + "\n")
PY
"$zkmr" run --input "$work/input.json" --json --out "$work/run" \
  >"$work/reference.json"

hadoop_jar() {
  java --add-opens=java.base/java.nio=ALL-UNNAMED -cp "integration-tests/hadoop-conf:$classpath" \
    org.apache.hadoop.util.RunJar \
    "$jar" io.zkmr.hadoop.ZkMatMulJob \
    -D zkmr.store="$work/run/keys" -D zkmr.vector="$work/x.json" \
    -D mapreduce.framework.name=local -D fs.defaultFS=file:/// "$@"
}

hadoop_jar "$work/matrix.csv" "$work/out" >"$work/job.log" 2>&1 || {
  tail -50 "$work/job.log"
  exit 1
}
python3 - "$work/reference.json" "$work/out/job.json" <<'PY'
import json, sys
reference, job = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for field in ("matrix_commitment", "job_root", "y"):
    assert job[field] == reference[field], f"{field}: hadoop {job[field]!r} != zkmr run {reference[field]!r}"
print(f"hadoop jar: job root {job['job_root']} equals zkmr run's")
PY
"$zkmr" verify --bundle "$work/out/job.bundle" \
  --commitment "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["matrix_commitment"])' "$work/reference.json")" >/dev/null

sed '78s/^77,[^,]*,/77,1.5e,/' "$work/matrix.csv" >"$work/malformed.csv"
if hadoop_jar "$work/malformed.csv" "$work/failed" >"$work/failed.log" 2>&1; then
  echo "hadoop jar: a malformed row did not fail the job" >&2
  exit 1
fi
grep -q 'row 77, column 0: "1.5e" is not a number' "$work/failed.log" || {
  echo "hadoop jar: the failure does not name row 77, column 0" >&2
  tail -30 "$work/failed.log"
  exit 1
}
test ! -e "$work/failed/job.bundle"
echo "hadoop jar: a malformed row fails the job naming row 77, column 0"
