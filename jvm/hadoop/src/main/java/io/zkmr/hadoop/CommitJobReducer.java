package io.zkmr.hadoop;

import io.zkmr.ArrowBatches;
import io.zkmr.ZkStore;
import io.zkmr.proto.JobOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.mapreduce.Reducer;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;

/**
 * The single reducer: checks every mapper's output (it does not trust them) for the job's {@code
 * x} as the driver set it, never as a mapper reports it, so a mapper that used another {@code x}
 * fails the job, named. It proves the job from the mappers' products ({@link
 * ZkMatMulJob#ROW_PRODUCTS}) or verifies their partition proofs, assembles {@code y} and writes {@code job.bundle}
 * and {@code job.json} into the task's output directory, which the output committer moves into
 * place only when the job succeeds.
 */
public final class CommitJobReducer extends Reducer<LongWritable, BytesWritable, NullWritable, NullWritable> {
  private final List<byte[]> results = new ArrayList<>();

  @Override
  protected void reduce(LongWritable key, Iterable<BytesWritable> proofs, Context context) {
    for (BytesWritable proof : proofs) {
      results.add(proof.copyBytes());
    }
  }

  @Override
  protected void cleanup(Context context) throws IOException, InterruptedException {
    JobOutput job;
    var conf = context.getConfiguration();
    try (ZkStore store = ZkMatMulJob.openStore(conf)) {
      byte[] x = ArrowBatches.vector(ZkMatMulJob.x(conf));
      int scale = conf.getInt(ZkMatMulJob.X_SCALE_BITS, -1);
      job =
          conf.getBoolean(ZkMatMulJob.ROW_PRODUCTS, false)
              ? store.commitProducts(results, x, scale)
              : store.commitJob(results, x, scale);
    }
    org.apache.hadoop.fs.Path dir = FileOutputFormat.getWorkOutputPath(context);
    FileSystem fs = dir.getFileSystem(context.getConfiguration());
    try (FSDataOutputStream out = fs.create(new org.apache.hadoop.fs.Path(dir, "job.bundle"), false)) {
      job.getBundle().writeTo(out);
    }
    try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(dir, "job.json"), false)) {
      out.write(summary(job).getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The job's summary as JSON, with the field names {@code zkmr run --json} prints. */
  static String summary(JobOutput job) {
    StringBuilder y = new StringBuilder("[");
    for (int i = 0; i < job.getYCount(); i++) {
      y.append(i == 0 ? "" : ",").append(job.getY(i));
    }
    y.append(']');
    return "{\"matrix_commitment\": \""
        + job.getMatrixCommitment()
        + "\", \"job_root\": \""
        + job.getJobRoot()
        + "\", \"x_digest\": \""
        + job.getXDigest()
        + "\", \"partitions\": "
        + job.getPartitions()
        + ", \"y_scale_bits\": "
        + job.getYScaleBits()
        + ", \"y\": "
        + y
        + "}\n";
  }
}
