#!/usr/bin/env bash
# Verified PageRank on Spark, measured: a generated directed graph of NODES nodes and EDGES edges
# (examples/pagerank's power-law graph) as an edge list in Parquet,
#   - proved on Spark local[2] by examples/spark/pagerank_chain.py's steps, timed apart: the
#     transition matrix built by Spark and committed (zkmr commit), then the chain (ZkChains:
#     every iteration one map stage over the cached entries, the driver proving the step);
#   - proved by zkmr chain prove over the same store and spec, in one process;
#   - verified by zkmr chain verify; beside networkx.pagerank on the same graph.
# The job roots of both chains must agree, and the ranks must be within the fixed-point bound.
#
#   scripts/bench-pagerank.sh [NODES EDGES]    (after the README's build; minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${1:-100000} edges=${2:-1000000}
zkmr="$PWD/${CARGO_TARGET_DIR:-target}/release/zkmr"
work="$PWD/target/bench-pagerank"
rm -rf "$work" && mkdir -p "$work"
# shellcheck source=integration-tests/standalone.sh
source integration-tests/standalone.sh

.venv/bin/python - "$nodes" "$edges" "$work/edges.csv" <<'PY'
import sys
sys.path.insert(0, "examples/pagerank")
import pagerank
g = pagerank.generated_graph(int(sys.argv[1]), int(sys.argv[2]), seed=1)
with open(sys.argv[3], "w") as f:
    f.write("src,dst\n")
    f.writelines(f"{u},{v}\n" for u, v in g.edges())
PY

cat >"$work/driver.py" <<'PY'
import json, sys, time
from pathlib import Path
from pyspark.sql import SparkSession
sys.path.insert(0, "examples/spark")
import pagerank_chain as pc

edges_csv, out = sys.argv[1], Path(sys.argv[2])
spark = SparkSession.builder.appName("zkmr pagerank bench").getOrCreate()
spark.read.csv(edges_csv, header=True, schema="src BIGINT, dst BIGINT").write.parquet(str(out / "edges.parquet"))
started = time.monotonic()
entries, n = pc.transition(spark.read.parquet(str(out / "edges.parquet")))
committed = pc.commit(entries, n, out)
commit_seconds = time.monotonic() - started
spec = pc.chain_spec(committed["matrix_commitment"], 1e-7)
(out / "spec.json").write_text(json.dumps(spec))
cores = max(2, spark.sparkContext.defaultParallelism)
matrix = spark.read.parquet(str(out / "transition")).repartition(cores)
started = time.monotonic()
r = spark._jvm.io.zkmr.spark.ZkChains.prove(matrix._jdf, str(out / "keys"), json.dumps(spec))
chain_seconds = time.monotonic() - started
(out / "spark.chain").write_bytes(bytes(r.proof()))
print(json.dumps({"nodes": n, "steps": r.steps(), "converged": r.converged(), "job_roots": list(r.jobRoots()),
                  "matrix_seconds": commit_seconds, "chain_seconds": chain_seconds}))
spark.stop()
PY
/usr/bin/time -f '%e %M' -o "$work/spark.time" env ZKMR_BIN="$zkmr" PYSPARK_PYTHON="$PWD/.venv/bin/python" \
  .venv/bin/spark-submit --master 'local[2]' --driver-memory 4g \
  --jars spark-udf/target/zkmr-spark-0.1.0.jar "$work/driver.py" "$work/edges.csv" "$work" \
  >"$work/spark.json" 2>"$work/spark.log" || { tail -30 "$work/spark.log"; exit 1; }
/usr/bin/time -f '%e %M' -o "$work/cli.time" "$zkmr" chain prove --spec "$work/spec.json" \
  --keys "$work/keys" --out "$work/cli.chain" --json >"$work/cli.json"
/usr/bin/time -f '%e %M' -o "$work/verify.time" "$zkmr" chain verify --spec "$work/spec.json" \
  --proof "$work/spark.chain" --output-out "$work/ranks.json" --json >"$work/verify.json"

.venv/bin/python - "$work" <<'PY'
import json, sys, time
from pathlib import Path
import networkx as nx
import numpy as np
sys.path.insert(0, "examples/pagerank")
import pagerank
work = Path(sys.argv[1])
spark = json.loads((work / "spark.json").read_text().strip().splitlines()[-1])
cli, verified = json.loads((work / "cli.json").read_text()), json.loads((work / "verify.json").read_text())
seconds = lambda name: [float(v) for v in (work / f"{name}.time").read_text().split()]
assert verified["verified"] and spark["converged"], verified
assert cli["job_roots"] == spark["job_roots"], "the Spark chain's job roots differ from zkmr chain prove's"
g = nx.DiGraph()
g.add_nodes_from(range(spark["nodes"]))
g.add_edges_from(tuple(map(int, line.split(","))) for line in (work / "edges.csv").read_text().split()[1:])
started = time.perf_counter()
theirs, _ = pagerank.networkx_ranks(g, range(spark["nodes"]), 1e-12)
nx_seconds = time.perf_counter() - started
ours = np.array(json.loads((work / "ranks.json").read_text())["output"][0])
bound = pagerank.error_bound(spark["nodes"], max(d for _, d in g.out_degree()) + 1, 1e-7, 1e-12)
l1 = float(np.abs(ours - theirs).sum())
assert l1 <= bound, f"L1 {l1:.3e} beyond the bound {bound:.3e}"
steps = spark["steps"]
spark_wall, spark_rss = seconds("spark")
cli_wall, cli_rss = seconds("cli")
verify_wall, verify_rss = seconds("verify")
print(f"{spark['nodes']} nodes, {g.number_of_edges()} edges; {steps} iterations to 1e-7; "
      f"job roots equal in both chains; L1 to networkx {l1:.2e} (bound {bound:.2e})")
print(f"  Spark local[2]: matrix built and committed {spark['matrix_seconds']:7.2f} s")
print(f"  Spark local[2]: chain proved              {spark['chain_seconds']:7.2f} s "
      f"({spark['chain_seconds'] / steps * 1e3:.0f} ms per iteration); spark-submit {spark_wall:.1f} s, "
      f"driver peak RSS {spark_rss / 1024:.0f} MiB")
print(f"  zkmr chain prove (1 process)             {cli['prove_seconds']:7.2f} s "
      f"({cli['prove_seconds'] / steps * 1e3:.0f} ms per iteration); peak RSS {cli_rss / 1024:.0f} MiB")
print(f"  zkmr chain verify                        {verified['verify_seconds']:7.2f} s; "
      f"peak RSS {verify_rss / 1024:.0f} MiB")
print(f"  networkx.pagerank (tol 1e-12)            {nx_seconds:7.2f} s")
PY
