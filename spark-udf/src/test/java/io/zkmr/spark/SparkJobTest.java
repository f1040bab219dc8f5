package io.zkmr.spark;

import static org.apache.spark.sql.functions.col;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmr.ArrowBatches;
import io.zkmr.Zkmr;
import io.zkmr.proto.StoreInfo;
import io.zkmr.testing.Fixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * zkmr's functions in an embedded Spark ({@code local[2,2]}: two worker threads, a failed task
 * tried once more), on a 256×300 float matrix read from Parquet, against {@code zkmr prove} over
 * the same key store and a plain double-precision product.
 */
class SparkJobTest {
  static final StructType MATRIX =
      new StructType()
          .add("row", DataTypes.LongType, false)
          .add("values", DataTypes.createArrayType(DataTypes.DoubleType, false), false);

  @TempDir static Path dir;
  static SparkSession spark;
  static Fixture fixture;
  static Fixture.Run reference;
  static String store;
  static Dataset<Row> matrix;
  static final AtomicInteger failedTasks = new AtomicInteger();
  static final AtomicLong shuffleBytes = new AtomicLong();
  static final AtomicInteger stages = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    spark =
        SparkSession.builder()
            .master("local[2,2]")
            .appName("zkmr-spark-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate();
    spark
        .sparkContext()
        .addSparkListener(
            new SparkListener() {
              @Override
              public void onTaskEnd(SparkListenerTaskEnd end) {
                if (!end.taskInfo().successful()) {
                  failedTasks.incrementAndGet();
                }
                if (end.taskMetrics() != null) {
                  shuffleBytes.addAndGet(end.taskMetrics().shuffleWriteMetrics().bytesWritten());
                }
              }

              @Override
              public void onStageCompleted(SparkListenerStageCompleted completed) {
                stages.incrementAndGet();
              }
            });
    ZkmrFunctions.register(spark);
    fixture = Fixture.random(256, 300, 7);
    StoreInfo info =
        Zkmr.commitMatrix(
            dir.resolve("keys"),
            ArrowBatches.rows(fixture.rowIndices(), fixture.matrix),
            Zkmr.CommitSettings.defaults());
    store = info.getDir();
    reference = fixture.zkmrProve(dir, dir.resolve("keys"));
    assertEquals(reference.matrixCommitment(), info.getMatrixCommitment());

    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < fixture.matrix.length; i++) {
      rows.add(RowFactory.create((long) i, toList(fixture.matrix[i])));
    }
    String parquet = dir.resolve("matrix.parquet").toString();
    spark.createDataFrame(rows, MATRIX).repartition(3).write().parquet(parquet);
    matrix = spark.read().parquet(parquet);
    matrix.createOrReplaceTempView("matrix");
    spark
        .createDataFrame(
            List.of(RowFactory.create(toList(fixture.x))),
            new StructType().add("x", DataTypes.createArrayType(DataTypes.DoubleType)))
        .createOrReplaceTempView("vec");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static List<Double> toList(double[] values) {
    return Arrays.stream(values).boxed().toList();
  }

  static void assertMatchesReference(double[] y) {
    assertArrayEquals(reference.y(), y);
    double[] expected = fixture.expectedY();
    for (int i = 0; i < y.length; i++) {
      assertEquals(expected[i], y[i], 1e-6, "y[" + i + "]");
    }
  }

  @Test
  void sqlAsSpecifiedMatchesTheCli() {
    String sql =
        """
        WITH parts AS (
          SELECT zkMatMul(row, values, x, '%1$s') AS part
          FROM matrix CROSS JOIN vec
          GROUP BY zkPartition(row, '%1$s')
        ), job AS (
          SELECT zkCommit(part, '%1$s', x) AS job FROM parts CROSS JOIN vec
        )
        SELECT job['matrix_commitment'] AS matrix_commitment,
               job['job_root'] AS job_root,
               job['y'] AS y,
               zkVerify(job['bundle'], job['matrix_commitment'], x) AS verified,
               zkVerifyExplain(job['bundle'], job['matrix_commitment']) AS explained,
               job['x_digest'] AS x_digest,
               job['x'] AS x_proved,
               job['vectors'] AS vectors
        FROM job CROSS JOIN vec
        """
            .formatted(store);
    long before = Metrics.of(spark.sparkContext()).partitions.value();
    Row job = spark.sql(sql).first();
    assertEquals(reference.matrixCommitment(), job.getString(0));
    assertEquals(reference.jobRoot(), job.getString(1));
    List<Double> y = job.getList(2);
    assertMatchesReference(y.stream().mapToDouble(Double::doubleValue).toArray());
    assertTrue(job.getBoolean(3));
    assertEquals(
        "verified: 4 partitions, x " + job.getString(5) + ", job root " + reference.jobRoot(), job.getString(4));
    List<Double> proved = job.getList(6);
    assertArrayEquals(fixture.x, proved.stream().mapToDouble(Double::doubleValue).toArray());
    assertEquals(1L, job.getLong(7));
    assertEquals(4, Metrics.of(spark.sparkContext()).partitions.value() - before);
  }

