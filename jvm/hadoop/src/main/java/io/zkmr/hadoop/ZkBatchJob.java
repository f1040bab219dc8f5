package io.zkmr.hadoop;

import io.zkmr.ZkStore;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.conf.Configured;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.apache.hadoop.util.Tool;
import org.apache.hadoop.util.ToolRunner;
import org.apache.parquet.hadoop.example.ExampleInputFormat;

/**
 * Batch inference as a MapReduce job: every input of a Parquet table through the committed
 * matrix, proved in chunks and tied into one batch proof (docs/batches.md):
 *
 * <pre>
 * hadoop jar zkmr-hadoop.jar io.zkmr.hadoop.ZkBatchJob \
 *     -D zkmr.store=hdfs:///keys [-D zkmr.chunk=1024] [-D zkmr.commitment=HEX] inputs/ out/
 * </pre>
 *
 * <p>The input is Parquet on any Hadoop file system, one input per record: an id ({@code row:
 * int64}) and the vector ({@code values: list<double>}), the layout {@code zkmr prove --vectors}
 * reads; {@link #ID_COLUMN} and {@link #X_COLUMN} name other columns. Each mapper cuts its split's
 * inputs into chunks of {@link #CHUNK}, proves each as one job against the store (a Freivalds
 * batch under pedersen), writes the chunk's bundle to a file of its own attempt under {@code
 * out/chunks} and emits only a report (count, job root, file), and writes {@code (id, y)} lines
 * to {@code y-m-NNNNN} files, which the output committer keeps for the attempt that succeeds. The
 * one reducer orders the reports by input file, split and chunk, writes {@code batch.zkmr} (naming
 * each chunk's file: the batch {@code zkmr prove --vectors --chunk} proves for the same chunks,
 * checked by {@code zkmr verify}) and {@code batch.json} (the batch root, chunks and inputs), and
 * removes the chunk files of failed attempts. No input ever reaches the reducer, and no process
 * holds more than one chunk of inputs.
 */
public final class ZkBatchJob extends Configured implements Tool {
  /** Inputs per chunk, each chunk one proof; by default 1024. */
  public static final String CHUNK = "zkmr.chunk";
  /** The id column (int64); by default {@code row}. */
  public static final String ID_COLUMN = "zkmr.id.column";
  /** The vector column (a list of doubles); by default {@code values}. */
  public static final String X_COLUMN = "zkmr.x.column";
  /** Set by {@link #create}: the commitment every task's store must commit to. */
  static final String JOB_COMMITMENT = "zkmr.batch.commitment";

  /** Counters shown with the job (group {@code zkmr}). */
  public enum Counters {
    INPUTS,
    CHUNKS,
    PROVING_MS
  }

  @Override
  public int run(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println(
          "usage: hadoop jar zkmr-hadoop.jar io.zkmr.hadoop.ZkBatchJob -D "
              + ZkMatMulJob.STORE
              + "=DIR [-D "
              + CHUNK
              + "=N] <inputs (Parquet)> <output dir>");
      return 2;
    }
    Job job = create(getConf(), new Path(args[0]), new Path(args[1]));
    return job.waitForCompletion(true) ? 0 : 1;
  }

  /**
   * The batch job over the Parquet {@code input}, writing to {@code output}. Opens the store once
   * here (refusing one for another matrix than {@link ZkMatMulJob#COMMITMENT}) and pins every
   * task to the commitment it found.
   */
  public static Job create(Configuration conf, Path input, Path output) throws Exception {
    String store = conf.get(ZkMatMulJob.STORE);
    if (store == null) {
      throw new IllegalArgumentException("set -D " + ZkMatMulJob.STORE + "=DIR");
    }
    int chunk = conf.getInt(CHUNK, 1024);
    if (chunk < 1) {
      throw new IllegalArgumentException("-D " + CHUNK + "=" + chunk + ": a chunk holds at least one input");
    }
    String commitment;
    try (ZkStore keys = ZkMatMulJob.openStore(conf)) {
      commitment = keys.info().getMatrixCommitment();
    }
    Job job = Job.getInstance(conf, "zkmr: batch through " + store);
    job.getConfiguration().set(JOB_COMMITMENT, commitment);
    job.setJarByClass(ZkBatchJob.class);
    job.setInputFormatClass(ExampleInputFormat.class);
    FileInputFormat.addInputPath(job, input);
    FileOutputFormat.setOutputPath(job, output);
    job.setMapperClass(ProveChunksMapper.class);
    job.setMapOutputKeyClass(Text.class);
    job.setMapOutputValueClass(Text.class);
    job.setReducerClass(BatchFileReducer.class);
    job.setNumReduceTasks(1);
    job.setOutputKeyClass(NullWritable.class);
    job.setOutputValueClass(NullWritable.class);
    ZkMatMulJob.addArrowOpens(job);
    return job;
  }

  public static void main(String[] args) throws Exception {
    System.exit(ToolRunner.run(new Configuration(), new ZkBatchJob(), args));
  }
}
