"""Verified PageRank on Spark: an edge list in Parquet, its transition matrix committed once, and
every iteration's product computed by Spark's tasks where the entries are, proved as one chain
that `zkmr chain verify` checks with the spec alone (docs/chains.md).

    .venv/bin/spark-submit --jars spark-udf/target/zkmr-spark-0.1.0.jar \\
        examples/spark/pagerank_chain.py EDGES.parquet OUT [TOLERANCE]
    zkmr chain verify --spec OUT/spec.json --proof OUT/pagerank.chain

EDGES holds `src` and `dst` (node ids `0..N-1`, N the largest id plus one) and optionally
`weight`. The job builds the transition matrix `M` in coordinate form (`M[dst][src] =
w / out(src)`) with the dangling nodes' row, writes it to OUT/transition (Parquet), commits it
(`zkmr commit`, the matrix owner's step, once) into OUT/keys, and proves the chain on the entries
as Spark partitioned them: no shuffle per iteration, only each task's partial products travel.
Prints one JSON object: the commitment, the steps, whether it converged, the last step's job
root and the paths.
"""

import glob
import json
import sys
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

EXAMPLES = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(EXAMPLES))
sys.path.insert(0, str(EXAMPLES / "pagerank"))
import zkmr_cli  # noqa: E402
from pagerank import A_SCALE, chain_spec  # noqa: E402


def transition(edges):
    """The transition matrix's coordinate entries (row, col, value) and the node count: `M`'s
    rows `0..N-1`, and row N holding 1 at each dangling node (no out-edges), so each product
    also gives the mass those nodes spread over every node."""
    spark = edges.sparkSession
    if "weight" not in edges.columns:
        edges = edges.withColumn("weight", F.lit(1.0))
    edges = edges.select(F.col("src").cast("bigint"), F.col("dst").cast("bigint"), F.col("weight").cast("double"))
    n = edges.select(F.greatest(F.max("src"), F.max("dst"))).first()[0] + 1
    out = edges.groupBy("src").agg(F.sum("weight").alias("out"))
    moves = edges.join(out, "src").select(
        F.col("dst").alias("row"), F.col("src").alias("col"), (F.col("weight") / F.col("out")).alias("value")
    )
    dangling = (
        spark.range(n)
        .join(out, F.col("id") == F.col("src"), "left_anti")
        .select(F.lit(n).cast("bigint").alias("row"), F.col("id").alias("col"), F.lit(1.0).alias("value"))
    )
    return moves.unionByName(dangling), n


def commit(entries, n, out: Path) -> dict:
    """The owner's step, once: the entries as one Parquet file, committed by `zkmr commit`."""
    entries.coalesce(1).write.mode("overwrite").parquet(str(out / "transition"))
    (matrix,) = glob.glob(str(out / "transition" / "part-*.parquet"))
    return zkmr_cli.run(
        "commit", "--matrix", matrix, "--keys", out / "keys", "--force", "--scale", A_SCALE,
        "--shape", f"{n + 1}x{n}",
    )


def prove(spark, edges, out, tolerance=1e-7, max_iter=200) -> dict:
    """Commits the graph of `edges` and proves its PageRank on Spark; writes OUT/spec.json and
    OUT/pagerank.chain and returns what the job proved."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    entries, n = transition(edges)
    committed = commit(entries, n, out)
    spec = chain_spec(committed["matrix_commitment"], tolerance, max_iter)
    (out / "spec.json").write_text(json.dumps(spec, indent=2))
    # Written as one file for the commit; spread over the cluster's cores again for the chain,
    # which caches it for its iterations.
    cores = max(2, spark.sparkContext.defaultParallelism)
    matrix = spark.read.parquet(str(out / "transition")).repartition(cores)
    r = spark._jvm.io.zkmr.spark.ZkChains.prove(matrix._jdf, str(out / "keys"), json.dumps(spec))
    (out / "pagerank.chain").write_bytes(bytes(r.proof()))
    return {
        "matrix_commitment": committed["matrix_commitment"],
        "nodes": n,
        "steps": r.steps(),
        "converged": r.converged(),
        "job_roots": list(r.jobRoots()),
        "ranks": list(r.output()),
        "spec": str(out / "spec.json"),
        "proof": str(out / "pagerank.chain"),
        "keys": str(out / "keys"),
    }


if __name__ == "__main__":
    edges_path, out = sys.argv[1:3]
    tolerance = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-7
    spark = SparkSession.builder.appName("zkmr pagerank").getOrCreate()
    proved = prove(spark, spark.read.parquet(edges_path), out, tolerance)
    roots = proved.pop("job_roots")
    print(json.dumps({**{k: v for k, v in proved.items() if k != "ranks"}, "last_job_root": roots[-1]}))
    spark.stop()