  @Test
  void onePartitionOfAJobIsOpenedAndCheckedAloneByAThirdParty() throws Exception {
    String sql =
        """
        WITH parts AS (
          SELECT zkMatMul(row, values, x, '%1$s') AS part
          FROM matrix CROSS JOIN vec
          GROUP BY zkPartition(row, '%1$s')
        ), job AS (
          SELECT zkCommit(part, '%1$s', x) AS job FROM parts CROSS JOIN vec
        ), opened AS (
          SELECT job, zkOpen(job['bundle'], 1, '%1$s') AS opening FROM job
        )
        SELECT job['bundle'] AS bundle,
               zkVerifyPartition(opening, job['matrix_commitment']) AS opened,
               zkVerifyPartition(opening, job['matrix_commitment'], x, job['job_root']) AS pinned,
               zkVerifyPartition(opening, job['matrix_commitment'], job['x_digest']) AS by_digest,
               zkVerifyPartition(opening, job['matrix_commitment'], NULL, job['job_root']) AS root_alone,
               zkVerifyPartition(opening, job['matrix_commitment'], x, '%2$s') AS other_job
        FROM opened CROSS JOIN vec
        """
            .formatted(store, "0".repeat(64));
    Row job = spark.sql(sql).first();
    String opened = job.getString(1);
    assertTrue(opened.startsWith("verified: partition 1 (rows 64..128), x "), opened);
    assertTrue(opened.endsWith(", job root " + reference.jobRoot()), opened);
    assertEquals(opened, job.getString(2));
    assertEquals(opened, job.getString(3));
    assertEquals(opened, job.getString(4));
    assertTrue(job.getString(5).startsWith("rejected: partition 1: it belongs to job root "), job.getString(5));

    byte[] tampered = Fixture.withYChanged((byte[]) job.get(0), 1);
    byte[] random = new byte[200];
    new Random(3).nextBytes(random);
    Dataset<Row> untrusted =
        spark.createDataFrame(
            List.of(RowFactory.create(tampered, random, reference.matrixCommitment())),
            new StructType()
                .add("tampered", DataTypes.BinaryType)
                .add("random", DataTypes.BinaryType)
                .add("commitment", DataTypes.StringType));
    SparkBadInputTest.assertZkmrFailure(
        () -> untrusted.selectExpr("zkOpen(tampered, 1, '%s')".formatted(store)).collect(),
        "zkOpen",
        "rejected");
    String refused = untrusted.selectExpr("zkVerifyPartition(random, commitment)").first().getString(0);
    assertTrue(refused.startsWith("rejected: "), refused);
  }

  @Test
  void theDataFrameHelperSurvivesATaskThatFailsOnItsFirstAttempt() {
    int failedBefore = failedTasks.get();
    ZkJob.Result result = ZkJob.prove(FirstAttemptFails.at(matrix, MATRIX, 130), fixture.x, store);
    assertTrue(failedTasks.get() > failedBefore, "the injected failure happened");
    assertEquals(reference.jobRoot(), result.jobRoot());
    assertEquals(reference.matrixCommitment(), result.matrixCommitment());
    assertEquals(4, result.partitions());
    assertMatchesReference(result.y());
    var verdict = Zkmr.verify(result.bundle(), reference.matrixCommitment(), fixture.x);
    assertTrue(verdict.getVerified(), verdict.getMessage());
    assertEquals(verdict.getXDigest(), result.xDigest());
  }

  @Test
  void theJobMultipliesRowsWhereTheyAreAndShufflesNothing() throws Exception {
    long shuffledBefore = shuffleBytes.get();
    int stagesBefore = stages.get();
    ZkJob.Result result = ZkJob.prove(matrix, fixture.x, store);
    assertEquals(reference.jobRoot(), result.jobRoot());
    assertMatchesReference(result.y());
    // Listener events arrive asynchronously: wait until every one of the job's is counted.
    spark.sparkContext().listenerBus().waitUntilEmpty();
    assertEquals(0, shuffleBytes.get() - shuffledBefore, "bytes shuffled");
    assertEquals(1, stages.get() - stagesBefore, "stages: one map stage, then the driver");
  }

