package io.zkmr.hadoop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmr.ArrowBatches;
import io.zkmr.Zkmr;
import io.zkmr.proto.StoreInfo;
import io.zkmr.testing.Fixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.mapreduce.Counter;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.JobCounter;
import org.apache.hadoop.mapreduce.MRJobConfig;
import org.apache.hadoop.mapreduce.TaskCompletionEvent;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.v2.MiniMRYarnCluster;
import org.apache.hadoop.util.JarFinder;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MapReduce job as it runs on a cluster: HDFS ({@code MiniDFSCluster}, one datanode) and
 * YARN ({@code MiniMRYarnCluster}, one node manager), with the input, the key store, the vector
 * and the output on HDFS, and each map and reduce task in its own {@code YarnChild} JVM. Every
 * job is checked against {@code zkmr prove} over the same store.
 */
class ZkMatMulJobYarnTest {
  @TempDir static Path dir;
  static Fixture fixture;
  static Fixture.Run reference;
  static StoreInfo info;
  static MiniDFSCluster dfs;
  static MiniMRYarnCluster yarn;
  static FileSystem hdfs;

  @BeforeAll
  static void setUp() throws Exception {
    fixture = Fixture.random(192, 120, 21);
    Fixture.CsvJob job = fixture.csvJob(dir);
    info = job.info();
    reference = job.reference();

    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
    dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    dfs.waitActive();
    hdfs = dfs.getFileSystem();
    // Sized for a 2-core, few-GiB machine: the application master and one task at a time
    // beside it, never more than the node offers.
    conf.set("fs.defaultFS", hdfs.getUri().toString());
    conf.setInt(YarnConfiguration.NM_PMEM_MB, 2048);
    conf.setInt(YarnConfiguration.NM_VCORES, 4);
    conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
    conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
    conf.setInt(MRJobConfig.MR_AM_VMEM_MB, 512);
    conf.set(MRJobConfig.MR_AM_COMMAND_OPTS, "-Xmx400m");
    yarn = new MiniMRYarnCluster("zkmr", 1);
    yarn.init(conf);
    yarn.start();

    hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(dir.resolve("keys").toUri()), new org.apache.hadoop.fs.Path("/zkmr/keys"));
    hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(dir.resolve("matrix.csv").toUri()), new org.apache.hadoop.fs.Path("/zkmr/matrix.csv"));
    hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(dir.resolve("x.json").toUri()), new org.apache.hadoop.fs.Path("/zkmr/x.json"));
  }

  @AfterAll
  static void tearDown() {
    if (yarn != null) {
      yarn.stop();
    }
    if (dfs != null) {
      dfs.shutdown();
    }
  }

  /** The job over HDFS {@code input}, its mapper the recording {@link ClusterMapper}. */
  static Job job(String input, String output, int failSplit) throws Exception {
    return job(input, output, failSplit, "/zkmr/keys");
  }

  static Job job(String input, String output, int failSplit, String store) throws Exception {
    Configuration conf = new Configuration(yarn.getConfig());
    conf.set(ZkMatMulJob.STORE, hdfs.getUri() + store);
    conf.set(ZkMatMulJob.VECTOR, "/zkmr/x.json");
    conf.setInt(MRJobConfig.MAP_MEMORY_MB, 512);
    conf.set(MRJobConfig.MAP_JAVA_OPTS, "-Xmx256m");
    conf.setInt(MRJobConfig.REDUCE_MEMORY_MB, 512);
    conf.set(MRJobConfig.REDUCE_JAVA_OPTS, "-Xmx256m");
    conf.setInt(ClusterMapper.FAIL_SPLIT, failSplit);
    // Splits of a quarter of the input, cut wherever the bytes fall (a partition's rows in two
    // splits): under pedersen mappers multiply whatever rows their split holds.
    conf.setLong(FileInputFormat.SPLIT_MAXSIZE, Files.size(dir.resolve("matrix.csv")) / 4 + 1);
    Job job = ZkMatMulJob.create(conf, new org.apache.hadoop.fs.Path(input), new org.apache.hadoop.fs.Path(output));
    job.setMapperClass(ClusterMapper.class);
    job.setJar(JarFinder.getJar(ClusterMapper.class));
    return job;
  }

  /** The job's summary on HDFS checked against {@code zkmr prove} and a plain product. */
  static void assertSameAsZkmrProve(String output) throws Exception {
    assertSameAsZkmrProve(output, reference);
  }

  static void assertSameAsZkmrProve(String output, Fixture.Run reference) throws Exception {
    String summary;
    try (var in = hdfs.open(new org.apache.hadoop.fs.Path(output, "job.json"))) {
      summary = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(reference.matrixCommitment(), Fixture.field(summary, "matrix_commitment"));
    assertEquals(reference.jobRoot(), Fixture.field(summary, "job_root"));
    double[] y = Fixture.numbers(summary, "y");
    assertArrayEquals(reference.y(), y);
    double[] expected = fixture.expectedY();
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], y[i], 1e-6, "y[" + i + "]");
    }
    byte[] bundle;
    try (var in = hdfs.open(new org.apache.hadoop.fs.Path(output, "job.bundle"))) {
      bundle = in.readAllBytes();
    }
    assertTrue(Zkmr.verify(bundle, reference.matrixCommitment(), fixture.x).getVerified());
  }

  @Test
  void onHdfsAndYarnEachMapTaskMultipliesItsSplitInItsOwnJvmAndTheRootIsZkmrProves() throws Exception {
    Job job = job("/zkmr/matrix.csv", "/zkmr/out", -1);
    assertTrue(job.waitForCompletion(false), "the job completes");
    assertSameAsZkmrProve("/zkmr/out");
    assertEquals(192L, job.getCounters().findCounter(ZkMatMulJob.Counters.ROWS).getValue());
    assertEquals(0L, job.getCounters().findCounter(ZkMatMulJob.Counters.PARTITIONS).getValue());
    assertEquals(192L * 120, job.getCounters().findCounter(ZkMatMulJob.Counters.MACS).getValue());
    long maps = job.getCounters().findCounter(JobCounter.TOTAL_LAUNCHED_MAPS).getValue();
    assertTrue(maps >= 4, maps + " map tasks");
    List<String> jvms = new ArrayList<>();
    for (Counter c : job.getCounters().getGroup(ClusterMapper.JVMS)) {
      jvms.add(c.getName());
    }
    assertEquals(maps, jvms.size(), "one JVM per map task: " + jvms);
    for (String jvm : jvms) {
      String[] pidAndMain = jvm.split(" ");
      assertNotEquals(String.valueOf(ProcessHandle.current().pid()), pidAndMain[0], "not the test's JVM");
      assertEquals("org.apache.hadoop.mapred.YarnChild", pidAndMain[1], jvm);
    }
  }

  @Test
  void anEdgeListOnHdfsProvesTheJobOfZkmrProveFromPartialSums() throws Exception {
    // Column-major, so every split holds a piece of every row.
    StringBuilder csv = new StringBuilder();
    for (int j = 0; j < fixture.matrix[0].length; j++) {
      for (int i = 0; i < fixture.matrix.length; i++) {
        if (fixture.matrix[i][j] != 0) {
          csv.append(i).append(',').append(j).append(',').append(fixture.matrix[i][j]).append('\n');
        }
      }
    }
    Path local = Files.writeString(dir.resolve("entries.csv"), csv);
    hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path("/zkmr/entries.csv"));
    Job job = job("/zkmr/entries.csv", "/zkmr/entries", -1);
    job.getConfiguration().setBoolean(ZkMatMulJob.ENTRIES, true);
    job.getConfiguration().setLong(FileInputFormat.SPLIT_MAXSIZE, Files.size(local) / 3 + 1);
    assertTrue(job.waitForCompletion(false), "the job completes");
    assertSameAsZkmrProve("/zkmr/entries");
    assertTrue(job.getCounters().findCounter(JobCounter.TOTAL_LAUNCHED_MAPS).getValue() >= 3);
  }

  @Test
  void aBatchOnHdfsIsProvedInChunksAndAnAttemptDyingMidBatchChangesNothing() throws Exception {
    double[][] inputs = ParquetInputs.random(23, 120, 22);
    Path local = dir.resolve("inputs.parquet");
    ParquetInputs.write(local, inputs, 0, inputs.length, -1);
    hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path("/zkmr/inputs.parquet"));
    Configuration conf = new Configuration(yarn.getConfig());
    conf.set(ZkMatMulJob.STORE, hdfs.getUri() + "/zkmr/keys");
    conf.setInt(ZkBatchJob.CHUNK, 5);
    conf.setInt(MRJobConfig.MAP_MEMORY_MB, 512);
    conf.set(MRJobConfig.MAP_JAVA_OPTS, "-Xmx256m");
    conf.setInt(MRJobConfig.REDUCE_MEMORY_MB, 512);
    conf.set(MRJobConfig.REDUCE_JAVA_OPTS, "-Xmx256m");
    conf.setLong(DyingChunksMapper.AFTER, 7);
    Job job =
        ZkBatchJob.create(
            conf, new org.apache.hadoop.fs.Path("/zkmr/inputs.parquet"), new org.apache.hadoop.fs.Path("/zkmr/batch"));
    job.setMapperClass(DyingChunksMapper.class);
    job.setJar(JarFinder.getJar(DyingChunksMapper.class));
    assertTrue(job.waitForCompletion(false), "the job completes after the retry");
    long failed = 0;
    for (TaskCompletionEvent e : job.getTaskCompletionEvents(0, 100)) {
      failed += e.getStatus() == TaskCompletionEvent.Status.FAILED ? 1 : 0;
    }
    assertEquals(1, failed, "the first attempt died mid-batch");

    Path local0 = dir.resolve("batch-from-yarn");
    hdfs.copyToLocalFile(new org.apache.hadoop.fs.Path("/zkmr/batch"), new org.apache.hadoop.fs.Path(local0.toUri()));
    String summary = Files.readString(local0.resolve("batch.json"));
    assertEquals(
        job.getCounters().findCounter(ZkBatchJob.Counters.CHUNKS).getValue(),
        ChunkFiles.count(local0),
        "a file per chunk; the dead attempt's are gone");
    Fixture.Cli proved =
        Fixture.zkmr(
            "prove", "--keys", dir.resolve("keys").toString(), "--vectors", local.toString(), "--chunk", "5",
            "--json", "--out", dir.resolve("batch-cli.zkmr").toString());
    assertEquals(0, proved.exit(), proved.stdout());
    assertEquals(Fixture.field(proved.stdout(), "batch_root"), Fixture.field(summary, "batch_root"));
    assertEquals(reference.matrixCommitment(), Fixture.field(summary, "matrix_commitment"));
    Fixture.Cli verified =
        Fixture.zkmr(
            "verify", "--bundle", local0.resolve("batch.zkmr").toString(), "--commitment",
            reference.matrixCommitment(), "--vectors", local.toString());
    assertEquals(0, verified.exit(), verified.stdout());
    int seen = 0;
    for (String line : Files.readAllLines(local0.resolve("y-m-00000"))) {
      String[] fields = line.split("\t");
      double[] y = java.util.Arrays.stream(fields[1].split(",")).mapToDouble(Double::parseDouble).toArray();
      assertArrayEquals(ParquetInputs.product(fixture.matrix, inputs[Integer.parseInt(fields[0])]), y);
      seen++;
    }
    assertEquals(23, seen, "every input's y, once");
  }

  @Test
  void aHalo2StoreOnHdfsProvesTheSameJobAsZkmrProve() throws Exception {
    Path keys = dir.resolve("keys-halo2");
    Zkmr.commitMatrix(keys, ArrowBatches.rows(fixture.rowIndices(), fixture.matrix), Zkmr.CommitSettings.halo2Development());
    Fixture.Run halo2 = fixture.zkmrProve(dir, keys);
    hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(keys.toUri()), new org.apache.hadoop.fs.Path("/zkmr/keys-halo2"));
    Job job = job("/zkmr/matrix.csv", "/zkmr/halo2", -1, "/zkmr/keys-halo2");
    assertTrue(job.waitForCompletion(false), "the job completes");
    assertSameAsZkmrProve("/zkmr/halo2", halo2);
    // halo2 proves whole partitions in the mappers: one split per partition.
    assertEquals(
        (long) info.getPartitions(), job.getCounters().findCounter(ZkMatMulJob.Counters.PARTITIONS).getValue());
  }

  @Test
  void aCqlinStoreOnHdfsProvesTheSameJobAsZkmrProve() throws Exception {
    Path keys = dir.resolve("keys-cqlin");
    Zkmr.commitMatrix(
        keys,
        ArrowBatches.rows(fixture.rowIndices(), fixture.matrix),
        new Zkmr.CommitSettings("cqlin", 64, -1, null, false));
    Fixture.Run cqlin = fixture.zkmrProve(dir, keys);
    hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(keys.toUri()), new org.apache.hadoop.fs.Path("/zkmr/keys-cqlin"));
    Job job = job("/zkmr/matrix.csv", "/zkmr/cqlin", -1, "/zkmr/keys-cqlin");
    assertTrue(job.waitForCompletion(false), "the job completes");
    assertSameAsZkmrProve("/zkmr/cqlin", cqlin);
  }

  @Test
  void aMapAttemptThatFailsIsRetriedByYarnAndTheRootIsUnchanged() throws Exception {
    Job job = job("/zkmr/matrix.csv", "/zkmr/retried", 1);
    assertTrue(job.waitForCompletion(false), "the job completes after the retry");
    long failed = 0;
    for (TaskCompletionEvent e : job.getTaskCompletionEvents(0, 100)) {
      if (e.getStatus() == TaskCompletionEvent.Status.FAILED) {
        failed++;
        assertEquals(1, e.getTaskAttemptId().getTaskID().getId(), "the failed attempt is split 1's");
      }
    }
    assertEquals(1, failed, "exactly one attempt failed");
    assertSameAsZkmrProve("/zkmr/retried");
  }

  @Test
  void aMalformedRowFailsTheJobNamingRowAndColumn() throws Exception {
    List<String> lines = Files.readAllLines(dir.resolve("matrix.csv"));
    lines.set(77, lines.get(77).replaceFirst(",[^,]*,", ",1.5e,"));
    Path local = Files.write(dir.resolve("malformed.csv"), lines);
    hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path("/zkmr/malformed.csv"));
    Job job = job("/zkmr/malformed.csv", "/zkmr/failed", -1);
    job.getConfiguration().setInt(MRJobConfig.MAP_MAX_ATTEMPTS, 1);
    assertFalse(job.waitForCompletion(false));
    StringBuilder diagnostics = new StringBuilder();
    for (TaskCompletionEvent e : job.getTaskCompletionEvents(0, 100)) {
      if (e.getStatus() == TaskCompletionEvent.Status.FAILED
          || e.getStatus() == TaskCompletionEvent.Status.TIPFAILED) {
        for (String d : job.getTaskDiagnostics(e.getTaskAttemptId())) {
          diagnostics.append(d);
        }
      }
    }
    assertTrue(diagnostics.toString().contains("row 77, column 0"), diagnostics.toString());
    assertFalse(hdfs.exists(new org.apache.hadoop.fs.Path("/zkmr/failed/job.bundle")));
  }
}
