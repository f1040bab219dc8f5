package io.zkmr.spark;

import io.zkmr.ArrowBatches;
import io.zkmr.EntryBuffer;
import io.zkmr.ZkmrException;
import io.zkmr.proto.RowProducts;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * The map step of a job without a shuffle: a task multiplies the matrix rows of its own input
 * partition, wherever Spark read them, in chunks of {@link #CHUNK_VALUES} values at most, each
 * checked against the committed matrix and multiplied natively; it emits one serialized {@code
 * RowProducts} per chunk, so what leaves the task is {@code y}, never the rows.
 *
 * <p>The matrix arrives as Spark's internal rows, read without boxing a value: whole rows
 * ({@code row: bigint, values: array<double>}) or coordinate entries ({@code row: bigint, col:
 * bigint, value: double}, an edge list; a row's entries may be in several tasks, whose partial
 * sums the driver adds).
 */
final class MultiplyRows implements FlatMapFunction<Iterator<InternalRow>, byte[]> {
  private static final long serialVersionUID = 1L;
  /** Values per native call: 4 Mi doubles, 32 MiB, whatever the matrix's width. */
  static final int CHUNK_VALUES = 1 << 22;

  private final String store;
  private final byte[] x;
  private final int xScaleBits;
  private final int xValueBits;
  private final boolean entries;
  private final Metrics metrics;

  /**
   * Multiplies by {@code x} (Arrow IPC) at {@code xScaleBits} and {@code xValueBits} (negative:
   * the defaults) the rows, or with {@code entries} the coordinate entries, each task holds.
   */
  MultiplyRows(String store, byte[] x, int xScaleBits, int xValueBits, boolean entries, Metrics metrics) {
    this.store = store;
    this.x = x;
    this.xScaleBits = xScaleBits;
    this.xValueBits = xValueBits;
    this.entries = entries;
    this.metrics = metrics;
  }

  @Override
  public Iterator<byte[]> call(Iterator<InternalRow> rows) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public byte[] next() {
        if (!rows.hasNext()) {
          throw new NoSuchElementException();
        }
        if (entries) {
          return multiply(entryChunk(rows));
        }
        List<Long> indices = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        long held = 0;
        while (rows.hasNext() && held < CHUNK_VALUES) {
          InternalRow r = rows.next();
          if (r.isNullAt(0)) {
            throw failure("the row index is null");
          }
          long row = r.getLong(0);
          double[] v = Values.doubles(r, 1, "row " + row, "values", "column", MultiplyRows::failure);
          indices.add(row);
          values.add(v);
          held += Math.max(1, v.length);
        }
        return multiply(ArrowBatches.rows(indices.stream().mapToLong(Long::longValue).toArray(), values.toArray(new double[0][])));
      }
    };
  }

  /** The next {@link #CHUNK_VALUES} entries at most, as {@link EntryBuffer#ipc}. */
  private static byte[] entryChunk(Iterator<InternalRow> rows) {
    EntryBuffer chunk = new EntryBuffer();
    while (rows.hasNext() && chunk.size() < CHUNK_VALUES) {
      InternalRow e = rows.next();
      for (int field = 0; field < 3; field++) {
        if (e.isNullAt(field)) {
          throw failure("an entry's " + new String[] {"row", "col", "value"}[field] + " is null");
        }
      }
      chunk.add(e.getLong(0), e.getLong(1), e.getDouble(2));
    }
    return chunk.ipc();
  }

  private byte[] multiply(byte[] matrix) {
    long started = System.nanoTime();
    RowProducts products;
    try {
      products = Stores.get(store).multiplyRows(matrix, x, xScaleBits, xValueBits);
    } catch (ZkmrException e) {
      throw failure(e.getMessage());
    }
    metrics.provingMillis.add((System.nanoTime() - started) / 1_000_000);
    metrics.macs.add(products.getMacs());
    return products.toByteArray();
  }

  static ZkmrException failure(String message) {
    return new ZkmrException("zkmr job: " + message);
  }
}
