package io.zkmr.spark;

import java.io.Serializable;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * Named accumulators, shown per stage in the Spark UI: partitions proved, milliseconds spent
 * proving, and multiply-accumulates proved. Failed task attempts do not count.
 */
final class Metrics implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Map<SparkContext, Metrics> BY_CONTEXT = new WeakHashMap<>();

  final LongAccumulator partitions;
  final LongAccumulator provingMillis;
  final LongAccumulator macs;

  private Metrics(SparkContext sc) {
    partitions = sc.longAccumulator("zkmr.partitions.proved");
    provingMillis = sc.longAccumulator("zkmr.proving.ms");
    macs = sc.longAccumulator("zkmr.macs");
  }

  /** The accumulators of {@code sc}, made on first use. */
  static synchronized Metrics of(SparkContext sc) {
    return BY_CONTEXT.computeIfAbsent(sc, Metrics::new);
  }
}
