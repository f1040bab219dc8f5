package io.zkmr.hadoop;

import io.zkmr.ArrowBatches;
import io.zkmr.ZkStore;
import io.zkmr.ZkmrException;
import io.zkmr.proto.PartitionOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Mapper;

/**
 * Proves the partition its split holds: collects the split's rows, then proves them in {@code
 * cleanup} and emits (partition, serialized {@code PartitionResult}).
 */
public class ProvePartitionMapper extends Mapper<LongWritable, Text, LongWritable, BytesWritable> {
  private final List<Long> rows = new ArrayList<>();
  private final List<double[]> values = new ArrayList<>();
  /** Set when a line is rejected: Hadoop still runs cleanup, which must not mask the reason. */
  private boolean rejected;

  @Override
  protected void map(LongWritable offset, Text line, Context context) {
    try {
      parse(offset, line);
    } catch (ZkmrException e) {
      rejected = true;
      throw e;
    }
  }

  private void parse(LongWritable offset, Text line) {
    String text = line.toString().trim();
    if (text.isEmpty()) {
      return;
    }
    String[] fields = text.split(",");
    long row;
    try {
      row = Long.parseLong(fields[0].trim());
    } catch (NumberFormatException e) {
      throw new ZkmrException("line at byte " + offset.get() + ": \"" + fields[0] + "\" is not a row index");
    }
    double[] v = new double[fields.length - 1];
    for (int j = 0; j < v.length; j++) {
      try {
        v[j] = Double.parseDouble(fields[j + 1].trim());
      } catch (NumberFormatException e) {
        throw new ZkmrException("row " + row + ", column " + j + ": \"" + fields[j + 1] + "\" is not a number");
      }
    }
    rows.add(row);
    values.add(v);
  }

  @Override
  protected void cleanup(Context context) throws IOException, InterruptedException {
    if (rows.isEmpty() || rejected) {
      return;
    }
    Configuration conf = context.getConfiguration();
    byte[] x = ArrowBatches.vector(vector(conf));
    long[] indices = rows.stream().mapToLong(Long::longValue).toArray();
    try (ZkStore store = ZkMatMulJob.openStore(conf)) {
      long started = System.nanoTime();
      PartitionOutput out =
          store.provePartition(
              ArrowBatches.rows(indices, values.toArray(new double[0][])),
              x,
              conf.getInt(ZkMatMulJob.X_SCALE_BITS, -1));
      context.getCounter(ZkMatMulJob.Counters.PROVING_MS).increment((System.nanoTime() - started) / 1_000_000);
      context.getCounter(ZkMatMulJob.Counters.PARTITIONS).increment(1);
      context.getCounter(ZkMatMulJob.Counters.MACS).increment(out.getMacs());
      context.write(new LongWritable(out.getIndex()), new BytesWritable(out.getResult().toByteArray()));
    }
  }

  /** The vector this task proves: the job's, from the configuration. */
  protected double[] vector(Configuration conf) {
    return ZkMatMulJob.x(conf);
  }
}
