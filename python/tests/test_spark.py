"""PySpark: the zkmr functions registered from the project's jar run the SQL of docs/sql.md,
and Python proves the same job to the same job root."""

import os
import runpy
from pathlib import Path

import numpy as np
import pytest

import zkmr
from zkmr import spark as zkspark

JAR = os.environ.get("ZKMR_SPARK_JAR")
needs_jar = pytest.mark.skipif(
    not JAR, reason="needs the Spark jar in $ZKMR_SPARK_JAR (scripts/test.sh builds and sets it)"
)

# The job of docs/sql.md, as the Spark example runs it.
JOB = runpy.run_path(str(Path(__file__).resolve().parents[2] / "examples" / "spark" / "job.py"))


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
        assert job["matrix_commitment"] == c.hex and job["verified"]
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
