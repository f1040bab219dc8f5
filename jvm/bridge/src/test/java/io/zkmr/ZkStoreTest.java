package io.zkmr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmr.proto.JobOutput;
import io.zkmr.proto.PartitionOutput;
import io.zkmr.proto.StoreInfo;
import io.zkmr.proto.Verification;
import io.zkmr.testing.Fixture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java API over the native library, checked against plain matrix-vector products. */
class ZkStoreTest {
  static final int ROWS = 10;
  static final int COLS = 7;
  static final int PER = 4;

  @TempDir static Path dir;
  static double[][] matrix;
  static double[] x;
  static StoreInfo info;

  @BeforeAll
  static void commit() {
    Random random = new Random(11);
    matrix = new double[ROWS][COLS];
    for (double[] row : matrix) {
      for (int j = 0; j < COLS; j++) {
        row[j] = random.nextInt(2001) - 1000;
      }
    }
    x = new double[COLS];
    for (int j = 0; j < COLS; j++) {
      x[j] = random.nextInt(201) - 100;
    }
    long[] rows = new long[ROWS];
    Arrays.setAll(rows, i -> i);
    info =
        Zkmr.commitMatrix(
            dir.resolve("keys"),
            ArrowBatches.rows(rows, matrix),
            Zkmr.CommitSettings.defaults().withRowsPerPartition(PER));
  }

  static byte[] partitionRows(int p) {
    int start = p * PER;
    int end = Math.min(ROWS, start + PER);
    long[] rows = new long[end - start];
    double[][] values = new double[end - start][];
    // Rows arrive in reverse: a task's rows come in any order.
    for (int i = 0; i < rows.length; i++) {
      rows[i] = end - 1 - i;
      values[i] = matrix[end - 1 - i];
    }
    return ArrowBatches.rows(rows, values);
  }

  static double[] expectedY() {
    double[] y = new double[ROWS];
    for (int i = 0; i < ROWS; i++) {
      for (int j = 0; j < COLS; j++) {
        y[i] += matrix[i][j] * x[j];
      }
    }
    return y;
  }

  @Test
  void provesEveryPartitionAndCommitsTheJob() {
    assertEquals(3, info.getPartitions());
    assertEquals("pedersen", info.getScheme());
    assertFalse(info.getSrsUnsafe());
    try (ZkStore store = ZkStore.open(dir.resolve("keys"))) {
      List<byte[]> results = new ArrayList<>();
      for (int p = 2; p >= 0; p--) {
        PartitionOutput out = store.provePartition(partitionRows(p), ArrowBatches.vector(x), -1);
        assertEquals(p, out.getIndex());
        assertEquals((long) (out.getRowEnd() - out.getRowStart()) * COLS, out.getMacs());
        results.add(out.getResult().toByteArray());
      }
      JobOutput job = store.commitJob(results);
      assertEquals(info.getMatrixCommitment(), job.getMatrixCommitment());
      double[] y = job.getYList().stream().mapToDouble(Double::doubleValue).toArray();
      assertArrayEquals(expectedY(), y);

      byte[] bundle = job.getBundle().toByteArray();
      Verification ok = Zkmr.verify(bundle, info.getMatrixCommitment());
      assertTrue(ok.getVerified(), ok.getMessage());
      assertEquals(job.getJobRoot(), ok.getJobRoot());

      byte[] tampered = bundle.clone();
      tampered[tampered.length - 5] ^= 1;
      Verification bad = Zkmr.verify(tampered, info.getMatrixCommitment());
      assertFalse(bad.getVerified());
      assertTrue(bad.getMessage().startsWith("rejected"), bad.getMessage());

      byte[] truncated = Arrays.copyOf(bundle, bundle.length / 2);
      assertFalse(Zkmr.verify(truncated, info.getMatrixCommitment()).getVerified());

      ZkmrException missing =
          assertThrows(ZkmrException.class, () -> store.commitJob(results.subList(0, 2)));
      assertTrue(missing.getMessage().contains("missing"), missing.getMessage());
    }
  }

  @Test
  void onePartitionIsOpenedAndCheckedAloneAgainstTheCommitment() throws Exception {
    try (ZkStore store = ZkStore.open(dir.resolve("keys"))) {
      List<byte[]> results = new ArrayList<>();
      for (int p = 0; p < 3; p++) {
        results.add(
            store.provePartition(partitionRows(p), ArrowBatches.vector(x), -1).getResult().toByteArray());
      }
      JobOutput job = store.commitJob(results);
      byte[] bundle = job.getBundle().toByteArray();
      byte[] opening = store.openPartition(bundle, 1);

      Verification ok = Zkmr.verifyOpening(opening, info.getMatrixCommitment());
      assertTrue(ok.getVerified(), ok.getMessage());
      assertEquals(1, ok.getPartitions());
      assertEquals(job.getJobRoot(), ok.getJobRoot());
      assertTrue(ok.getMessage().startsWith("verified: partition 1 (rows 4..8)"), ok.getMessage());

      byte[] flipped = opening.clone();
      flipped[flipped.length / 2] ^= 1;
      Verification bad = Zkmr.verifyOpening(flipped, info.getMatrixCommitment());
      assertFalse(bad.getVerified());
      assertEquals(0, bad.getPartitions());
      assertTrue(bad.getMessage().startsWith("rejected"), bad.getMessage());

      ZkmrException tampered =
          assertThrows(
              ZkmrException.class, () -> store.openPartition(Fixture.withYChanged(bundle, 2), 2));
      assertTrue(tampered.getMessage().contains("rejected"), tampered.getMessage());

      ZkmrException absent = assertThrows(ZkmrException.class, () -> store.openPartition(bundle, 3));
      assertTrue(absent.getMessage().contains("partition 3"), absent.getMessage());

      assertThrows(ZkmrException.class, () -> Zkmr.verifyOpening(opening, "not hex"));
    }
  }

