package io.zkmr.hadoop;

import io.zkmr.ArrowBatches;
import io.zkmr.ZkmrException;
import java.util.Arrays;

/**
 * The coordinate entries a mapper has read and not yet multiplied ({@code row,col,value} per
 * line), in growable primitive arrays: an edge list's split holds millions of them.
 */
final class HeldEntries {
  private long[] rows = new long[1024];
  private long[] cols = new long[1024];
  private double[] values = new double[1024];
  private int size;

  /** Reads one line; a blank line is skipped, a malformed one named by its byte offset. */
  void parse(long offset, String line) {
    String text = line.trim();
    if (text.isEmpty()) {
      return;
    }
    String[] fields = text.split(",");
    if (fields.length != 3) {
      throw new ZkmrException(
          "line at byte " + offset + ": " + fields.length + " fields; a coordinate entry is row,col,value");
    }
    long row = index(fields[0], "row", offset);
    long col = index(fields[1], "column", offset);
    double value;
    try {
      value = Double.parseDouble(fields[2].trim());
    } catch (NumberFormatException e) {
      throw new ZkmrException("row " + row + ", column " + col + ": \"" + fields[2] + "\" is not a number");
    }
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

  private static long index(String field, String what, long offset) {
    try {
      return Long.parseLong(field.trim());
    } catch (NumberFormatException e) {
      throw new ZkmrException("line at byte " + offset + ": \"" + field + "\" is not a " + what + " index");
    }
  }

  int size() {
    return size;
  }

  /** The entries held, as {@link ArrowBatches#entries}. */
  byte[] ipc() {
    return ArrowBatches.entries(
        Arrays.copyOf(rows, size), Arrays.copyOf(cols, size), Arrays.copyOf(values, size));
  }

  void clear() {
    size = 0;
  }
}
