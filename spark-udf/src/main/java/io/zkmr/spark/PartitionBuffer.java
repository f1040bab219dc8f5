package io.zkmr.spark;

import java.io.Serializable;
import java.util.TreeMap;

/**
 * A {@code zkMatMul} group: the job it belongs to, then its partition's rows while they arrive,
 * then only the proved partition (a serialized {@code PartitionOutput}). Spark serializes it
 * between the map-side and reduce-side aggregation when a partition's rows were split across
 * tasks; a partition whose rows all arrived in one task travels as its proof.
 */
public final class PartitionBuffer implements Serializable {
  private static final long serialVersionUID = 2L;

  String store;
  /** The job's vectors (one, or a batch). */
  double[][] x;
  int xScaleBits = -1;
  long partition = -1;
  TreeMap<Long, double[]> rows = new TreeMap<>();
  byte[] proved;

  boolean isEmpty() {
    return store == null;
  }
}
