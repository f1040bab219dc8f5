package io.zkmr;

import java.util.Arrays;

/**
 * Coordinate entries ({@code row, col, value}) a task has read and not yet sent, in growable
 * primitive arrays (an edge list's split holds millions of them), sent as {@link
 * ArrowBatches#entries}.
 */
public final class EntryBuffer {
  private long[] rows = new long[1024];
  private long[] cols = new long[1024];
  private double[] values = new double[1024];
  private int size;

  public void add(long row, long col, double value) {
    if (size == rows.length) {
      rows = Arrays.copyOf(rows, size * 2);
      cols = Arrays.copyOf(cols, size * 2);
      values = Arrays.copyOf(values, size * 2);
    }
    rows[size] = row;
    cols[size] = col;
    values[size] = value;
    size++;
  }

  public int size() {
    return size;
  }

  /** The entries held, as {@link ArrowBatches#entries} writes them. */
  public byte[] ipc() {
    return ArrowBatches.entries(Arrays.copyOf(rows, size), Arrays.copyOf(cols, size), Arrays.copyOf(values, size));
  }

  public void clear() {
    size = 0;
  }
}
