package io.zkmr.hadoop;

import io.zkmr.BatchFile;
import io.zkmr.ZkmrException;
import io.zkmr.proto.BatchEnds;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Reducer;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;

/**
 * The one reducer of {@link ZkBatchJob}: takes the chunks' reports in key order (input file,
 * split, chunk), asks the native library for the batch's header and trailer, writes {@code
 * batch.zkmr} (copying one chunk's bundle at a time) and {@code batch.json} into the task's output
 * directory, which the committer moves into place only when the job succeeds, then removes the
 * chunk files. It holds reports only, never inputs.
 */
public final class BatchFileReducer extends Reducer<Text, Text, NullWritable, NullWritable> {
  private final List<BatchFile.Chunk> chunks = new ArrayList<>();

  @Override
  protected void reduce(Text key, Iterable<Text> reports, Context context) {
    int seen = 0;
    for (Text report : reports) {
      if (seen++ > 0) {
        throw new ZkmrException("chunk " + key.toString().replace('\t', '@') + " was reported twice");
      }
      String[] fields = report.toString().split("\t", 3);
      chunks.add(new BatchFile.Chunk(Long.parseLong(fields[0]), fields[1], fields[2]));
    }
  }

  @Override
  protected void cleanup(Context context) throws IOException, InterruptedException {
    var conf = context.getConfiguration();
    if (chunks.isEmpty()) {
      throw new ZkmrException("the batch has no inputs");
    }
    String commitment = conf.get(ZkBatchJob.JOB_COMMITMENT);
    Path dir = FileOutputFormat.getWorkOutputPath(context);
    FileSystem fs = dir.getFileSystem(conf);
    BatchEnds ends;
    try (OutputStream out = fs.create(new Path(dir, "batch.zkmr"), false)) {
      ends = BatchFile.write(out, commitment, chunks);
    }
    String summary =
        "{\"matrix_commitment\": \""
            + commitment
            + "\", \"batch_root\": \""
            + HexFormat.of().formatHex(ends.getTrailer().getRoot().toByteArray())
            + "\", \"chunks\": "
            + ends.getTrailer().getChunks()
            + ", \"inputs\": "
            + ends.getTrailer().getInputs()
            + "}\n";
    try (OutputStream out = fs.create(new Path(dir, "batch.json"), false)) {
      out.write(summary.getBytes(StandardCharsets.UTF_8));
    }
    Path output = FileOutputFormat.getOutputPath(context);
    BatchFile.removeUnlisted(output.getFileSystem(conf), output, chunks);
  }
}
