package io.zkmr.hadoop;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmr.ArrowBatches;
import io.zkmr.ZkStore;
import io.zkmr.Zkmr;
import io.zkmr.ZkmrException;
import io.zkmr.proto.Verification;
import io.zkmr.testing.Fixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.mapreduce.Job;
import org.apache.log4j.AppenderSkeleton;
import org.apache.log4j.Logger;
import org.apache.log4j.spi.LoggingEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Hadoop and JNI rows of the bad-input catalogue ({@code docs/bad-inputs.md}): a bad input
 * fails the job, or the native call, with a {@link ZkmrException} naming what is wrong, and a
 * failed job leaves nothing in its output directory. LocalJobRunner keeps no task diagnostics,
 * so a job's failure is read from the exception LocalJobRunner logs. A 40×12 matrix in three
 * partitions keeps each job short.
 */
class ZkMatMulJobBadInputTest {
  static final int ROWS = 40;
  static final int COLS = 12;

  @TempDir static Path dir;
  static Fixture fixture;
  static Path keys;
  static Path x;

  @BeforeAll
  static void setUp() throws Exception {
    fixture = Fixture.random(ROWS, COLS, 13);
    keys = dir.resolve("keys");
    Zkmr.commitMatrix(
        keys,
        ArrowBatches.rows(fixture.rowIndices(), fixture.matrix),
        Zkmr.CommitSettings.defaults().withRowsPerPartition(16));
    fixture.writeCsv(dir.resolve("matrix.csv"));
    x = fixture.writeVector(dir.resolve("x.json"));
  }

  /** LocalJobRunner on the local file system, as {@link ZkMatMulJobTest} runs the job. */
  static Configuration conf(Path store, Path vector) {
    Configuration conf = new Configuration();
    conf.set("mapreduce.framework.name", "local");
    conf.set("fs.defaultFS", "file:///");
    conf.setInt("mapreduce.local.map.tasks.maximum", 2);
    conf.set(ZkMatMulJob.STORE, store.toString());
    conf.set(ZkMatMulJob.VECTOR, vector.toString());
    return conf;
  }

  static org.apache.hadoop.fs.Path hadoop(Path path) {
    return new org.apache.hadoop.fs.Path(path.toString());
  }

  /** The fixture's CSV with {@code edit} applied to its lines, written as {@code name}. */
  static Path input(String name, UnaryOperator<List<String>> edit) throws Exception {
    List<String> lines = Files.readAllLines(dir.resolve("matrix.csv"));
    return Files.write(dir.resolve(name), edit.apply(lines));
  }

  /** Everything logged, with the stack traces of logged exceptions. */
  static final class Captured extends AppenderSkeleton {
    final StringBuilder text = new StringBuilder();

    @Override
    protected synchronized void append(LoggingEvent event) {
      text.append(event.getRenderedMessage()).append('\n');
      String[] trace = event.getThrowableStrRep();
      if (trace != null) {
        text.append(String.join("\n", trace)).append('\n');
      }
    }

    @Override
    public void close() {}

    @Override
    public boolean requiresLayout() {
      return false;
    }
  }

  /**
   * The job over {@code input} fails with a {@link ZkmrException} saying each of {@code
   * needles}, and {@code out} holds nothing afterwards.
   */
  static void assertJobFails(Configuration conf, Path input, Path out, String... needles) throws Exception {
    assertJobFails(ZkMatMulJob.create(conf, hadoop(input), hadoop(out)), out, needles);
  }

  /** {@code job}, writing to {@code out}, fails as {@link #assertJobFails(Configuration, Path, Path, String...)} says. */
  static void assertJobFails(Job job, Path out, String... needles) throws Exception {
    Captured log = new Captured();
    Logger.getRootLogger().addAppender(log);
    boolean succeeded;
    try {
      succeeded = job.waitForCompletion(false);
    } finally {
      Logger.getRootLogger().removeAppender(log);
    }
    assertFalse(succeeded, "the job succeeded");
    String failure = log.text.toString();
    assertTrue(failure.contains(ZkmrException.class.getName()), "no ZkmrException logged:\n" + failure);
    for (String needle : needles) {
      assertTrue(failure.contains(needle), "\"" + needle + "\" not in the job's failure:\n" + failure);
    }
    if (Files.exists(out)) {
      try (Stream<Path> files = Files.walk(out)) {
        List<Path> left = files.filter(p -> !p.equals(out)).toList();
        assertTrue(left.isEmpty(), "a failed job left " + left);
      }
    }
  }

  /** {@code call} throws a {@link ZkmrException} whose message says each of {@code needles}. */
  static void assertZkmrFailure(Executable call, String... needles) {
    ZkmrException e = assertThrows(ZkmrException.class, call);
    for (String needle : needles) {
      assertTrue(e.getMessage().contains(needle), "\"" + needle + "\" not in: " + e.getMessage());
    }
  }

  @Test
  void aKeyStoreThatDoesNotExistIsNamedBeforeTheJobStarts() {
    Path nowhere = dir.resolve("nowhere");
    Path out = dir.resolve("out-no-store");
    assertZkmrFailure(
        () -> ZkMatMulJob.create(conf(nowhere, x), hadoop(dir.resolve("matrix.csv")), hadoop(out)),
        nowhere.toString());
    assertFalse(Files.exists(out));
  }

  /** A mapper that multiplies by another x than the job's, as a faulty task would. */
  public static final class OtherXMapper extends MatrixRowsMapper {
    @Override
    protected double[] vector(Configuration conf) {
      double[] x = super.vector(conf);
      x[0] += 1;
      return x;
    }
  }