  /**
   * A store of another scheme over the same matrix: the job is the same Spark code (tasks send
   * their rows' products, the driver proves), and its root and y are {@code zkmr prove}'s.
   */
  @Test
  void aCqlinStoreProvesTheJobAsZkmrProveDoesWithoutAShuffle() throws Exception {
    Path keys = dir.resolve("keys-cqlin");
    StoreInfo info =
        Zkmr.commitMatrix(
            keys,
            ArrowBatches.rows(fixture.rowIndices(), fixture.matrix),
            new Zkmr.CommitSettings("cqlin", 64, -1, null, false));
    assertEquals("cqlin", info.getScheme());
    assertTrue(info.getSrsUnsafe());
    Fixture.Run cqlin = fixture.zkmrProve(Files.createDirectories(dir.resolve("cqlin")), keys);
    long shuffledBefore = shuffleBytes.get();
    ZkJob.Result result = ZkJob.prove(matrix, fixture.x, info.getDir());
    assertEquals(cqlin.jobRoot(), result.jobRoot());
    assertArrayEquals(cqlin.y(), result.y());
    spark.sparkContext().listenerBus().waitUntilEmpty();
    assertEquals(0, shuffleBytes.get() - shuffledBefore, "bytes shuffled");
    var verdict = Zkmr.verify(result.bundle(), info.getMatrixCommitment(), fixture.x);
    assertTrue(verdict.getVerified(), verdict.getMessage());
    // The same matrix's pedersen commitment is not this proof's.
    assertFalse(Zkmr.verify(result.bundle(), reference.matrixCommitment(), fixture.x).getVerified());
  }

  @Test
  void coordinateEntriesSpreadOverTasksProveTheSameJobAndAMissingOrChangedEntryIsNamed() {
    // The matrix as an edge list would hold it: one record per non-zero, a row's entries in
    // several input partitions.
    Dataset<Row> entries =
        matrix.selectExpr("row", "posexplode(values) AS (col, value)").where("value <> 0").repartition(3, col("col"));
    ZkJob.Result result = ZkJob.prove(entries, fixture.x, store);
    assertEquals(reference.jobRoot(), result.jobRoot());
    assertMatchesReference(result.y());
    long nonzeros = Arrays.stream(fixture.matrix[40]).filter(v -> v != 0).count();
    Exception missing =
        assertThrows(Exception.class, () -> ZkJob.prove(entries.where("NOT (row = 40 AND col = 7)"), fixture.x, store));
    String expected = "row 40: the tasks multiplied " + (nonzeros - 1) + " of its " + nonzeros + " non-zero entries";
    assertTrue(fixture.matrix[40][7] != 0 && messages(missing).contains(expected), messages(missing));
    Exception changed =
        assertThrows(
            Exception.class,
            () ->
                ZkJob.prove(
                    entries.selectExpr("row", "col", "IF(row = 12 AND col = 3, value * 2, value) AS value"),
                    fixture.x,
                    store));
    assertTrue(messages(changed).contains("row 12, column 3: the value differs"), messages(changed));
  }

  @Test
  void aBatchIsOneJobWhoseYIsEachVectorsProduct() {
    double[][] xs = new double[3][];
    for (int b = 0; b < xs.length; b++) {
      xs[b] = Fixture.random(1, fixture.x.length, 100 + b).x;
    }
    ZkJob.Result result = ZkJob.prove(matrix, xs, store);
    int rows = fixture.matrix.length;
    assertEquals(rows * xs.length, result.y().length);
    for (int b = 0; b < xs.length; b++) {
      for (int i = 0; i < rows; i++) {
        double expected = 0;
        for (int j = 0; j < xs[b].length; j++) {
          expected += fixture.matrix[i][j] * xs[b][j];
        }
        assertEquals(expected, result.y()[b * rows + i], 1e-6, "vector " + b + ", row " + i);
      }
    }
    var verdict = Zkmr.verify(result.bundle(), reference.matrixCommitment(), xs);
    assertTrue(verdict.getVerified(), verdict.getMessage());
    assertEquals(verdict.getXDigest(), result.xDigest());
    var other = Zkmr.verify(result.bundle(), reference.matrixCommitment(), new double[][] {xs[1], xs[0], xs[2]});
    assertTrue(other.getMessage().startsWith("rejected: x:"), other.getMessage());
  }

