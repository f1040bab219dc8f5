"""A zkmr job on Spark, in SQL as docs/sql.md specifies it.

    zkmr commit --matrix examples/matrix.parquet --keys target/zkmr-example/keys
    .venv/bin/spark-submit --jars spark-udf/target/zkmr-spark-0.1.0.jar \
        --conf spark.sql.extensions=io.zkmr.spark.ZkmrExtensions \
        examples/spark/job.py [matrix.parquet vector.json store]

The store is a local directory, a URI on any Hadoop file system (hdfs://namenode/keys,
file:///shared/keys) or the name of a directory shipped with the job (--archives keys.tgz#keys).
Prints one JSON object: the matrix commitment, the job root, y and whether the bundle verifies.
"""

import json
import sys

from pyspark.sql import SparkSession


def prove(spark, matrix, x, store):
    """Proves y = A x for the DataFrame `matrix` (row, values) and the list `x`; returns the
    job's matrix commitment, job root, y and whether its bundle verifies, as a dict."""
    matrix.createOrReplaceTempView("matrix")
    spark.createDataFrame([(x,)], "x ARRAY<DOUBLE>").createOrReplaceTempView("vec")
    job = spark.sql(f"""
    WITH parts AS (
      SELECT zkMatMul(row, values, x, '{store}') AS part
      FROM matrix CROSS JOIN vec
      GROUP BY zkPartition(row, '{store}')
    ), job AS (
      SELECT zkCommit(part, '{store}', x) AS job FROM parts CROSS JOIN vec
    )
    SELECT job['matrix_commitment'] AS matrix_commitment,
           job['job_root'] AS job_root,
           job['y'] AS y,
           zkVerify(job['bundle'], job['matrix_commitment'], x) AS verified
    FROM job CROSS JOIN vec
    """).first()
    return {
        "matrix_commitment": job.matrix_commitment,
        "job_root": job.job_root,
        "y": list(job.y),
        "verified": job.verified,
    }


if __name__ == "__main__":
    matrix_path, vector_path, store = (sys.argv[1:4] if len(sys.argv) > 3 else
                                       ("examples/matrix.parquet", "examples/vector.json",
                                        "target/zkmr-example/keys"))
    spark = SparkSession.builder.appName("zkmr example").getOrCreate()
    with open(vector_path) as f:
        x = [float(v) for v in json.load(f)]
    print(json.dumps(prove(spark, spark.read.parquet(matrix_path), x, store)))
    spark.stop()
