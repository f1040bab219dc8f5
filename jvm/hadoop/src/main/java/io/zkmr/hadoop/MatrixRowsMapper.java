package io.zkmr.hadoop;

import io.zkmr.ArrowBatches;
import io.zkmr.ZkStore;
import io.zkmr.ZkmrException;
import io.zkmr.proto.PartitionOutput;
import io.zkmr.proto.RowProducts;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Mapper;

/**
 * The map step over the matrix rows of one input split ({@code row,v0,v1,...} per line), or its
 * coordinate entries ({@code row,col,value} per line, {@link ZkMatMulJob#ENTRIES}: a row's entries
 * may be in several splits, and the mapper sends their partial sums).
 *
 * <p>Under a scheme that proves the job from {@code y} alone ({@link ZkMatMulJob#ROW_PRODUCTS}),
 * the split is any range of lines: every {@link #CHUNK_VALUES} values the mapper checks its rows
 * against the committed matrix and multiplies them, emitting (first row, serialized {@code
 * RowProducts}), so only {@code y} leaves the mapper. Otherwise the split is one partition
 * ({@code NLineInputFormat}), proved in {@code cleanup} and emitted as (partition, serialized
 * {@code PartitionResult}).
 */
public class MatrixRowsMapper extends Mapper<LongWritable, Text, LongWritable, BytesWritable> {
  /** Values per native call in the row-products mode: 4 Mi doubles, 32 MiB. */
  static final int CHUNK_VALUES = 1 << 22;

  private final List<Long> rows = new ArrayList<>();
  private final List<double[]> values = new ArrayList<>();
  private long held;
  private boolean rowProducts;
  /** Set for coordinate input: the entries held, in place of {@link #rows}. */
  private HeldEntries entries;
  private ZkStore store;
  private byte[] x;
  /** Set when a line is rejected: Hadoop still runs cleanup, which must not mask the reason. */
  private boolean rejected;

  @Override
  protected void setup(Context context) throws IOException, InterruptedException {
    Configuration conf = context.getConfiguration();
    rowProducts = conf.getBoolean(ZkMatMulJob.ROW_PRODUCTS, false);
    if (conf.getBoolean(ZkMatMulJob.ENTRIES, false)) {
      entries = new HeldEntries();
    }
  }

  @Override
  protected void map(LongWritable offset, Text line, Context context) throws IOException, InterruptedException {
    try {
      if (entries != null) {
        entries.parse(offset.get(), line.toString());
      } else {
        parse(offset, line);
      }
      if (rowProducts && held() >= CHUNK_VALUES) {
        multiply(context);
      }
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
    held += Math.max(1, v.length);
  }

  @Override
  protected void cleanup(Context context) throws IOException, InterruptedException {
    try {
      if (rejected || held() == 0) {
        return;
      }
      if (rowProducts) {
        multiply(context);
      } else {
        prove(context);
      }
    } finally {
      if (store != null) {
        store.close();
      }
    }
  }

  /** Values (or entries) held and not yet multiplied. */
  private long held() {
    return entries != null ? entries.size() : held;
  }

  /**
   * The rows (or entries) held so far, checked and multiplied; emits their products, keyed by
   * the first row, and drops them.
   */
  private void multiply(Context context) throws IOException, InterruptedException {
    long started = System.nanoTime();
    byte[] matrix = entries != null ? entries.ipc() : heldRows();
    RowProducts products = open(context).multiplyRows(matrix, x, xScaleBits(context));
    context.getCounter(ZkMatMulJob.Counters.PROVING_MS).increment((System.nanoTime() - started) / 1_000_000);
    context.getCounter(ZkMatMulJob.Counters.MACS).increment(products.getMacs());
    if (entries != null) {
      context.getCounter(ZkMatMulJob.Counters.ENTRIES).increment(entries.size());
      entries.clear();
    } else {
      context.getCounter(ZkMatMulJob.Counters.ROWS).increment(rows.size());
      rows.clear();
      values.clear();
      held = 0;
    }
    context.write(new LongWritable(products.getRows(0)), new BytesWritable(products.toByteArray()));
  }

  /** The split's partition, proved whole. */
  private void prove(Context context) throws IOException, InterruptedException {
    long started = System.nanoTime();
    PartitionOutput out = open(context).provePartition(heldRows(), x, xScaleBits(context));
    context.getCounter(ZkMatMulJob.Counters.PROVING_MS).increment((System.nanoTime() - started) / 1_000_000);
    context.getCounter(ZkMatMulJob.Counters.PARTITIONS).increment(1);
    context.getCounter(ZkMatMulJob.Counters.ROWS).increment(rows.size());
    context.getCounter(ZkMatMulJob.Counters.MACS).increment(out.getMacs());
    context.write(new LongWritable(out.getIndex()), new BytesWritable(out.getResult().toByteArray()));
  }

  private byte[] heldRows() {
    return ArrowBatches.rows(rows.stream().mapToLong(Long::longValue).toArray(), values.toArray(new double[0][]));
  }

  /** The store, opened on first use and held until the task ends; the job's x with it. */
  private ZkStore open(Context context) {
    if (store == null) {
      Configuration conf = context.getConfiguration();
      store = ZkMatMulJob.openStore(conf);
      x = ArrowBatches.vector(vector(conf));
    }
    return store;
  }

  private static int xScaleBits(Context context) {
    return context.getConfiguration().getInt(ZkMatMulJob.X_SCALE_BITS, -1);
  }

  /** The vector this task multiplies by: the job's, from the configuration. */
  protected double[] vector(Configuration conf) {
    return ZkMatMulJob.x(conf);
  }
}
