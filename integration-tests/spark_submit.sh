#!/usr/bin/env bash
# End to end as a Spark user runs it: `spark-submit` from the pyspark distribution in .venv, the
# zkmr jar through --jars and spark.sql.extensions, the example job of examples/spark/job.py;
# its matrix commitment, job root and y must equal `zkmr prove` over the same key store.
set -euo pipefail
cd "$(dirname "$0")/.."
# The CLI from the release build, wherever cargo puts its target directory.
zkmr="${CARGO_TARGET_DIR:-target}/release/zkmr"
work=target/integration/spark
rm -rf "$work" && mkdir -p "$work"

"$zkmr" commit --matrix examples/matrix.parquet --keys target/zkmr-example/keys \
  --force >/dev/null
"$zkmr" prove --keys target/zkmr-example/keys --vector examples/vector.json \
  --out "$work/reference.bundle" --json >"$work/reference.json"

PYSPARK_PYTHON="$PWD/.venv/bin/python" .venv/bin/spark-submit --master 'local[2]' \
  --jars spark-udf/target/zkmr-spark-0.1.0.jar \
  --conf spark.sql.extensions=io.zkmr.spark.ZkmrExtensions \
  examples/spark/job.py >"$work/spark.json" 2>"$work/spark.log" || {
  tail -50 "$work/spark.log"
  exit 1
}

python3 - "$work/reference.json" "$work/spark.json" <<'PY'
import json, sys
reference = json.load(open(sys.argv[1]))
spark = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
for field in ("matrix_commitment", "job_root", "y"):
    assert spark[field] == reference[field], f"{field}: spark {spark[field]!r} != zkmr prove {reference[field]!r}"
assert spark["verified"] is True, "the bundle did not verify"
print(f"spark-submit: job root {spark['job_root']} equals zkmr prove's, {len(spark['y'])} outputs")
PY