  @Test
  void aBatchInSqlIsOneJobAndItsRootIsTheJobWithoutAShufflesRoot() {
    double[][] xs = new double[3][];
    List<List<Double>> batch = new ArrayList<>();
    for (int b = 0; b < xs.length; b++) {
      xs[b] = Fixture.random(1, fixture.x.length, 200 + b).x;
      batch.add(toList(xs[b]));
    }
    spark
        .createDataFrame(
            List.of(RowFactory.create(batch)),
            new StructType().add("x", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType))))
        .createOrReplaceTempView("vecs");
    String sql =
        """
        WITH parts AS (
          SELECT zkMatMul(row, values, x, '%1$s') AS part
          FROM matrix CROSS JOIN vecs
          GROUP BY zkPartition(row, '%1$s')
        ), job AS (
          SELECT zkCommit(part, '%1$s', x) AS job FROM parts CROSS JOIN vecs
        )
        SELECT job['job_root'], job['y'], job['vectors'], zkVerify(job['bundle'], job['matrix_commitment'], x)
        FROM job CROSS JOIN vecs
        """
            .formatted(store);
    Row job = spark.sql(sql).first();
    assertEquals(ZkJob.prove(matrix, xs, store).jobRoot(), job.getString(0));
    List<Double> y = job.getList(1);
    int rows = fixture.matrix.length;
    assertEquals(rows * xs.length, y.size());
    for (int b = 0; b < xs.length; b++) {
      for (int i = 0; i < rows; i++) {
        double expected = 0;
        for (int j = 0; j < xs[b].length; j++) {
          expected += fixture.matrix[i][j] * xs[b][j];
        }
        assertEquals(expected, y.get(b * rows + i), 1e-6, "vector " + b + ", row " + i);
      }
    }
    assertEquals(3L, job.getLong(2));
    assertTrue(job.getBoolean(3));
  }

  @Test
  void aRowThatDiffersFromTheCommittedMatrixIsNamed() {
    Dataset<Row> changed =
        matrix.map(
            (MapFunction<Row, Row>)
                row -> {
                  if (row.getLong(0) != 201) {
                    return row;
                  }
                  List<Double> list = row.getList(1);
                  double[] values = list.stream().mapToDouble(Double::doubleValue).toArray();
                  values[17] += 1.0 / 256;
                  return RowFactory.create(201L, values);
                },
            Encoders.row(MATRIX));
    Exception e = assertThrows(Exception.class, () -> ZkJob.prove(changed, fixture.x, store));
    String message = messages(e);
    assertTrue(message.contains("row 201, column 17: the value differs from the matrix committed"), message);
  }

  @Test
  void aMissingOrRepeatedRowFailsTheJobNamingIt() {
    Exception missing =
        assertThrows(Exception.class, () -> ZkJob.prove(matrix.where("row <> 99"), fixture.x, store));
    assertTrue(messages(missing).contains("row 99 is missing"), messages(missing));
    Exception twice =
        assertThrows(
            Exception.class, () -> ZkJob.prove(matrix.union(matrix.where("row = 5")), fixture.x, store));
    assertTrue(messages(twice).contains("row 5 appears twice"), messages(twice));
  }

  @Test
  void aMalformedRowFailsTheJobWithItsRowAndTheSessionLivesOn() {
    Dataset<Row> ragged =
        matrix.map(
            (MapFunction<Row, Row>)
                row -> {
                  if (row.getLong(0) != 77) {
                    return row;
                  }
                  List<Double> list = row.getList(1);
                  double[] values = list.stream().mapToDouble(Double::doubleValue).toArray();
                  values[5] = Double.NaN;
                  return RowFactory.create(77L, values);
                },
            Encoders.row(MATRIX));
    Exception e = assertThrows(Exception.class, () -> ZkJob.prove(ragged, fixture.x, store));
    String message = messages(e);
    assertTrue(message.contains("row 77, column 5"), message);
    assertEquals(3, spark.range(3).count());
  }

  @Test
  void rowsGroupedByAnythingButTheirPartitionAreRefused() {
    Exception e =
        assertThrows(
            Exception.class,
            () ->
                spark
                    .sql(
                        "SELECT zkMatMul(row, values, x, '%s') FROM matrix CROSS JOIN vec GROUP BY row %% 2"
                            .formatted(store))
                    .collect());
    assertTrue(messages(e).contains("group by zkPartition(row"), messages(e));
  }

  static String messages(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }
}
