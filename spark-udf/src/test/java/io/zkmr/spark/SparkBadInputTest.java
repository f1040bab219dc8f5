package io.zkmr.spark;

import static org.apache.spark.sql.functions.call_function;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmr.ArrowBatches;
import io.zkmr.Zkmr;
import io.zkmr.ZkmrException;
import io.zkmr.proto.Verification;
import io.zkmr.testing.Fixture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark rows of the bad-input catalogue ({@code docs/bad-inputs.md}): each bad input fails
 * the query with a {@link ZkmrException} (as Spark wraps it) whose message names what is wrong,
 * and the session lives on. A 40×12 matrix in three partitions keeps each job short.
 */
class SparkBadInputTest {
  static final int ROWS = 40;
  static final int COLS = 12;

  @TempDir static Path dir;
  static SparkSession spark;
  static Fixture fixture;
  static String store;
  static Dataset<Row> matrix;
  static ZkJob.Result proved;

  @BeforeAll
  static void start() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("zkmr-spark-bad-input")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate();
    ZkmrFunctions.register(spark);
    fixture = Fixture.random(ROWS, COLS, 5);
    store =
        Zkmr.commitMatrix(
                dir.resolve("keys"),
                ArrowBatches.rows(fixture.rowIndices(), fixture.matrix),
                Zkmr.CommitSettings.defaults().withRowsPerPartition(16))
            .getDir();
    matrix = table(List.of());
    matrix.createOrReplaceTempView("matrix");
    proved = ZkJob.prove(matrix, fixture.x, store);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** A failed query leaves the session usable. */
  @AfterEach
  void theSessionLivesOn() {
    assertEquals(3, spark.range(3).count());
  }

