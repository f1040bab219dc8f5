package io.zkmr.hadoop;

import io.zkmr.HadoopStoreFiles;
import io.zkmr.ZkStore;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.conf.Configured;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.MRJobConfig;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.NLineInputFormat;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.apache.hadoop.util.Tool;
import org.apache.hadoop.util.ToolRunner;

/**
 * Proves {@code y = A x} as a MapReduce job:
 *
 * <pre>
 * hadoop jar zkmr-hadoop.jar io.zkmr.hadoop.ZkMatMulJob \
 *     -D zkmr.store=/keys -D zkmr.vector=/x.json matrix.csv out/
 * </pre>
 *
 * <p>The input is text, one matrix row per line ({@code row,v0,v1,...}) in row order; the key
 * store comes from {@code zkmr commit}. Each input split is one partition ({@link
 * NLineInputFormat} with the store's rows per partition), so each mapper proves one partition;
 * one reducer verifies every proof, assembles {@code y} and writes the bundle ({@code
 * job.bundle}) and the job's summary ({@code job.json}) to the output directory. Counters (group
 * {@code zkmr}): partitions, MACs and proving milliseconds.
 */
public final class ZkMatMulJob extends Configured implements Tool {
  /** The key store directory, as {@code zkmr commit} wrote it. */
  public static final String STORE = "zkmr.store";
  /** The vector: a JSON array of numbers. */
  public static final String VECTOR = "zkmr.vector";
  /** Fixed-point scale of x in bits; by default 0 for integers and 16 otherwise. */
  public static final String X_SCALE_BITS = "zkmr.x.scale.bits";

  /** Counters shown with the job. */
  public enum Counters {
    PARTITIONS,
    MACS,
    PROVING_MS
  }

  @Override
  public int run(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println(
          "usage: hadoop jar zkmr-hadoop.jar io.zkmr.hadoop.ZkMatMulJob -D "
              + STORE
              + "=DIR -D "
              + VECTOR
              + "=FILE <matrix input> <output dir>");
      return 2;
    }
    Job job = create(getConf(), new org.apache.hadoop.fs.Path(args[0]), new org.apache.hadoop.fs.Path(args[1]));
    return job.waitForCompletion(true) ? 0 : 1;
  }

  /**
   * The key store {@link #STORE} names, on any Hadoop file system ({@code hdfs://nn/keys}, or a
   * path on the default file system); tasks read the files they need from there.
   */
  static ZkStore openStore(Configuration conf) {
    return ZkStore.open(new HadoopStoreFiles(conf.get(STORE), conf));
  }

  /** The job over {@code input}, writing to {@code output}; one split per partition. */
  public static Job create(Configuration conf, org.apache.hadoop.fs.Path input, org.apache.hadoop.fs.Path output)
      throws Exception {
    String store = conf.get(STORE);
    if (store == null || conf.get(VECTOR) == null) {
      throw new IllegalArgumentException("set -D " + STORE + "=DIR and -D " + VECTOR + "=FILE");
    }
    int rowsPerPartition;
    try (ZkStore keys = openStore(conf)) {
      rowsPerPartition = keys.info().getMatrix().getRowsPerPartition();
    }
    Job job = Job.getInstance(conf, "zkmr: prove A x with " + store);
    job.setJarByClass(ZkMatMulJob.class);
    job.setInputFormatClass(NLineInputFormat.class);
    NLineInputFormat.setNumLinesPerSplit(job, rowsPerPartition);
    FileInputFormat.addInputPath(job, input);
    FileOutputFormat.setOutputPath(job, output);
    job.setMapperClass(ProvePartitionMapper.class);
    job.setMapOutputKeyClass(LongWritable.class);
    job.setMapOutputValueClass(BytesWritable.class);
    job.setReducerClass(CommitJobReducer.class);
    job.setNumReduceTasks(1);
    job.setOutputKeyClass(NullWritable.class);
    job.setOutputValueClass(NullWritable.class);
    for (String key : new String[] {MRJobConfig.MAP_JAVA_OPTS, MRJobConfig.REDUCE_JAVA_OPTS}) {
      String opts = job.getConfiguration().get(key, "");
      if (!opts.contains(ARROW_OPENS)) {
        job.getConfiguration().set(key, (opts + " " + ARROW_OPENS).trim());
      }
    }
    return job;
  }

  /**
   * What Arrow's memory needs on Java 17 in every task JVM (it reaches into {@code
   * java.nio.DirectByteBuffer}); added to the map and reduce JVM options, after the user's.
   */
  static final String ARROW_OPENS = "--add-opens=java.base/java.nio=ALL-UNNAMED";

  public static void main(String[] args) throws Exception {
    System.exit(ToolRunner.run(new Configuration(), new ZkMatMulJob(), args));
  }
}
