package io.zkmr.hadoop;

import io.zkmr.EntryBuffer;
import io.zkmr.ZkmrException;

/**
 * The coordinate entries a mapper has read and not yet multiplied, parsed from its lines ({@code
 * row,col,value} each) into an {@link EntryBuffer}.
 */
final class HeldEntries {
  private final EntryBuffer held = new EntryBuffer();

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
    held.add(row, col, value);
  }

  private static long index(String field, String what, long offset) {
    try {
      return Long.parseLong(field.trim());
    } catch (NumberFormatException e) {
      throw new ZkmrException("line at byte " + offset + ": \"" + field + "\" is not a " + what + " index");
    }
  }

  int size() {
    return held.size();
  }

  /** The entries held, as {@link EntryBuffer#ipc}. */
  byte[] ipc() {
    return held.ipc();
  }

  void clear() {
    held.clear();
  }
}