  @Test
  void halo2StoresProveTheSameProduct() {
    long[] rows = new long[ROWS];
    Arrays.setAll(rows, i -> i);
    StoreInfo halo2 =
        Zkmr.commitMatrix(
            dir.resolve("halo2-keys"),
            ArrowBatches.rows(rows, matrix),
            Zkmr.CommitSettings.halo2Development().withRowsPerPartition(PER));
    assertEquals("halo2", halo2.getScheme());
    assertTrue(halo2.getSrsUnsafe());
    try (ZkStore store = ZkStore.open(dir.resolve("halo2-keys"))) {
      List<byte[]> results = new ArrayList<>();
      for (int p = 0; p < 3; p++) {
        results.add(
            store.provePartition(partitionRows(p), ArrowBatches.vector(x), -1).getResult().toByteArray());
      }
      JobOutput job = store.commitJob(results);
      double[] y = job.getYList().stream().mapToDouble(Double::doubleValue).toArray();
      assertArrayEquals(expectedY(), y);
      Verification ok = Zkmr.verify(job.getBundle().toByteArray(), halo2.getMatrixCommitment());
      assertTrue(ok.getVerified(), ok.getMessage());
      // A halo2 bundle is no proof for the pedersen commitment of the same matrix.
      assertFalse(Zkmr.verify(job.getBundle().toByteArray(), info.getMatrixCommitment()).getVerified());
      // Each halo2 partition carries its own proof: there is nothing to open.
      ZkmrException refused =
          assertThrows(
              ZkmrException.class, () -> store.openPartition(job.getBundle().toByteArray(), 1));
      assertTrue(refused.getMessage().contains("pedersen"), refused.getMessage());
    }
  }

  @Test
  void badInputBecomesAnExceptionNamingWhereItIs() {
    try (ZkStore store = ZkStore.open(dir.resolve("keys"))) {
      double[][] changed = {matrix[1].clone(), matrix[0]};
      changed[0][3] += 1;
      ZkmrException differs =
          assertThrows(
              ZkmrException.class,
              () ->
                  store.provePartition(
                      ArrowBatches.rows(new long[] {1, 0, 2, 3}, new double[][] {changed[0], changed[1], matrix[2], matrix[3]}),
                      ArrowBatches.vector(x),
                      -1));
      assertTrue(differs.getMessage().contains("row 1, column 3"), differs.getMessage());

      double[] nan = matrix[0].clone();
      nan[2] = Double.NaN;
      ZkmrException notANumber =
          assertThrows(
              ZkmrException.class,
              () ->
                  store.provePartition(
                      ArrowBatches.rows(new long[] {0, 1, 2, 3}, new double[][] {nan, matrix[1], matrix[2], matrix[3]}),
                      ArrowBatches.vector(x),
                      -1));
      assertTrue(notANumber.getMessage().contains("row 0, column 2"), notANumber.getMessage());

      ZkmrException split =
          assertThrows(
              ZkmrException.class,
              () ->
                  store.provePartition(
                      ArrowBatches.rows(new long[] {0, 5}, new double[][] {matrix[0], matrix[5]}),
                      ArrowBatches.vector(x),
                      -1));
      assertTrue(split.getMessage().contains("partitions 0 and 1"), split.getMessage());

      ZkmrException shortX =
          assertThrows(
              ZkmrException.class,
              () -> store.provePartition(partitionRows(0), ArrowBatches.vector(new double[] {1, 2}), -1));
      assertTrue(shortX.getMessage().contains("columns"), shortX.getMessage());

      ZkmrException garbage =
          assertThrows(
              ZkmrException.class,
              () -> store.provePartition(new byte[] {1, 2, 3}, ArrowBatches.vector(x), -1));
      assertTrue(garbage.getMessage().contains("Arrow IPC"), garbage.getMessage());
    }
  }

  @Test
  void aClosedStoreRefusesCallsAndAMissingStoreSaysWhere() {
    ZkStore store = ZkStore.open(dir.resolve("keys"));
    store.close();
    store.close();
    ZkmrException closed =
        assertThrows(
            ZkmrException.class, () -> store.provePartition(partitionRows(0), ArrowBatches.vector(x), -1));
    assertTrue(closed.getMessage().contains("closed"), closed.getMessage());

    ZkmrException missing = assertThrows(ZkmrException.class, () -> ZkStore.open(dir.resolve("nowhere")));
    assertTrue(missing.getMessage().contains("nowhere"), missing.getMessage());

    assertThrows(ZkmrException.class, () -> Zkmr.verify(new byte[0], "not hex"));
  }

  @Test
  void theLibraryIsLoadedFromTheJarResourcePath() {
    assertEquals("native/linux/x86_64/libzkmr_jni.so", NativeLoader.resourcePath());
    assertTrue(NativeLoader.class.getClassLoader().getResource(NativeLoader.resourcePath()) != null);
  }
}
