package io.zkmr;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.Types;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Arrow batches in the layouts the native library reads: a matrix as {@code row: int64,
 * values: list<float64>} (one record per matrix row) or, for a sparse matrix, as coordinate
 * entries {@code row: int64, col: int64, value: float64} (one record per non-zero), a vector as
 * one {@code float64} column, a batch of vectors as the rows of a matrix.
 * Each batch is written as an Arrow IPC stream, the bytes that cross JNI.
 */
public final class ArrowBatches {
  private static final BufferAllocator ALLOCATOR = new RootAllocator();

  private ArrowBatches() {}

  /** Matrix rows {@code rows[i]} with values {@code values[i]}, as an Arrow IPC stream. */
  public static byte[] rows(long[] rows, double[][] values) {
    if (rows.length != values.length) {
      throw new IllegalArgumentException(
          rows.length + " row indices but " + values.length + " rows of values");
    }
    try (BufferAllocator allocator = ALLOCATOR.newChildAllocator("rows", 0, Long.MAX_VALUE);
        BigIntVector index = new BigIntVector("row", allocator);
        ListVector lists = ListVector.empty("values", allocator)) {
      int total = 0;
      for (double[] v : values) {
        total = Math.addExact(total, v.length);
      }
      Float8Vector data =
          (Float8Vector) lists.addOrGetVector(FieldType.nullable(Types.MinorType.FLOAT8.getType())).getVector();
      index.allocateNew(rows.length);
      lists.setInitialCapacity(rows.length);
      lists.allocateNew();
      data.allocateNew(total);
      // Straight into the list's value buffer: a matrix is millions of values, and a writer per
      // value costs more than the product.
      int at = 0;
      for (int i = 0; i < rows.length; i++) {
        index.set(i, rows[i]);
        lists.startNewValue(i);
        for (double v : values[i]) {
          data.set(at++, v);
        }
        lists.endValue(i, values[i].length);
      }
      index.setValueCount(rows.length);
      data.setValueCount(total);
      lists.setValueCount(rows.length);
      return ipc(List.of(index, lists));
    }
  }

  /**
   * Coordinate entries {@code (rows[k], cols[k], values[k])} of a sparse matrix, or of one
   * partition of it, as an Arrow IPC stream.
   */
  public static byte[] entries(long[] rows, long[] cols, double[] values) {
    if (rows.length != cols.length || rows.length != values.length) {
      throw new IllegalArgumentException(
          rows.length + " rows, " + cols.length + " columns and " + values.length + " values");
    }
    try (BufferAllocator allocator = ALLOCATOR.newChildAllocator("entries", 0, Long.MAX_VALUE);
        BigIntVector row = new BigIntVector("row", allocator);
        BigIntVector col = new BigIntVector("col", allocator);
        Float8Vector value = new Float8Vector("value", allocator)) {
      row.allocateNew(rows.length);
      col.allocateNew(rows.length);
      value.allocateNew(rows.length);
      for (int k = 0; k < rows.length; k++) {
        row.set(k, rows[k]);
        col.set(k, cols[k]);
        value.set(k, values[k]);
      }
      row.setValueCount(rows.length);
      col.setValueCount(rows.length);
      value.setValueCount(rows.length);
      return ipc(List.of(row, col, value));
    }
  }

  /** A vector as a one-column Arrow IPC stream. */
  public static byte[] vector(double[] x) {
    try (BufferAllocator allocator = ALLOCATOR.newChildAllocator("x", 0, Long.MAX_VALUE);
        Float8Vector column = new Float8Vector("x", allocator)) {
      column.allocateNew(x.length);
      for (int i = 0; i < x.length; i++) {
        column.set(i, x[i]);
      }
      column.setValueCount(x.length);
      return ipc(List.of(column));
    }
  }

  /**
   * A batch of vectors, one per row ({@code X[b]} as matrix row {@code b}), as an Arrow IPC
   * stream: how a verifier names the batch it asked about.
   */
  public static byte[] vectors(double[][] x) {
    long[] rows = new long[x.length];
    for (int b = 0; b < rows.length; b++) {
      rows[b] = b;
    }
    return rows(rows, x);
  }

  /** Any batch as an Arrow IPC stream. */
  public static byte[] ipc(VectorSchemaRoot root) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
      writer.start();
      writer.writeBatch();
      writer.end();
    } catch (IOException e) {
      throw new UncheckedIOException("writing an Arrow IPC stream to memory", e);
    }
    return out.toByteArray();
  }

  private static byte[] ipc(List<FieldVector> columns) {
    try (VectorSchemaRoot root = new VectorSchemaRoot(columns)) {
      return ipc(root);
    }
  }
}
