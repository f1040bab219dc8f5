package io.zkmr.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmr.ArrowBatches;
import io.zkmr.BatchFile;
import io.zkmr.Zkmr;
import io.zkmr.proto.StoreInfo;
import io.zkmr.testing.Fixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
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
 * Batch inference on an embedded Spark ({@code local[2,2]}): 60 inputs in three input
 * partitions, proved in chunks of 10 where they are; the outputs against a plain product, the
 * batch proof through {@code zkmr verify}, and its root against {@code zkmr prove --chunk 10}
 * over the same inputs.
 */
class ZkBatchTest {
  static final StructType INPUTS =
      new StructType()
          .add("id", DataTypes.LongType, false)
          .add("x", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
  static final int INPUT_COUNT = 60;
  static final int CHUNK = 10;

  @TempDir static Path dir;
  static SparkSession spark;
  static Fixture fixture;
  static String store;
  static String commitment;
  static double[][] xs;
  static Dataset<Row> inputs;
  static String cliRoot;
  static final AtomicInteger failedTasks = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    spark =
        SparkSession.builder()
            .master("local[2,2]")
            .appName("zkmr-batch-test")
            .config("spark.ui.enabled", "false")
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
              }
            });
    fixture = Fixture.random(96, 40, 11);
    StoreInfo info =
        Zkmr.commitMatrix(
            dir.resolve("keys"), ArrowBatches.rows(fixture.rowIndices(), fixture.matrix), Zkmr.CommitSettings.defaults());
    store = info.getDir();
    commitment = info.getMatrixCommitment();
    xs = new double[INPUT_COUNT][];
    List<Row> rows = new ArrayList<>();
    for (int b = 0; b < INPUT_COUNT; b++) {
      xs[b] = Fixture.random(1, fixture.x.length, 500 + b).x;
      rows.add(RowFactory.create((long) b, xs[b]));
    }
    // Three input partitions of 20 inputs: two chunks of 10 each, as `--chunk 10` cuts them.
    inputs = spark.createDataFrame(new JavaSparkContext(spark.sparkContext()).parallelize(rows, 3), INPUTS);
    inputs.coalesce(1).withColumnRenamed("id", "row").withColumnRenamed("x", "values").write().parquet(dir.resolve("inputs").toString());
    Fixture.Cli cli =
        Fixture.zkmr(
            "prove", "--keys", store, "--vectors", inputsFile().toString(), "--chunk", String.valueOf(CHUNK),
            "--out", dir.resolve("cli.zkmr").toString(), "--json");
    assertEquals(0, cli.exit(), cli.stdout());
    cliRoot = Fixture.field(cli.stdout(), "batch_root");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** The inputs as one Parquet file, numbered 0, 1, 2, … in order, as the CLI reads a batch. */
  static Path inputsFile() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("inputs"))) {
      return files.filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
  }

  /** Checks a batch job's outputs against a plain product and its proof through {@code zkmr verify}. */
  static void assertProvesTheBatch(ZkBatch.Result result) throws Exception {
    assertEquals(commitment, result.matrixCommitment());
    assertEquals(INPUT_COUNT / CHUNK, result.chunks());
    assertEquals(INPUT_COUNT, result.inputs());
    Map<Long, double[]> outputs = new HashMap<>();
    for (Row r : spark.read().parquet(result.outputs()).collectAsList()) {
      List<Double> y = r.getList(1);
      outputs.put(r.getLong(0), y.stream().mapToDouble(Double::doubleValue).toArray());
    }
    assertEquals(INPUT_COUNT, outputs.size());
    for (int b = 0; b < INPUT_COUNT; b++) {
      double[] y = outputs.get((long) b);
      assertEquals(fixture.matrix.length, y.length);
      for (int i = 0; i < y.length; i++) {
        double expected = 0;
        for (int j = 0; j < xs[b].length; j++) {
          expected += fixture.matrix[i][j] * xs[b][j];
        }
        assertEquals(expected, y[i], 1e-6, "input " + b + ", row " + i);
      }
    }
    Fixture.Cli verified =
        Fixture.zkmr(
            "verify", "--bundle", result.proof(), "--commitment", commitment, "--vectors", inputsFile().toString(),
            "--json");
    assertEquals(0, verified.exit(), verified.stdout());
    assertEquals(result.batchRoot(), Fixture.field(verified.stdout(), "batch_root"));
    assertEquals(cliRoot, result.batchRoot(), "the root zkmr prove --chunk gives the same inputs");
    try (Stream<Path> kept = Files.list(Path.of(result.proof()).resolveSibling(BatchFile.CHUNKS_DIR))) {
      assertEquals(
          result.chunks(),
          kept.filter(f -> f.getFileName().toString().endsWith(".bundle")).count(),
          "a file per chunk beside the batch proof, none of an attempt Spark did not keep");
    }
  }

  @Test
  void aBatchProvedWhereItsInputsAreIsTheBatchZkmrProves() throws Exception {
    assertProvesTheBatch(ZkBatch.prove(inputs, "id", "x", store, CHUNK, dir.resolve("batch").toString()));
  }

  @Test
  void aTaskThatFailsMidBatchIsRetriedAndTheBatchIsUnchanged() throws Exception {
    // Partition 1 (inputs 20..39) fails at input 35, after its first chunk was proved and written.
    int failedBefore = failedTasks.get();
    Dataset<Row> flaky = FirstAttemptFails.at(inputs, INPUTS, 35);
    assertProvesTheBatch(ZkBatch.prove(flaky, "id", "x", store, CHUNK, dir.resolve("retried").toString()));
    spark.sparkContext().listenerBus().waitUntilEmpty();
    assertTrue(failedTasks.get() > failedBefore, "the injected failure happened");
  }

  @Test
  void anExistingDirectoryIsRefusedBeforeAnythingIsProved() throws Exception {
    Path taken = Files.createDirectories(dir.resolve("taken"));
    Exception e =
        org.junit.jupiter.api.Assertions.assertThrows(
            Exception.class, () -> ZkBatch.prove(inputs, "id", "x", store, CHUNK, taken.toString()));
    assertTrue(e.getMessage().contains("exists"), e.getMessage());
  }
}
