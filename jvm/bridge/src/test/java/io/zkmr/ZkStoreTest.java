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
      JobOutput job = store.commitJob(results, x, -1);
      assertEquals(info.getMatrixCommitment(), job.getMatrixCommitment());
      double[] y = job.getYList().stream().mapToDouble(Double::doubleValue).toArray();
      assertArrayEquals(expectedY(), y);
      assertArrayEquals(x, Zkmr.decode(job.getXList(), job.getXEncoding()));
      assertEquals(1, job.getVectors());

      byte[] bundle = job.getBundle().toByteArray();
      Verification ok = Zkmr.verify(bundle, info.getMatrixCommitment());
      assertTrue(ok.getVerified(), ok.getMessage());
      assertEquals(job.getJobRoot(), ok.getJobRoot());
      assertEquals(job.getXDigest(), ok.getXDigest());
      assertEquals(
          "verified: 3 partitions, x " + job.getXDigest() + ", job root " + job.getJobRoot(), ok.getMessage());
      assertArrayEquals(expectedY(), ok.getYList().stream().mapToDouble(Double::doubleValue).toArray());

      byte[] tampered = bundle.clone();
      tampered[tampered.length - 5] ^= 1;
      Verification bad = Zkmr.verify(tampered, info.getMatrixCommitment());
      assertFalse(bad.getVerified());
      assertTrue(bad.getMessage().startsWith("rejected"), bad.getMessage());

      byte[] truncated = Arrays.copyOf(bundle, bundle.length / 2);
      assertFalse(Zkmr.verify(truncated, info.getMatrixCommitment()).getVerified());

      ZkmrException missing =
          assertThrows(ZkmrException.class, () -> store.commitJob(results.subList(0, 2), x, -1));
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
      JobOutput job = store.commitJob(results, x, -1);
      byte[] bundle = job.getBundle().toByteArray();
      byte[] opening = store.openPartition(bundle, 1);

      Verification ok = Zkmr.verifyOpening(opening, info.getMatrixCommitment());
      assertTrue(ok.getVerified(), ok.getMessage());
      assertEquals(1, ok.getPartitions());
      assertEquals(job.getJobRoot(), ok.getJobRoot());
      assertEquals(
          "verified: partition 1 (rows 4..8), x " + job.getXDigest() + ", job root " + job.getJobRoot(),
          ok.getMessage());
      assertEquals(1, ok.getIndex());
      assertEquals(4, ok.getRowStart());
      assertEquals(8, ok.getRowEnd());
      assertArrayEquals(
          Arrays.copyOfRange(expectedY(), 4, 8), ok.getYList().stream().mapToDouble(Double::doubleValue).toArray());
      assertArrayEquals(x, Zkmr.decode(ok.getXList(), ok.getXEncoding()));

      assertTrue(Zkmr.verifyOpening(opening, info.getMatrixCommitment(), x, job.getJobRoot()).getVerified());
      Verification otherX = Zkmr.verifyOpening(opening, info.getMatrixCommitment(), otherX(), null);
      assertFalse(otherX.getVerified());
      assertTrue(otherX.getMessage().startsWith("rejected: x: "), otherX.getMessage());
      Verification otherJob =
          Zkmr.verifyOpening(opening, info.getMatrixCommitment(), x, otherHex(job.getJobRoot()));
      assertFalse(otherJob.getVerified());
      assertTrue(otherJob.getMessage().contains("job root"), otherJob.getMessage());

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
      JobOutput job = store.commitJob(results, x, -1);
      double[] y = job.getYList().stream().mapToDouble(Double::doubleValue).toArray();
      assertArrayEquals(expectedY(), y);
      Verification ok = Zkmr.verify(job.getBundle().toByteArray(), halo2.getMatrixCommitment(), x);
      assertTrue(ok.getVerified(), ok.getMessage());
      assertFalse(Zkmr.verify(job.getBundle().toByteArray(), halo2.getMatrixCommitment(), otherX()).getVerified());
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
  void cqlinStoresProveTheSameProductInOneProofForTheJob() {
    long[] rows = new long[ROWS];
    Arrays.setAll(rows, i -> i);
    StoreInfo cqlin =
        Zkmr.commitMatrix(
            dir.resolve("cqlin-keys"),
            ArrowBatches.rows(rows, matrix),
            new Zkmr.CommitSettings("cqlin", PER, -1, null, false));
    assertEquals("cqlin", cqlin.getScheme());
    assertTrue(cqlin.getSrsUnsafe());
    try (ZkStore store = ZkStore.open(dir.resolve("cqlin-keys"))) {
      List<byte[]> results = new ArrayList<>();
      for (int p = 0; p < 3; p++) {
        results.add(
            store.provePartition(partitionRows(p), ArrowBatches.vector(x), -1).getResult().toByteArray());
      }
      JobOutput job = store.commitJob(results, x, -1);
      double[] y = job.getYList().stream().mapToDouble(Double::doubleValue).toArray();
      assertArrayEquals(expectedY(), y);
      Verification ok = Zkmr.verify(job.getBundle().toByteArray(), cqlin.getMatrixCommitment(), x);
      assertTrue(ok.getVerified(), ok.getMessage());
      assertFalse(Zkmr.verify(job.getBundle().toByteArray(), cqlin.getMatrixCommitment(), otherX()).getVerified());
      assertFalse(Zkmr.verify(job.getBundle().toByteArray(), info.getMatrixCommitment()).getVerified());
      // One proof for the whole job: no partition has one of its own to open.
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

  /** The fixture's x with one entry changed. */
  static double[] otherX() {
    double[] other = x.clone();
    other[3] += 1;
    return other;
  }

  /** 64 hex digits that differ from {@code hex} in the first. */
  static String otherHex(String hex) {
    return (hex.charAt(0) == '0' ? "1" : "0") + hex.substring(1);
  }

  /** Every partition proved for {@code x}, except {@code odd} proved for {@code other}. */
  static List<byte[]> provedWith(ZkStore store, int odd, double[] other) {
    List<byte[]> results = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      double[] vector = p == odd ? other : x;
      results.add(
          store.provePartition(partitionRows(p), ArrowBatches.vector(vector), -1).getResult().toByteArray());
    }
    return results;
  }

  @Test
  void theJobIsCommittedForTheDriversXAndATaskThatProvedAnotherIsNamed() {
    try (ZkStore store = ZkStore.open(dir.resolve("keys"))) {
      ZkmrException faulty =
          assertThrows(ZkmrException.class, () -> store.commitJob(provedWith(store, 1, otherX()), x, -1));
      assertTrue(faulty.getMessage().contains("partition 1"), faulty.getMessage());
      assertTrue(faulty.getMessage().contains("another x"), faulty.getMessage());

      // Every task proved the same x, but not the one the driver holds: the job is not theirs.
      List<byte[]> allOther = provedWith(store, -1, null);
      ZkmrException notTheJobs =
          assertThrows(ZkmrException.class, () -> store.commitJob(allOther, otherX(), -1));
      assertTrue(notTheJobs.getMessage().contains("another x"), notTheJobs.getMessage());

      // The same x at another scale is another encoding of it: the tasks proved the default.
      assertThrows(ZkmrException.class, () -> store.commitJob(allOther, x, 20));
    }
  }

  @Test
  void aVerdictIsForTheXTheCallerAskedAbout() {
    try (ZkStore store = ZkStore.open(dir.resolve("keys"))) {
      byte[] bundle = store.commitJob(provedWith(store, -1, null), x, -1).getBundle().toByteArray();
      String commitment = info.getMatrixCommitment();
      Verification right = Zkmr.verify(bundle, commitment, x);
      assertTrue(right.getVerified(), right.getMessage());
      assertArrayEquals(x, Zkmr.decode(right.getXList(), right.getXEncoding()));
      assertTrue(Zkmr.verify(bundle, commitment, new double[][] {x}).getVerified());
      assertTrue(Zkmr.verify(bundle, commitment, right.getXDigest()).getVerified());

      Verification wrong = Zkmr.verify(bundle, commitment, otherX());
      assertFalse(wrong.getVerified());
      assertTrue(wrong.getMessage().startsWith("rejected: x: "), wrong.getMessage());
      assertTrue(wrong.getMessage().contains("x[3]"), wrong.getMessage());
      assertEquals("", wrong.getXDigest());
      assertFalse(Zkmr.verify(bundle, commitment, new double[][] {x, x}).getVerified());
      Verification wrongDigest = Zkmr.verify(bundle, commitment, otherHex(right.getXDigest()));
      assertFalse(wrongDigest.getVerified());
      assertTrue(wrongDigest.getMessage().startsWith("rejected: x: "), wrongDigest.getMessage());
      assertThrows(ZkmrException.class, () -> Zkmr.verify(bundle, commitment, "not hex"));
    }
  }

  @Test
  void aStoreThatCommitsToAnotherMatrixIsRefused() {
    String published = info.getMatrixCommitment();
    try (ZkStore store = ZkStore.open(dir.resolve("keys"), published)) {
      assertEquals(published, store.info().getMatrixCommitment());
    }
    ZkmrException refused =
        assertThrows(ZkmrException.class, () -> ZkStore.open(dir.resolve("keys"), otherHex(published)));
    assertTrue(refused.getMessage().contains("not the expected commitment"), refused.getMessage());
    assertTrue(refused.getMessage().contains(otherHex(published)), refused.getMessage());
    assertThrows(ZkmrException.class, () -> ZkStore.open(dir.resolve("keys"), "not hex"));
  }

  @Test
  void theLibraryIsLoadedFromTheJarResourcePath() {
    assertEquals("native/linux/x86_64/libzkmr_jni.so", NativeLoader.resourcePath());
    assertTrue(NativeLoader.class.getClassLoader().getResource(NativeLoader.resourcePath()) != null);
  }

  /**
   * A sparse matrix sent as coordinate entries: committed sparse, each partition proved from
   * its own entries (in any order), the job equal to a plain loop over the entries; an entry
   * that differs from the committed one is named by row and column.
   */
  @Test
  void aSparseMatrixIsCommittedAndProvedFromItsEntries() {
    int rows = 50;
    int cols = 40;
    int per = 16;
    Random random = new Random(5);
    List<long[]> positions = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    java.util.Set<Long> seen = new java.util.HashSet<>();
    // The last row and column hold an entry, so the shape is 50 x 40.
    positions.add(new long[] {rows - 1, cols - 1});
    values.add(3.0);
    seen.add((long) (rows - 1) * cols + cols - 1);
    while (positions.size() < 120) {
      long i = random.nextInt(rows);
      long j = random.nextInt(cols);
      if (seen.add(i * cols + j)) {
        positions.add(new long[] {i, j});
        values.add((double) (random.nextInt(2001) - 1000));
      }
    }
    StoreInfo sparse =
        Zkmr.commitMatrix(
            dir.resolve("sparse"),
            entries(positions, values, k -> true),
            Zkmr.CommitSettings.defaults().withRowsPerPartition(per));
    assertEquals(rows, sparse.getMatrix().getRows());
    assertEquals(cols, sparse.getMatrix().getCols());
    double[] v = new double[cols];
    for (int j = 0; j < cols; j++) {
      v[j] = random.nextInt(201) - 100;
    }
    double[] expected = new double[rows];
    for (int k = 0; k < positions.size(); k++) {
      expected[(int) positions.get(k)[0]] += values.get(k) * v[(int) positions.get(k)[1]];
    }
    try (ZkStore store = ZkStore.open(dir.resolve("sparse"))) {
      List<byte[]> results = new ArrayList<>();
      for (int p = 0; p < sparse.getPartitions(); p++) {
        int partition = p;
        PartitionOutput out =
            store.provePartition(
                entries(positions, values, k -> positions.get(k)[0] / per == partition),
                ArrowBatches.vector(v),
                -1);
        assertEquals(p, out.getIndex());
        results.add(out.getResult().toByteArray());
      }
      JobOutput job = store.commitJob(results, v, -1);
      assertArrayEquals(expected, job.getYList().stream().mapToDouble(Double::doubleValue).toArray());
      assertTrue(Zkmr.verify(job.getBundle().toByteArray(), sparse.getMatrixCommitment()).getVerified());

      List<Double> changed = new ArrayList<>(values);
      int k = 1;
      while (positions.get(k)[0] / per != 0) {
        k++;
      }
      changed.set(k, changed.get(k) + 1);
      ZkmrException differs =
          assertThrows(
              ZkmrException.class,
              () ->
                  store.provePartition(
                      entries(positions, changed, i -> positions.get(i)[0] / per == 0),
                      ArrowBatches.vector(v),
                      -1));
      String where = "row " + positions.get(k)[0] + ", column " + positions.get(k)[1] + ":";
      assertTrue(differs.getMessage().contains(where), differs.getMessage());
      assertTrue(differs.getMessage().contains("differs"), differs.getMessage());
    }
  }

  /** The entries {@code k} that {@code keep} selects, in reverse order, as an Arrow batch. */
  static byte[] entries(
      List<long[]> positions, List<Double> values, java.util.function.IntPredicate keep) {
    List<Integer> chosen = new ArrayList<>();
    for (int k = positions.size() - 1; k >= 0; k--) {
      if (keep.test(k)) {
        chosen.add(k);
      }
    }
    long[] r = new long[chosen.size()];
    long[] c = new long[chosen.size()];
    double[] val = new double[chosen.size()];
    for (int n = 0; n < chosen.size(); n++) {
      r[n] = positions.get(chosen.get(n))[0];
      c[n] = positions.get(chosen.get(n))[1];
      val[n] = values.get(chosen.get(n));
    }
    return ArrowBatches.entries(r, c, val);
  }
}
