"""PySpark: the zkmr functions registered from the project's jar run the SQL of docs/sql.md,
and Python proves the same job to the same job root."""

import json
import os
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

import zkmr
from zkmr import spark as zkspark

JAR = os.environ.get("ZKMR_SPARK_JAR")
needs_jar = pytest.mark.skipif(
    not JAR, reason="needs the Spark jar in $ZKMR_SPARK_JAR (scripts/test.sh builds and sets it)"
)

ROOT = Path(__file__).resolve().parents[2]
# The job of docs/sql.md, as the Spark example runs it.
JOB = runpy.run_path(str(ROOT / "examples" / "spark" / "job.py"))


@needs_jar
def test_a_pyspark_session_runs_the_sql_job(tmp_path, rng):
    spark = zkspark.session("local[2]", jar=JAR, **{"spark.ui.enabled": "false"})
    try:
        a = rng.integers(-20, 20, size=(10, 4))
        x = [1.0, -2.0, 3.0, 0.5]
        c = zkmr.commit(a, tmp_path / "keys", rows_per_partition=3)
        rows = [(i, [float(v) for v in row]) for i, row in enumerate(a)]
        matrix = spark.createDataFrame(rows, "row BIGINT, values ARRAY<DOUBLE>")
        job = JOB["prove"](spark, matrix, x, c.store)
        assert job["matrix_commitment"] == c.hex and JOB["verify"](spark, job, x)
        np.testing.assert_array_equal(job["y"], a @ np.array(x))
        # The same store and x proved from Python: the same y and the same job root.
        y, proof = zkmr.prove(c, np.array(x))
        v = zkmr.verify(proof, c)
        assert v.verified and v.job_root == job["job_root"]
        np.testing.assert_array_equal(y, job["y"])
        # register() on the running session is idempotent.
        zkspark.register(spark)
        assert spark.sql("SELECT zkPartition(7, 3) AS p").first().p == 2
    finally:
        spark.stop()


def test_a_missing_jar_is_named(tmp_path):
    with pytest.raises(zkmr.ZkmrError, match="nowhere.jar"):
        zkspark.jar_path(str(tmp_path / "nowhere.jar"))


@needs_jar
def test_pagerank_on_spark_is_the_chain_zkmr_proves_and_matches_networkx(tmp_path, cli):
    import networkx as nx

    sys.path.insert(0, str(ROOT / "examples" / "pagerank"))
    import pagerank

    spark_pagerank = runpy.run_path(str(ROOT / "examples" / "spark" / "pagerank_chain.py"))
    g = pagerank.generated_graph(400, 2400, seed=2)
    g.add_edges_from([(0, 400), (1, 401), (400, 401)])  # 401 has no out-edges: dangling
    spark = zkspark.session("local[2]", jar=JAR, **{"spark.ui.enabled": "false"})
    try:
        edges = spark.createDataFrame([(int(u), int(v)) for u, v in g.edges()], "src BIGINT, dst BIGINT")
        proved = spark_pagerank["prove"](spark, edges.repartition(3), tmp_path / "spark", tolerance=1e-7)
    finally:
        spark.stop()
    assert proved["converged"] and 5 < proved["steps"] < 200, proved["steps"]
    # zkmr chain verify accepts it with the spec alone, and shows the ranks Spark returned.
    ranks_file = tmp_path / "ranks.json"
    done = cli("chain", "verify", "--spec", proved["spec"], "--proof", proved["proof"],
               "--output-out", ranks_file, "--json")
    assert done.returncode == 0, done.stderr
    verified = json.loads(done.stdout)
    assert verified["verified"] and verified["steps"] == proved["steps"]
    ranks = np.array(json.loads(ranks_file.read_text())["output"][0])
    np.testing.assert_array_equal(ranks, proved["ranks"])
    # zkmr chain prove in one process from the same store: the same steps, job roots and size
    # (the proofs differ only in their Schnorr nonces).
    alone = tmp_path / "alone.chain"
    done = cli("chain", "prove", "--spec", proved["spec"], "--keys", proved["keys"], "--out", alone, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["job_roots"] == proved["job_roots"]
    assert alone.stat().st_size == Path(proved["proof"]).stat().st_size
    # networkx's PageRank on the same graph, within the fixed-point bound.
    theirs, _ = pagerank.networkx_ranks(g, range(g.number_of_nodes()), 1e-12)
    per_column = max(d for _, d in g.out_degree()) + 1
    bound = pagerank.error_bound(g.number_of_nodes(), per_column, 1e-7, 1e-12)
    assert np.abs(ranks - theirs).sum() <= bound
    assert abs(ranks.sum() - 1) <= bound + 1e-6
