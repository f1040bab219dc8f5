"""A zkmr job on Spark: y = A x proved where the matrix rows are, checked by anyone holding the
matrix commitment.

    zkmr commit --matrix examples/matrix.parquet --keys target/zkmr-example/keys
    .venv/bin/spark-submit --jars spark-udf/target/zkmr-spark-0.1.0.jar \\
        --conf spark.sql.extensions=io.zkmr.spark.ZkmrExtensions \\
        examples/spark/job.py [matrix.parquet vector.json store]

The store is a local directory, a URI on any Hadoop file system (hdfs://namenode/keys,
file:///shared/keys) or the name of a directory shipped with the job (--archives keys.tgz#keys).
Prints one JSON object: the matrix commitment, the job root, y and whether the bundle verifies.

`prove` runs the job through io.zkmr.spark.ZkJob: under the default (pedersen) scheme each task
multiplies the rows it read and only y travels, with no shuffle. `prove_sql` is the same job in
SQL as docs/sql.md specifies it (rows grouped by their partition), which every scheme runs.
"""

import json
import sys

from pyspark.sql import DataFrame, SparkSession


def prove(spark, matrix, x, store):
    """Proves y = A x for the DataFrame `matrix` (row, values) and the list `x`; returns the
    job's matrix commitment, job root, y and bundle (bytes), as a dict."""
    vec = spark.createDataFrame([(x,)], "x ARRAY<DOUBLE>")
    job = DataFrame(spark._jvm.io.zkmr.spark.ZkJob.table(matrix._jdf, vec._jdf, store), spark)
    return fields(job)


def prove_sql(spark, matrix, x, store):
    """`prove` in SQL: zkMatMul over the rows grouped by zkPartition, then zkCommit."""
    matrix.createOrReplaceTempView("matrix")
    spark.createDataFrame([(x,)], "x ARRAY<DOUBLE>").createOrReplaceTempView("vec")
    job = spark.sql(f"""
    WITH parts AS (
      SELECT zkMatMul(row, values, x, '{store}') AS part
      FROM matrix CROSS JOIN vec
      GROUP BY zkPartition(row, '{store}')
    )
    SELECT zkCommit(part, '{store}', x) AS job FROM parts CROSS JOIN vec
    """).select("job.*")
    return fields(job)


def fields(job):
    """The dict `prove` returns, from a job's one row."""
    row = job.select("matrix_commitment", "job_root", "y", "bundle").first()
    return {
        "matrix_commitment": row.matrix_commitment,
        "job_root": row.job_root,
        "y": list(row.y),
        "bundle": bytes(row.bundle),
    }


def verify(spark, job, x):
    """Whether `job`'s bundle proves its y for `x` against its matrix commitment, as anyone
    holding the commitment checks it (zkVerify, in SQL)."""
    row = spark.createDataFrame([(bytearray(job["bundle"]), job["matrix_commitment"], x)],
                                "bundle BINARY, commitment STRING, x ARRAY<DOUBLE>")
    return row.selectExpr("zkVerify(bundle, commitment, x) AS verified").first().verified


if __name__ == "__main__":
    matrix_path, vector_path, store = (sys.argv[1:4] if len(sys.argv) > 3 else
                                       ("examples/matrix.parquet", "examples/vector.json",
                                        "target/zkmr-example/keys"))
    spark = SparkSession.builder.appName("zkmr example").getOrCreate()
    with open(vector_path) as f:
        x = [float(v) for v in json.load(f)]
    job = prove(spark, spark.read.parquet(matrix_path), x, store)
    job["verified"] = verify(spark, job, x)
    del job["bundle"]
    print(json.dumps(job))
    spark.stop()