  @Test
  void aMapperThatProvedAnotherXIsNamedAndTheJobFails() throws Exception {
    Path out = dir.resolve("out-other-x");
    Job job = ZkMatMulJob.create(conf(keys, x), hadoop(dir.resolve("matrix.csv")), hadoop(out));
    job.setMapperClass(OtherXMapper.class);
    assertJobFails(job, out, "rejected: partition 0: the task that multiplied rows 0.. used another x");
  }

  @Test
  void aKeyStoreThatCommitsToAnotherMatrixIsRefusedBeforeTheJobStarts() throws Exception {
    String published;
    try (ZkStore store = ZkStore.open(keys)) {
      published = store.info().getMatrixCommitment();
    }
    String other = (published.charAt(0) == '0' ? "1" : "0") + published.substring(1);
    Configuration conf = conf(keys, x);
    conf.set(ZkMatMulJob.COMMITMENT, other);
    Path out = dir.resolve("out-other-commitment");
    assertZkmrFailure(
        () -> ZkMatMulJob.create(conf, hadoop(dir.resolve("matrix.csv")), hadoop(out)),
        "not the expected commitment " + other);
    assertFalse(Files.exists(out));
  }

  @Test
  void aLineWhoseRowIndexIsNotANumberFailsTheJob() throws Exception {
    Path input = input("bad-index.csv", lines -> {
      lines.set(7, lines.get(7).replaceFirst("^7,", "seven,"));
      return lines;
    });
    assertJobFails(conf(keys, x), input, dir.resolve("out-bad-index"), "\"seven\"", "row index");
  }

  @Test
  void aCellThatIsNotANumberFailsTheJob() throws Exception {
    Path input = input("bad-cell.csv", lines -> {
      String[] cells = lines.get(20).split(",");
      cells[4] = "1.5e";
      lines.set(20, String.join(",", cells));
      return lines;
    });
    assertJobFails(conf(keys, x), input, dir.resolve("out-bad-cell"), "row 20, column 3", "\"1.5e\"");
  }

  @Test
  void aLineWithAValueMissingFailsTheJob() throws Exception {
    Path input = input("ragged.csv", lines -> {
      lines.set(20, lines.get(20).replaceFirst(",[^,]*$", ""));
      return lines;
    });
    assertJobFails(conf(keys, x), input, dir.resolve("out-ragged"), "row 20");
  }

  @Test
  void aRowOutsideTheMatrixFailsTheJob() throws Exception {
    Path input = input("outside.csv", lines -> {
      lines.add(lines.get(0).replaceFirst("^0,", ROWS + ","));
      return lines;
    });
    assertJobFails(conf(keys, x), input, dir.resolve("out-outside"), "row " + ROWS);
  }

  /** What a task sends the native library, with the last row's index 2^62. */
  @Test
  void aHugeRowIndexIsNamedByTheNativeCall() {
    long[] rows = {32, 33, 34, 35, 36, 37, 38, 1L << 62};
    double[][] values = Arrays.copyOfRange(fixture.matrix, 32, 40);
    try (ZkStore store = ZkStore.open(keys)) {
      assertZkmrFailure(
          () -> store.provePartition(ArrowBatches.rows(rows, values), ArrowBatches.vector(fixture.x), -1),
          String.valueOf(1L << 62));
    }
  }

  @Test
  void aVectorOfTheWrongLengthFailsTheJob() throws Exception {
    Path shortX = Files.writeString(dir.resolve("x11.json"), Arrays.toString(Arrays.copyOf(fixture.x, COLS - 1)));
    assertJobFails(
        conf(keys, shortX), dir.resolve("matrix.csv"), dir.resolve("out-short-x"), "11 entries", "12 columns");
  }

  @Test
  void aCorruptedBundleIsRejectedAndAnInvalidCommitmentThrows() throws Exception {
    Fixture.Run run = fixture.zkmrProve(dir, keys);
    byte[] bundle = Files.readAllBytes(dir.resolve("reference.bundle"));
    Verification verdict = Zkmr.verify(Arrays.copyOf(bundle, bundle.length / 2), run.matrixCommitment());
    assertFalse(verdict.getVerified());
    assertTrue(verdict.getMessage().startsWith("rejected"), verdict.getMessage());
    assertTrue(verdict.getMessage().contains("bundle"), verdict.getMessage());
    assertZkmrFailure(() -> Zkmr.verify(bundle, "not a commitment"), "commitment");
  }

  @Test
  void anEdgeListWithAnEntryMissingOrMalformedFailsNamingIt() throws Exception {
    List<String> lines = new java.util.ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      for (int j = 0; j < COLS; j++) {
        if (fixture.matrix[i][j] != 0 && !(i == 21 && j == 5)) {
          lines.add(i + "," + j + "," + fixture.matrix[i][j]);
        }
      }
    }
    Configuration conf = conf(keys, x);
    conf.setBoolean(ZkMatMulJob.ENTRIES, true);
    Path missing = Files.write(dir.resolve("missing-entry.csv"), lines);
    assertTrue(fixture.matrix[21][5] != 0);
    assertJobFails(conf, missing, dir.resolve("out-missing-entry"), "row 21: the tasks multiplied");
    lines.set(3, "2,x,1.5");
    Path malformed = Files.write(dir.resolve("malformed-entry.csv"), lines);
    assertJobFails(conf, malformed, dir.resolve("out-malformed-entry"), "\"x\" is not a column index");
  }
}
