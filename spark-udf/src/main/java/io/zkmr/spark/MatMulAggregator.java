package io.zkmr.spark;

import io.zkmr.ArrowBatches;
import io.zkmr.ZkStore;
import io.zkmr.ZkmrException;
import io.zkmr.proto.MatrixMeta;
import io.zkmr.proto.PartitionOutput;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Aggregator;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code zkMatMul(row, values, x, store [, x_scale_bits])}: proves one partition of {@code A x}.
 *
 * <p>An aggregate grouped by {@code zkPartition(row, store)}. A group proves as soon as it holds
 * every row of its partition, which is in the map-side (partial) aggregation whenever a task
 * read the whole partition, and drops the rows; only groups split across tasks prove on the
 * reduce side. The native library checks the rows against the committed block and names the
 * row and column that differ. {@code x} is one vector, or a batch ({@code ARRAY<ARRAY<DOUBLE>>})
 * proved with one proof.
 */
final class MatMulAggregator extends Aggregator<Row, PartitionBuffer, Row> {
  private static final long serialVersionUID = 1L;
  static final String NAME = "zkMatMul";
  static final String USAGE = "zkMatMul(row, values, x, store [, x_scale_bits])";

  private final Metrics metrics;
  private final boolean withScale;
  private final boolean batch;

  /** With {@code batch}, {@code x} is a list of vectors ({@code ARRAY<ARRAY<DOUBLE>>}). */
  MatMulAggregator(Metrics metrics, boolean withScale, boolean batch) {
    this.metrics = metrics;
    this.withScale = withScale;
    this.batch = batch;
  }

  /** The argument types Spark casts the call's arguments to. */
  Encoder<Row> inputEncoder() {
    String[] names = {"row", "values", "x", "store", "x_scale_bits"};
    DataType[] types = {
      DataTypes.LongType,
      DataTypes.createArrayType(DataTypes.DoubleType),
      Values.xType(batch),
      DataTypes.StringType,
      DataTypes.IntegerType
    };
    int n = withScale ? 5 : 4;
    return Encoders.row(Schemas.inputs(Arrays.copyOf(names, n), Arrays.copyOf(types, n)));
  }

  @Override
  public PartitionBuffer zero() {
    return new PartitionBuffer();
  }

  @Override
  public PartitionBuffer reduce(PartitionBuffer buffer, Row input) {
    if (input.isNullAt(0)) {
      throw failure("the row index is null");
    }
    long row = input.getLong(0);
    if (input.isNullAt(3)) {
      throw failure("store is null at row " + row);
    }
    if (input.isNullAt(2)) {
      throw failure("x is null at row " + row);
    }
    double[][] x = Values.vectors(input, 2, batch, MatMulAggregator::failure);
    int scale = withScale && !input.isNullAt(4) ? input.getInt(4) : -1;
    join(buffer, input.getString(3), x, scale, row);
    if (input.isNullAt(1)) {
      throw failure("row " + row + ": values is null");
    }
    add(buffer, row, Values.doubles(input.getList(1), i -> "row " + row + ", column " + i, MatMulAggregator::failure));
    return buffer;
  }

  @Override
  public PartitionBuffer merge(PartitionBuffer into, PartitionBuffer from) {
    if (from.isEmpty()) {
      return into;
    }
    if (into.isEmpty()) {
      return from;
    }
    long first = from.rows.isEmpty() ? from.partition : from.rows.firstKey();
    join(into, from.store, from.x, from.xScaleBits, first);
    if (from.proved != null) {
      if (into.proved != null || !into.rows.isEmpty()) {
        throw failure("partition " + from.partition + " appears in two groups' results");
      }
      into.partition = from.partition;
      into.proved = from.proved;
      return into;
    }
    for (Map.Entry<Long, double[]> e : from.rows.entrySet()) {
      add(into, e.getKey(), e.getValue());
    }
    return into;
  }

  @Override
  public Row finish(PartitionBuffer buffer) {
    if (buffer.isEmpty()) {
      return null;
    }
    if (buffer.proved == null) {
      MatrixMeta m = Stores.get(buffer.store).info().getMatrix();
      long start = buffer.partition * m.getRowsPerPartition();
      throw failure(
          "partition "
              + buffer.partition
              + " received "
              + buffer.rows.size()
              + " of its "
              + expectedRows(m, buffer.partition)
              + " rows (from row "
              + start
              + "): its rows are split across groups or missing from the table; group by"
              + " zkPartition(row, '"
              + buffer.store
              + "')");
    }
    try {
      return Schemas.partition(PartitionOutput.parseFrom(buffer.proved));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw failure("corrupt partial state: " + e.getMessage());
    }
  }

  @Override
  public Encoder<PartitionBuffer> bufferEncoder() {
    return Encoders.javaSerialization(PartitionBuffer.class);
  }

  @Override
  public Encoder<Row> outputEncoder() {
    return Encoders.row(Schemas.PARTITION);
  }

  /** Sets the group's job from its first row, or checks a later row's against it. */
  private static void join(PartitionBuffer buffer, String store, double[][] x, int scale, long row) {
    if (buffer.isEmpty()) {
      buffer.store = store;
      buffer.x = x;
      buffer.xScaleBits = scale;
      return;
    }
    if (!buffer.store.equals(store)) {
      throw failure("store differs between rows of one group (at row " + row + ")");
    }
    if (!Arrays.deepEquals(buffer.x, x) || buffer.xScaleBits != scale) {
      throw failure("x differs between rows of one partition (at row " + row + ")");
    }
  }

  /** Adds one row; proves when the partition is whole. */
  private void add(PartitionBuffer buffer, long row, double[] values) {
    MatrixMeta m = Stores.get(buffer.store).info().getMatrix();
    if (row < 0 || row >= m.getRows()) {
      throw failure("row " + row + " is outside the committed matrix of " + m.getRows() + " rows");
    }
    long partition = row / m.getRowsPerPartition();
    if (buffer.partition >= 0 && buffer.partition != partition) {
      throw failure(
          "row "
              + row
              + " is in a group with partition "
              + buffer.partition
              + " but belongs to partition "
              + partition
              + "; group by zkPartition(row, '"
              + buffer.store
              + "')");
    }
    buffer.partition = partition;
    if (buffer.proved != null || buffer.rows.put(row, values) != null) {
      throw failure("row " + row + " appears twice");
    }
    if (buffer.rows.size() == expectedRows(m, partition)) {
      prove(buffer);
    }
  }

  private void prove(PartitionBuffer buffer) {
    long[] rows = buffer.rows.keySet().stream().mapToLong(Long::longValue).toArray();
    double[][] values = buffer.rows.values().toArray(new double[0][]);
    ZkStore store = Stores.get(buffer.store);
    long started = System.nanoTime();
    PartitionOutput out;
    try {
      out =
          store.provePartition(
              ArrowBatches.rows(rows, values), ArrowBatches.vectors(buffer.x), buffer.xScaleBits);
    } catch (ZkmrException e) {
      throw failure(e.getMessage());
    }
    metrics.partitions.add(1);
    metrics.provingMillis.add((System.nanoTime() - started) / 1_000_000);
    metrics.macs.add(out.getMacs());
    buffer.proved = out.toByteArray();
    buffer.rows = new TreeMap<>();
  }

  private static long expectedRows(MatrixMeta m, long partition) {
    long start = partition * m.getRowsPerPartition();
    return Math.min(m.getRows(), start + m.getRowsPerPartition()) - start;
  }

  static ZkmrException failure(String message) {
    return new ZkmrException(NAME + ": " + message);
  }
}