  /** The fixture's matrix as a table, with {@code extra} rows after its own. */
  static Dataset<Row> table(List<Row> extra) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      rows.add(RowFactory.create((long) i, SparkJobTest.toList(fixture.matrix[i])));
    }
    rows.addAll(extra);
    return spark.createDataFrame(rows, SparkJobTest.MATRIX);
  }

  /** One row holding a bundle and a commitment, for the verify functions. */
  static Dataset<Row> verdictInputs(byte[] bundle, String commitment) {
    StructType schema =
        new StructType()
            .add("bundle", DataTypes.BinaryType)
            .add("commitment", DataTypes.StringType);
    return spark.createDataFrame(List.of(RowFactory.create(bundle, commitment)), schema);
  }

  /**
   * {@code run} fails with a {@link ZkmrException} somewhere in its cause chain (Spark wraps a
   * task's exception, or names its class in the message) saying each of {@code needles}.
   */
  static void assertZkmrFailure(Executable run, String... needles) {
    Throwable e = assertThrows(Throwable.class, run);
    String all = SparkJobTest.messages(e);
    boolean zkmr = all.contains(ZkmrException.class.getName());
    for (Throwable t = e; t != null; t = t.getCause()) {
      zkmr |= t instanceof ZkmrException;
    }
    assertTrue(zkmr, "not a ZkmrException:\n" + all);
    for (String needle : needles) {
      assertTrue(all.contains(needle), "the error does not say \"" + needle + "\":\n" + all);
    }
  }

  @Test
  void aKeyStoreThatDoesNotExistIsNamed() {
    String nowhere = dir.resolve("nowhere").toString();
    assertZkmrFailure(() -> ZkJob.prove(matrix, fixture.x, nowhere), nowhere);
  }

  @Test
  void aVectorOfTheWrongLengthIsNamed() {
    double[] shortX = Arrays.copyOf(fixture.x, COLS - 1);
    assertZkmrFailure(() -> ZkJob.prove(matrix, shortX, store), "11 entries", "12 columns");
  }

  @Test
  void aNullVectorIsNamed() {
    String sql =
        "SELECT zkMatMul(row, values, CAST(NULL AS ARRAY<DOUBLE>), '%1$s') FROM matrix GROUP BY zkPartition(row, '%1$s')"
            .formatted(store);
    assertZkmrFailure(() -> spark.sql(sql).collect(), "x is null");
  }

  @Test
  void aRowOutsideTheMatrixIsNamed() {
    long huge = 1L << 62;
    Dataset<Row> outside =
        table(List.of(RowFactory.create(huge, SparkJobTest.toList(fixture.matrix[0]))));
    assertZkmrFailure(() -> ZkJob.prove(outside, fixture.x, store), "row " + huge, "outside");
  }

  @Test
  void aCorruptedBundleIsRejectedWithItsReason() {
    byte[] bundle = proved.bundle();
    byte[] corrupted = Arrays.copyOf(bundle, bundle.length / 2);
    Row verdict =
        verdictInputs(corrupted, proved.matrixCommitment())
            .selectExpr("zkVerify(bundle, commitment)", "zkVerifyExplain(bundle, commitment)")
            .first();
    assertFalse(verdict.getBoolean(0));
    assertTrue(verdict.getString(1).startsWith("rejected"), verdict.getString(1));
    assertTrue(verdict.getString(1).contains("bundle"), verdict.getString(1));
    Verification direct = Zkmr.verify(corrupted, proved.matrixCommitment());
    assertFalse(direct.getVerified());
    assertTrue(direct.getMessage().contains("bundle"), direct.getMessage());
  }

  /** The fixture's x with its first entry changed. */
  static double[] otherX() {
    double[] other = fixture.x.clone();
    other[0] += 1;
    return other;
  }

  @Test
  void zkCommitCommitsTheQuerysXAndNamesAPartitionProvedForAnother() {
    Column storeName = lit(store);
    Dataset<Row> parts =
        matrix
            .groupBy(call_function("zkPartition", col("row"), storeName))
            .agg(call_function("zkMatMul", col("row"), col("values"), lit(fixture.x), storeName).as("part"));
    assertZkmrFailure(
        () -> parts.agg(call_function("zkCommit", col("part"), storeName, lit(otherX()))).collect(),
        "zkCommit",
        "rejected: partition ",
        "another x");
    // The same x at another scale than the tasks proved is another x too.
    assertZkmrFailure(
        () -> parts.agg(call_function("zkCommit", col("part"), storeName, lit(fixture.x), lit(20))).collect(),
        "another x");
    // Without x there is no job to commit: the query fails at planning, with the usage.
    assertZkmrFailure(
        () -> parts.agg(call_function("zkCommit", col("part"), storeName)).collect(), "zkCommit(part, store, x");
  }

  @Test
  void zkVerifyIsFalseForAnotherX() {
    StructType schema =
        new StructType()
            .add("bundle", DataTypes.BinaryType)
            .add("commitment", DataTypes.StringType)
            .add("x", DataTypes.createArrayType(DataTypes.DoubleType))
            .add("other", DataTypes.createArrayType(DataTypes.DoubleType));
    Dataset<Row> inputs =
        spark.createDataFrame(
            List.of(
                RowFactory.create(
                    proved.bundle(),
                    proved.matrixCommitment(),
                    SparkJobTest.toList(fixture.x),
                    SparkJobTest.toList(otherX()))),
            schema);
    Row verdict =
        inputs
            .selectExpr(
                "zkVerify(bundle, commitment, x)",
                "zkVerify(bundle, commitment, other)",
                "zkVerifyExplain(bundle, commitment, other)",
                "zkVerify(bundle, commitment, array(x))",
                "zkVerify(bundle, commitment, '%s')".formatted(proved.xDigest()),
                "zkVerify(bundle, commitment, CAST(NULL AS ARRAY<DOUBLE>))",
                "zkVerify(bundle, commitment, NULL)")
            .first();
    assertTrue(verdict.getBoolean(0));
    assertFalse(verdict.getBoolean(1));
    assertTrue(verdict.getString(2).startsWith("rejected: x: "), verdict.getString(2));
    assertTrue(verdict.getBoolean(3));
    assertTrue(verdict.getBoolean(4));
    // A NULL value of x is no verdict; the NULL literal leaves x out.
    assertTrue(verdict.isNullAt(5));
    assertTrue(verdict.getBoolean(6));
  }

  @Test
  void aSessionPinnedToAnotherCommitmentRefusesTheStore() {
    String published = proved.matrixCommitment();
    String other = (published.charAt(0) == '0' ? "1" : "0") + published.substring(1);
    try {
      spark.conf().set(Stores.COMMITMENT, other);
      assertZkmrFailure(() -> ZkJob.prove(matrix, fixture.x, store), "not the expected commitment " + other);
      spark.conf().set(Stores.COMMITMENT, published);
      assertEquals(proved.jobRoot(), ZkJob.prove(matrix, fixture.x, store).jobRoot());
    } finally {
      spark.conf().unset(Stores.COMMITMENT);
    }
  }

  @Test
  void anInvalidCommitmentStringFailsTheQueryNamingIt() {
    Dataset<Row> bad = verdictInputs(proved.bundle(), "not a commitment");
    assertZkmrFailure(() -> bad.selectExpr("zkVerify(bundle, commitment)").collect(), "commitment");
  }
}
