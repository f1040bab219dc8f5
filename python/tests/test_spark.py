"""PySpark: the zkmr functions registered from the project's jar run the SQL of docs/sql.md,
and the bundle Spark made verifies in Python."""

import os

import numpy as np
import pytest

import zkmr
from zkmr import spark as zkspark

JAR = os.environ.get("ZKMR_SPARK_JAR")
needs_jar = pytest.mark.skipif(
    not JAR, reason="needs the Spark jar in $ZKMR_SPARK_JAR (scripts/test.sh builds and sets it)"
)

JOB = """
WITH parts AS (
  SELECT zkMatMul(row, values, x, '{store}') AS part
  FROM matrix CROSS JOIN vec
  GROUP BY zkPartition(row, '{store}')
), job AS (
  SELECT zkCommit(part, '{store}') AS job FROM parts
)
SELECT job['matrix_commitment'] AS matrix_commitment, job['y'] AS y, job['bundle'] AS bundle,
       zkVerify(job['bundle'], job['matrix_commitment']) AS verified
FROM job
"""


@needs_jar
def test_a_pyspark_session_runs_the_sql_job(tmp_path, rng):
    spark = zkspark.session("local[2]", jar=JAR, **{"spark.ui.enabled": "false"})
    try:
        a = rng.integers(-20, 20, size=(10, 4))
        x = [1.0, -2.0, 3.0, 0.5]
        c = zkmr.commit(a, tmp_path / "keys", rows_per_partition=3)
        rows = [(i, [float(v) for v in row]) for i, row in enumerate(a)]
        spark.createDataFrame(rows, "row BIGINT, values ARRAY<DOUBLE>").createOrReplaceTempView(
            "matrix"
        )
        spark.createDataFrame([(x,)], "x ARRAY<DOUBLE>").createOrReplaceTempView("vec")
        job = spark.sql(JOB.format(store=c.store)).first()
        assert job.matrix_commitment == c.hex and job.verified
        np.testing.assert_array_equal(job.y, a @ np.array(x))
        v = zkmr.verify(bytes(job.bundle), c)
        assert v.verified and v.partitions == 4
        np.testing.assert_array_equal(v.y, a @ np.array(x))
        # register() on the running session is idempotent.
        zkspark.register(spark)
        assert spark.sql("SELECT zkPartition(7, 3) AS p").first().p == 2
    finally:
        spark.stop()


def test_a_missing_jar_is_named(tmp_path):
    with pytest.raises(zkmr.ZkmrError, match="nowhere.jar"):
        zkspark.jar_path(str(tmp_path / "nowhere.jar"))
