"""The example job (examples/spark/job.py) with the faults the standalone-cluster test injects.

    spark_cluster_job.py MATRIX VECTOR STORE [--slow SECONDS --straggler FILE] [--nan-row ROW]

--slow, --straggler: the first task of input partition 0 to create FILE writes its executor
JVM's PID there (for the test to kill) and sleeps SECONDS; every later attempt of it, a retry,
a speculative copy or a rerun of the stage, finds FILE and does not sleep. With --batch, the
straggler is the batch task of input partition 0, and it sleeps after handing over its first
200 inputs, past the first chunk of the cluster test's 125.
--nan-row: row ROW's first value becomes NaN (a malformed row).
--executors N: before reporting the executors, wait (up to 90 s) until N are registered, so a
killed executor's replacement is counted whether or not it registered before the job ended.
--baseline: time the job again ("seconds"; the first run's time is "first_seconds"), its SQL form
("sql_seconds") and the plain product in Spark SQL over the same tables ("baseline_seconds"),
each the median of --baseline-runs runs (5; "runs", "sql_runs", "baseline_runs" list them). A
job's time is its proof made and in the driver's hands; checking it ("verify_seconds", zkVerify
as a third party runs it) is timed apart.
--batch INPUTS OUT CHUNK REFERENCE_Y: instead of the job, batch inference (examples/spark/batch.py)
over the vectors in INPUTS (Parquet `row`, `values`, in order) in four ordered input partitions,
chunks of CHUNK, into OUT; adds "y_mismatches", the inputs whose y differs from REFERENCE_Y
(`zkmr prove --y-out`). With --batch-baseline, also the same job without proofs (ZkBatch.multiply:
the same tasks, chunks and native product) before and after it ("baseline_seconds": the second).
--pagerank EDGES OUT: instead of the job, PageRank on the cluster (examples/spark/pagerank_chain.py)
over the edge list EDGES (CSV `src,dst`, written to Parquet first), into OUT.
--commit: commit the matrix on the cluster first (CommitMatrix, zkCommitMatrix on Spark) into
the key store STORE, then prove with it; adds "committed", the commitment setup returned.
Prints the job's JSON object with "executors" (host:port of each, the driver's too), "driver"
and "seconds" (the job alone, after Spark's start-up) added.
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "spark"))
import batch  # noqa: E402
import job  # noqa: E402
import pagerank_chain  # noqa: E402

from pyspark import StorageLevel, TaskContext  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("matrix")
parser.add_argument("vector")
parser.add_argument("store")
parser.add_argument("--executors", type=int, default=0,
                    help="before reporting the executors, wait (up to 90 s) until this many are registered")
parser.add_argument("--slow", type=float, default=0)
parser.add_argument("--straggler")
parser.add_argument("--nan-row", type=int)
parser.add_argument("--commit", action="store_true")
parser.add_argument("--baseline", action="store_true")
parser.add_argument("--baseline-runs", type=int, default=5)
parser.add_argument("--batch", nargs=4, metavar=("INPUTS", "OUT", "CHUNK", "REFERENCE_Y"))
parser.add_argument("--batch-baseline", action="store_true")
parser.add_argument("--pagerank", nargs=2, metavar=("EDGES", "OUT"))
args = parser.parse_args()


def executor_jvm():
    """The PID of the JVM this Python worker serves: the nearest `java` among its ancestors."""
    pid = os.getppid()
    while pid > 1:
        with open(f"/proc/{pid}/comm") as f:
            if f.read().strip() == "java":
                return pid
        with open(f"/proc/{pid}/stat") as f:
            pid = int(f.read().rsplit(")", 1)[1].split()[1])
    raise RuntimeError("no executor JVM above this Python worker")


def straggle():
    """The straggler's stall, in the first attempt of input partition 0 only."""
    if args.straggler and TaskContext.get().partitionId() == 0:
        try:
            fd = os.open(args.straggler, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.write(fd, str(executor_jvm()).encode())
        os.close(fd)
        time.sleep(args.slow)


def inject(rows, after=0):
    """The rows as they are, but for the faults asked for; the straggler stalls after `after`."""
    if after == 0:
        straggle()
    for i, r in enumerate(rows):
        if r.row == args.nan_row:
            yield (r.row, [float("nan")] + list(r.values[1:]))
        else:
            yield (r.row, list(r.values))
        if i + 1 == after:
            straggle()


spark = SparkSession.builder.appName("zkmr cluster test").getOrCreate()


def executors(result):
    tracker = spark.sparkContext._jsc.sc().statusTracker()
    # A killed executor's replacement registers seconds after the master grants it, which can be
    # after the job is done: wait for --executors of them (the driver's own entry aside).
    deadline = time.monotonic() + 90
    while len(tracker.getExecutorInfos()) - 1 < args.executors and time.monotonic() < deadline:
        time.sleep(0.5)
    infos = tracker.getExecutorInfos()
    result["executors"] = sorted(f"{e.host()}:{e.port()}" for e in infos)
    result["driver"] = f"{spark.conf.get('spark.driver.host')}:{spark.conf.get('spark.driver.port')}"
    result["peak_memory_mib"] = peak_memory()
    return result


def peak_memory():
    """Each executor's peak JVM heap and process-tree RSS in MiB, as its heartbeats reported them
    (the driver is executor "driver" under local[N]); RSS needs
    spark.executor.processTreeMetrics.enabled, and a value never reported is absent."""
    summaries = spark.sparkContext._jsc.sc().statusStore().executorList(False)
    peaks = {}
    for i in range(summaries.size()):
        e = summaries.apply(i)
        metrics = e.peakMemoryMetrics()
        if metrics.isEmpty():
            continue
        values = {name: metrics.get().getMetricValue(name) for name in ("JVMHeapMemory", "ProcessTreeJVMRSSMemory")}
        peaks[e.id()] = {name: round(v / 2**20) for name, v in values.items() if v > 0}
    return peaks


if args.batch:
    inputs_path, out, chunk, reference_y = args.batch
    table = spark.read.parquet(inputs_path)
    count, width = table.count(), len(table.first().values)
    # Four input partitions, or more so that none holds more than about 2^24 values (128 MB of
    # doubles): each is sorted in memory once, and a task streams it after that. Each holds a
    # whole number of chunks, so the batch's chunks are zkmr prove --chunk's and so is its root.
    parts = max(4, -(-count * width // (1 << 24)))
    per = -(-count // parts)
    per = -(-per // int(chunk)) * int(chunk)
    # Input partition p holds inputs p*per .. (p+1)*per - 1 in order: the batch's order.
    ordered = spark.createDataFrame(
        table.rdd.keyBy(lambda r: r.row // per).partitionBy(-(-count // per), lambda p: p)
        .mapPartitions(lambda rows: sorted((r for _, r in rows), key=lambda r: r.row)),
        table.schema)
    # Kept on disk for the runs that follow: a batch need not fit in memory.
    ordered.persist(StorageLevel.DISK_ONLY).count()
    if args.straggler:
        # Evaluated in the batch's own tasks, so the straggler is a batch task.
        ordered = spark.createDataFrame(ordered.rdd.mapPartitions(lambda rows: inject(rows, after=200)),
                                        table.schema)

    def plain(run):
        started = time.monotonic()
        spark._jvm.io.zkmr.spark.ZkBatch.multiply(ordered._jdf, "row", "values", args.store, int(chunk),
                                                 f"{out}-plain-{run}")
        return time.monotonic() - started

    if args.batch_baseline:
        plain(1)
    started = time.monotonic()
    result = batch.prove(spark, ordered, args.store, out, int(chunk))
    result["seconds"] = time.monotonic() - started
    if args.batch_baseline:
        result["baseline_seconds"] = plain(2)
    outputs = spark.read.parquet(result["outputs"])
    reference = spark.read.parquet(reference_y)
    result["y_mismatches"] = outputs.join(reference, outputs.id == reference.row, "full_outer") \
        .where("id IS NULL OR row IS NULL OR y <> values").count()
    print(json.dumps(executors(result)))
    spark.stop()
    sys.exit(0)
if args.pagerank:
    edges_csv, out = args.pagerank
    spark.read.csv(edges_csv, header=True, schema="src BIGINT, dst BIGINT").write.parquet(f"{out}/edges.parquet")
    started = time.monotonic()
    result = pagerank_chain.prove(spark, spark.read.parquet(f"{out}/edges.parquet"), out)
    result["seconds"] = time.monotonic() - started
    del result["ranks"]
    print(json.dumps(executors(result)))
    spark.stop()
    sys.exit(0)
matrix = spark.read.parquet(args.matrix)
if args.straggler or args.nan_row is not None:
    matrix = spark.createDataFrame(matrix.repartition(4).rdd.mapPartitions(inject), matrix.schema)
with open(args.vector) as f:
    x = [float(v) for v in json.load(f)]
committed = None
if args.commit:
    settings = getattr(spark._jvm.io.zkmr.spark, "CommitMatrix$Settings").defaults()
    info = spark._jvm.io.zkmr.spark.CommitMatrix.run(matrix._jdf, args.store, settings)
    committed = info.getMatrixCommitment()


def timed(run):
    started = time.monotonic()
    out = run()
    return out, time.monotonic() - started


def plain():
    """The plain product in Spark SQL over the same tables: the benchmark's baseline."""
    matrix.createOrReplaceTempView("matrix")
    spark.createDataFrame([(x,)], "x ARRAY<DOUBLE>").createOrReplaceTempView("vec")
    return spark.sql("""
        SELECT row, aggregate(zip_with(values, x, (a, b) -> a * b), 0D, (s, v) -> s + v) AS y
        FROM matrix CROSS JOIN vec""").collect()


def proved_and_verified(prove):
    """`prove`'s job, timed, with its verdict (`verified`) timed apart: a third party's check,
    not part of making the proof."""
    out, seconds = timed(lambda: prove(spark, matrix, x, args.store))
    out["verified"], out["verify_seconds"] = timed(lambda: job.verify(spark, out, x))
    del out["bundle"]
    return out, seconds


result, result["seconds"] = proved_and_verified(job.prove)
if args.baseline:
    # The first run above paid for starting the executors' JIT and opening the store, once per
    # executor; the figures compared are later runs in one session. A job of a second or two
    # moves by tenths from run to run on a loaded machine, so each form runs BASELINE_RUNS times,
    # the three forms in turn, and the median of each is its figure (every run is kept too).
    result["first_seconds"] = result["seconds"]
    plain()
    runs = {"seconds": [], "verify_seconds": [], "sql_seconds": [], "baseline_seconds": []}
    for _ in range(args.baseline_runs):
        again, t = proved_and_verified(job.prove)
        runs["seconds"].append(t)
        runs["verify_seconds"].append(again["verify_seconds"])
        sql, t = proved_and_verified(job.prove_sql)
        runs["sql_seconds"].append(t)
        rows, t = timed(plain)
        runs["baseline_seconds"].append(t)
        assert again["job_root"] == sql["job_root"] == result["job_root"]
        assert again["verified"] and sql["verified"]
        assert len(rows) == len(result["y"])
    for key, times in runs.items():
        result[key] = statistics.median(times)
        result[key.replace("seconds", "runs")] = times
if committed is not None:
    result["committed"] = committed
print(json.dumps(executors(result)))
spark.stop()
