package io.zkmr.spark;

import java.io.Serializable;
import java.util.ArrayList;

/**
 * A {@code zkCommit} group: the store, the job's {@code x} (one vector or a batch) and scale as the query gave them, and
 * every partition's serialized result.
 */
public final class JobBuffer implements Serializable {
  private static final long serialVersionUID = 3L;

  String store;
  /** The job's vectors (one, or a batch). */
  double[][] x;
  int xScaleBits = -1;
  ArrayList<byte[]> results = new ArrayList<>();
}
