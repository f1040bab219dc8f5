"""Batch inference on Spark: every input of a table through the committed matrix, proved where
the inputs are, in chunks, into one batch proof that anyone holding the commitment checks.

    zkmr commit --matrix examples/matrix.parquet --keys target/zkmr-example/keys
    zkmr generate --rows 1000 --cols 64 --seed 3 --out target/zkmr-example/inputs.parquet
    .venv/bin/spark-submit --jars spark-udf/target/zkmr-spark-0.1.0.jar \\
        examples/spark/batch.py target/zkmr-example/inputs.parquet target/zkmr-example/keys \\
        target/zkmr-example/batch [CHUNK]
    zkmr verify --bundle target/zkmr-example/batch/batch.zkmr --commitment C \\
        --vectors target/zkmr-example/inputs.parquet

The inputs are Parquet with one vector per record (`row`: the input's id, `values`: the vector),
as `zkmr prove --vectors` reads them; the store and the output directory may be on any Hadoop
file system. Writes DIR/outputs (Parquet `id`, `y`) and DIR/batch.zkmr (the batch proof), and
prints one JSON object: the commitment, the batch root, the chunk and input counts, the paths.
"""

import json
import sys

from pyspark.sql import SparkSession


def prove(spark, inputs, store, out, chunk=1024):
    """Proves y = A x for every input of the DataFrame `inputs` (row, values) in chunks of
    `chunk` inputs, each proved by the task that holds it; returns what the job wrote, as a dict."""
    r = spark._jvm.io.zkmr.spark.ZkBatch.prove(inputs._jdf, "row", "values", store, chunk, out)
    return {
        "matrix_commitment": r.matrixCommitment(),
        "batch_root": r.batchRoot(),
        "chunks": r.chunks(),
        "inputs": r.inputs(),
        "proof": r.proof(),
        "outputs": r.outputs(),
    }


if __name__ == "__main__":
    inputs_path, store, out = sys.argv[1:4]
    chunk = int(sys.argv[4]) if len(sys.argv) > 4 else 1024
    spark = SparkSession.builder.appName("zkmr batch").getOrCreate()
    print(json.dumps(prove(spark, spark.read.parquet(inputs_path), store, out, chunk)))
    spark.stop()
