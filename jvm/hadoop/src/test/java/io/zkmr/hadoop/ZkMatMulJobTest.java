package io.zkmr.hadoop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmr.Zkmr;
import io.zkmr.proto.StoreInfo;
import io.zkmr.proto.Verification;
import io.zkmr.testing.Fixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MapReduce job on Hadoop's LocalJobRunner, against {@code zkmr prove} on the same store. */
class ZkMatMulJobTest {
  @TempDir static Path dir;
  static Fixture fixture;
  static Fixture.Run reference;
  static StoreInfo info;

  @BeforeAll
  static void setUp() throws Exception {
    fixture = Fixture.random(256, 300, 9);
    Fixture.CsvJob job = fixture.csvJob(dir);
    info = job.info();
    reference = job.reference();
  }

  static Configuration conf() {
    Configuration conf = new Configuration();
    conf.set("mapreduce.framework.name", "local");
    conf.set("fs.defaultFS", "file:///");
    conf.setInt("mapreduce.local.map.tasks.maximum", 2);
    conf.set(ZkMatMulJob.STORE, info.getDir());
    conf.set(ZkMatMulJob.VECTOR, dir.resolve("x.json").toString());
    return conf;
  }

  @Test
  void mappersMultiplyTheRowsOfTheirSplitsAndTheReducerProvesTheJob() throws Exception {
    Path out = dir.resolve("out");
    Configuration conf = conf();
    // Splits cut wherever the bytes fall, a partition's rows in several of them.
    conf.setLong(FileInputFormat.SPLIT_MAXSIZE, Files.size(dir.resolve("matrix.csv")) / 5 + 1);
    Job job =
        ZkMatMulJob.create(
            conf,
            new org.apache.hadoop.fs.Path(dir.resolve("matrix.csv").toString()),
            new org.apache.hadoop.fs.Path(out.toString()));
    assertEquals(5, new TextInputFormat().getSplits(job).size());
    assertTrue(job.waitForCompletion(false));
    assertEquals(256, job.getCounters().findCounter(ZkMatMulJob.Counters.ROWS).getValue());
    assertEquals(0, job.getCounters().findCounter(ZkMatMulJob.Counters.PARTITIONS).getValue());
    assertEquals(256L * 300, job.getCounters().findCounter(ZkMatMulJob.Counters.MACS).getValue());

    String summary = Files.readString(out.resolve("job.json"));
    assertEquals(reference.matrixCommitment(), Fixture.field(summary, "matrix_commitment"));
    assertEquals(reference.jobRoot(), Fixture.field(summary, "job_root"));
    double[] values = Fixture.numbers(summary, "y");
    assertArrayEquals(reference.y(), values);
    double[] expected = fixture.expectedY();
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], values[i], 1e-6);
    }
    byte[] bundle = Files.readAllBytes(out.resolve("job.bundle"));
    Verification verdict = Zkmr.verify(bundle, reference.matrixCommitment(), fixture.x);
    assertTrue(verdict.getVerified(), verdict.getMessage());
    assertEquals(verdict.getXDigest(), Fixture.field(summary, "x_digest"));
  }

  @Test
  void anEdgeListOfCoordinateEntriesProvesTheSameJobFromPartialSums() throws Exception {
    // Column-major, so every split holds a piece of every row.
    StringBuilder csv = new StringBuilder();
    long nonzeros = 0;
    for (int j = 0; j < fixture.matrix[0].length; j++) {
      for (int i = 0; i < fixture.matrix.length; i++) {
        if (fixture.matrix[i][j] != 0) {
          csv.append(i).append(',').append(j).append(',').append(fixture.matrix[i][j]).append('\n');
          nonzeros++;
        }
      }
    }
    Path input = Files.writeString(dir.resolve("entries.csv"), csv);
    Path out = dir.resolve("out-entries");
    Configuration conf = conf();
    conf.setBoolean(ZkMatMulJob.ENTRIES, true);
    conf.setLong(FileInputFormat.SPLIT_MAXSIZE, Files.size(input) / 4 + 1);
    Job job =
        ZkMatMulJob.create(
            conf, new org.apache.hadoop.fs.Path(input.toString()), new org.apache.hadoop.fs.Path(out.toString()));
    assertEquals(4, new TextInputFormat().getSplits(job).size());
    assertTrue(job.waitForCompletion(false));
    assertEquals(nonzeros, job.getCounters().findCounter(ZkMatMulJob.Counters.ENTRIES).getValue());
    String summary = Files.readString(out.resolve("job.json"));
    assertEquals(reference.jobRoot(), Fixture.field(summary, "job_root"));
    assertArrayEquals(reference.y(), Fixture.numbers(summary, "y"));
  }

  @Test
  void aMalformedRowFailsTheJobAndWritesNothing() throws Exception {
    // LocalJobRunner keeps no task diagnostics; the end-to-end `hadoop jar` run checks that the
    // failure names row 77, column 0.
    List<String> lines = Files.readAllLines(dir.resolve("matrix.csv"));
    lines.set(77, lines.get(77).replaceFirst(",[^,]*,", ",1.5e,"));
    Path input = Files.write(dir.resolve("malformed.csv"), lines);
    Path out = dir.resolve("failed");
    Job job =
        ZkMatMulJob.create(
            conf(), new org.apache.hadoop.fs.Path(input.toString()), new org.apache.hadoop.fs.Path(out.toString()));
    assertFalse(job.waitForCompletion(false));
    assertFalse(Files.exists(out.resolve("job.bundle")));
  }
}
