package io.zkmr.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmr.ArrowBatches;
import io.zkmr.Zkmr;
import io.zkmr.ZkmrException;
import io.zkmr.proto.StoreInfo;
import io.zkmr.testing.Fixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code zkCommitMatrix} on Spark ({@link CommitMatrix}): setup as a job of tasks, each
 * committing a partition, against {@code zkmr commit} on the same matrix. Under halo2 the two
 * stores must be identical file for file; under Pedersen (fresh blinding each commit) the store
 * must prove {@code y = A x} with {@code zkmr prove}, against its commitment.
 */
class CommitMatrixTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static Fixture fixture;
  static Dataset<Row> matrix;

  @BeforeAll
  static void start() {
    spark =
        SparkSession.builder()
            .master("local[2,2]")
            .appName("zkmr-commit-matrix-test")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    fixture = Fixture.random(200, 40, 11);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < fixture.matrix.length; i++) {
      rows.add(RowFactory.create((long) i, SparkJobTest.toList(fixture.matrix[i])));
    }
    matrix = spark.createDataFrame(rows, SparkJobTest.MATRIX).repartition(3);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static Map<String, byte[]> files(Path store) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(store)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        out.put(store.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  @Test
  void aPedersenStoreCommittedByTasksProvesWithZkmrProve() throws Exception {
    Path keys = dir.resolve("pedersen");
    StoreInfo info = CommitMatrix.run(matrix, keys.toUri().toString(), new CommitMatrix.Settings(null, 48, -1, null, false));
    assertEquals("pedersen", info.getScheme());
    assertEquals(5, info.getPartitions());
    Fixture.Run run = fixture.zkmrProve(dir, keys);
    assertEquals(info.getMatrixCommitment(), run.matrixCommitment());
    double[] expected = fixture.expectedY();
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], run.y()[i], 1e-6, "y[" + i + "]");
    }
    try (Stream<Path> left = Files.list(dir)) {
      assertFalse(left.anyMatch(p -> p.getFileName().toString().startsWith(".zkmr-keys-")), "no staging left");
    }
  }

  @Test
  void aHalo2StoreCommittedByTasksIsZkmrCommitsFileForFile() throws Exception {
    Path local = dir.resolve("halo2-local");
    StoreInfo expected =
        Zkmr.commitMatrix(
            local, ArrowBatches.rows(fixture.rowIndices(), fixture.matrix), Zkmr.CommitSettings.halo2Development());
    Path keys = dir.resolve("halo2-spark");
    StoreInfo info = CommitMatrix.run(matrix, keys.toUri().toString(), new CommitMatrix.Settings("halo2", 64, -1, null, false));
    assertEquals(expected.getMatrixCommitment(), info.getMatrixCommitment());
    Map<String, byte[]> want = files(local);
    Map<String, byte[]> got = files(keys);
    assertEquals(want.keySet(), got.keySet());
    for (String name : want.keySet()) {
      assertArrayEquals(want.get(name), got.get(name), name);
    }
  }

  @Test
  void anExistingStoreIsReplacedOnlyWhenAskedAndOtherFilesNever() throws Exception {
    Path keys = dir.resolve("replaced");
    String uri = keys.toUri().toString();
    String first = CommitMatrix.run(matrix, uri, CommitMatrix.Settings.defaults()).getMatrixCommitment();
    ZkmrException refused = assertThrows(ZkmrException.class, () -> CommitMatrix.run(matrix, uri, CommitMatrix.Settings.defaults()));
    assertTrue(refused.getMessage().contains("already exists"), refused.getMessage());
    assertEquals(first, fixture.zkmrProve(dir, keys).matrixCommitment());
    String second = CommitMatrix.run(matrix, uri, new CommitMatrix.Settings(null, 64, -1, null, true)).getMatrixCommitment();
    assertEquals(second, fixture.zkmrProve(dir, keys).matrixCommitment());

    Path precious = Files.createDirectories(dir.resolve("work"));
    Files.writeString(precious.resolve("thesis.tex"), "years of work");
    ZkmrException kept =
        assertThrows(
            ZkmrException.class,
            () -> CommitMatrix.run(matrix, precious.toUri().toString(), new CommitMatrix.Settings(null, 64, -1, null, true)));
    assertTrue(kept.getMessage().contains("not a key store"), kept.getMessage());
    assertEquals("years of work", Files.readString(precious.resolve("thesis.tex")));
  }

  @Test
  void aMatrixWithAGapOrARaggedRowIsRefusedNamingIt() {
    Dataset<Row> gap = matrix.filter("row <> 17");
    ZkmrException e = assertThrows(ZkmrException.class, () -> CommitMatrix.run(gap, dir.resolve("gap").toUri().toString(), CommitMatrix.Settings.defaults()));
    assertTrue(e.getMessage().contains("numbered 0..199"), e.getMessage());
    Dataset<Row> ragged = matrix.selectExpr("row", "IF(row = 9, slice(values, 1, 39), values) AS values");
    e = assertThrows(ZkmrException.class, () -> CommitMatrix.run(ragged, dir.resolve("ragged").toUri().toString(), CommitMatrix.Settings.defaults()));
    assertTrue(e.getMessage().contains("between 39 and 40 values"), e.getMessage());
  }
}
