package io.zkmr.hadoop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmr.proto.StoreInfo;
import io.zkmr.testing.Fixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.mapreduce.Job;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch inference as a MapReduce job on Hadoop's LocalJobRunner: Parquet inputs in two files
 * (two splits) proved in chunks by the mappers, tied by the reducer into the batch proof {@code
 * zkmr verify} accepts, with every {@code y} the plain product; over one file, the batch root of
 * {@code zkmr prove --vectors --chunk} on the same store.
 */
class ZkBatchJobTest {
  @TempDir static Path dir;
  static Fixture fixture;
  static StoreInfo info;
  static double[][] inputs;

  @BeforeAll
  static void setUp() throws Exception {
    fixture = Fixture.random(40, 24, 27);
    info = fixture.csvJob(dir).info();
    inputs = ParquetInputs.random(32, 24, 28);
    Files.createDirectories(dir.resolve("inputs"));
    ParquetInputs.write(dir.resolve("inputs/part-0.parquet"), inputs, 0, 23, -1);
    ParquetInputs.write(dir.resolve("inputs/part-1.parquet"), inputs, 23, 32, -1);
  }

  static Job run(Path input, Path out, int chunk) throws Exception {
    Configuration conf = new Configuration();
    conf.set("mapreduce.framework.name", "local");
    conf.set("fs.defaultFS", "file:///");
    conf.setInt("mapreduce.local.map.tasks.maximum", 2);
    conf.set(ZkMatMulJob.STORE, info.getDir());
    conf.setInt(ZkBatchJob.CHUNK, chunk);
    Job job =
        ZkBatchJob.create(conf, new org.apache.hadoop.fs.Path(input.toString()), new org.apache.hadoop.fs.Path(out.toString()));
    job.waitForCompletion(false);
    return job;
  }

  @Test
  void mappersProveTheirSplitsInChunksAndTheReducerWritesTheBatchZkmrVerifies() throws Exception {
    Path out = dir.resolve("out");
    Job job = run(dir.resolve("inputs"), out, 5);
    assertTrue(job.isSuccessful());
    assertEquals(32, job.getCounters().findCounter(ZkBatchJob.Counters.INPUTS).getValue());
    // 23 inputs in chunks of 5 (5 chunks) and 9 (2 chunks): each split is cut on its own.
    assertEquals(7, job.getCounters().findCounter(ZkBatchJob.Counters.CHUNKS).getValue());
    String summary = Files.readString(out.resolve("batch.json"));
    assertEquals(info.getMatrixCommitment(), Fixture.field(summary, "matrix_commitment"));
    assertEquals(7, ChunkFiles.count(out), "a file per chunk beside the batch proof");

    Fixture.Cli verified =
        Fixture.zkmr(
            "verify", "--json", "--bundle", out.resolve("batch.zkmr").toString(),
            "--commitment", info.getMatrixCommitment(),
            "--job-root", Fixture.field(summary, "batch_root"));
    assertEquals(0, verified.exit(), verified.stdout());
    assertTrue(verified.stdout().contains("\"vectors\": 32"), verified.stdout());

    Map<Long, double[]> ys = new HashMap<>();
    try (Stream<Path> files = Files.list(out)) {
      for (Path file : files.filter(f -> f.getFileName().toString().startsWith("y-m-")).toList()) {
        for (String line : Files.readAllLines(file)) {
          String[] fields = line.split("\t");
          double[] y = Stream.of(fields[1].split(",")).mapToDouble(Double::parseDouble).toArray();
          assertEquals(null, ys.put(Long.parseLong(fields[0]), y), "id " + fields[0] + " twice");
        }
      }
    }
    assertEquals(32, ys.size());
    for (int i = 0; i < inputs.length; i++) {
      assertArrayEquals(ParquetInputs.product(fixture.matrix, inputs[i]), ys.get((long) i), "y of input " + i);
    }
  }

  @Test
  void overOneFileTheBatchRootIsTheOneZkmrProveGives() throws Exception {
    Path input = dir.resolve("inputs/part-0.parquet");
    Job job = run(input, dir.resolve("out-one"), 4);
    assertTrue(job.isSuccessful());
    String summary = Files.readString(dir.resolve("out-one/batch.json"));
    Fixture.Cli proved =
        Fixture.zkmr(
            "prove", "--keys", info.getDir(), "--vectors", input.toString(), "--chunk", "4",
            "--json", "--out", dir.resolve("cli.zkmr").toString());
    assertEquals(0, proved.exit(), proved.stdout());
    assertEquals(Fixture.field(proved.stdout(), "batch_root"), Fixture.field(summary, "batch_root"));
  }

  @Test
  void aShortInputFailsTheJobAndWritesNoBatch() throws Exception {
    Path bad = Files.createDirectories(dir.resolve("bad"));
    ParquetInputs.write(bad.resolve("part-0.parquet"), inputs, 0, 12, 7);
    Path out = dir.resolve("out-bad");
    Job job = run(bad, out, 5);
    assertFalse(job.isSuccessful());
    assertFalse(Files.exists(out.resolve("batch.zkmr")));
  }
}
