package io.zkmr.spark;

import io.zkmr.ArrowBatches;
import io.zkmr.BatchFile;
import io.zkmr.ZkStore;
import io.zkmr.ZkmrException;
import io.zkmr.proto.ChunkOutput;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.util.CollectionAccumulator;

/**
 * A batch task: cuts the inputs of its own input partition ({@code id: bigint, x:
 * array<double>}) into chunks of {@code chunk} inputs, proves each as one job where it is (a
 * Freivalds batch under pedersen, against the store this executor holds open), writes the chunk's
 * bundle under the batch directory {@code dir} ({@link BatchFile#writeChunk}) in a file of this
 * attempt's own and reports it (partition, index, count, job root, file) to the driver through an
 * accumulator, which counts only the attempt Spark keeps. Emits {@code (id, y)} for each input,
 * one chunk in memory at a time. Without {@code proved} (null) it only
 * multiplies: the same job with no proof, a benchmark's baseline.
 */
final class ProveChunks implements FlatMapFunction<Iterator<InternalRow>, Row> {
  private static final long serialVersionUID = 1L;

  /** A chunk as its task proved it; {@code file} is relative to the batch's directory. */
  record Proved(int partition, int index, long count, String jobRoot, String file) implements Serializable {}

  private final String store;
  private final String commitment;
  private final int chunk;
  private final String dir;
  private final CollectionAccumulator<Proved> proved;
  private final Metrics metrics;

  /**
   * Proves chunks of {@code chunk} inputs against {@code store}, which must commit to {@code
   * commitment} (the one the driver's batch names) on every executor.
   */
  ProveChunks(
      String store,
      String commitment,
      int chunk,
      String dir,
      CollectionAccumulator<Proved> proved,
      Metrics metrics) {
    this.store = store;
    this.commitment = commitment;
    this.chunk = chunk;
    this.dir = dir;
    this.proved = proved;
    this.metrics = metrics;
  }

  @Override
  public Iterator<Row> call(Iterator<InternalRow> inputs) {
    TaskContext task = TaskContext.get();
    return new Iterator<>() {
      private final ArrayDeque<Row> ready = new ArrayDeque<>();
      private int index;

      @Override
      public boolean hasNext() {
        if (ready.isEmpty() && inputs.hasNext()) {
          prove(task, index++, inputs, ready);
        }
        return !ready.isEmpty();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return ready.poll();
      }
    };
  }

  /** Proves the next chunk of {@code inputs}, adding its outputs to {@code out}. */
  private void prove(TaskContext task, int index, Iterator<InternalRow> inputs, ArrayDeque<Row> out) {
    List<Long> ids = new ArrayList<>();
    List<double[]> xs = new ArrayList<>();
    while (inputs.hasNext() && ids.size() < chunk) {
      InternalRow r = inputs.next();
      if (r.isNullAt(0)) {
        throw failure("an input's id is null");
      }
      long id = r.getLong(0);
      ids.add(id);
      xs.add(Values.doubles(r, 1, "input " + id, "x", "index", ProveChunks::failure));
    }
    ZkStore keys = Stores.get(store);
    String held = keys.info().getMatrixCommitment();
    if (proved != null && !held.equals(commitment)) {
      throw failure(
          "the key store " + store + " on this executor commits to " + held + ", not the driver's "
              + commitment + ": it was replaced or rewritten during the job");
    }
    long started = System.nanoTime();
    ChunkOutput job;
    try {
      byte[] x = ArrowBatches.vectors(xs.toArray(new double[0][]));
      xs.clear(); // the heap holds a chunk's inputs once, as the IPC bytes, while it is proved
      job = proved == null ? keys.multiplyVectors(x, -1) : keys.proveVectors(x, -1);
    } catch (ZkmrException e) {
      throw failure("inputs " + ids.get(0) + ".. (partition " + task.partitionId() + ", chunk " + index + "): "
          + e.getMessage());
    }
    metrics.provingMillis.add((System.nanoTime() - started) / 1_000_000);
    if (proved != null) {
      String name = String.format("%05d-%05d-%d.bundle", task.partitionId(), index, task.taskAttemptId());
      String file;
      try {
        file = BatchFile.writeChunk(new Path(dir), name, job.getBundle(), Stores.hadoopConf());
      } catch (IOException e) {
        throw new UncheckedIOException("writing " + name + " under " + dir, e);
      }
      proved.add(new Proved(task.partitionId(), index, job.getVectors(), job.getJobRoot(), file));
    }
    int rows = job.getYCount() / ids.size();
    for (int b = 0; b < ids.size(); b++) {
      double[] y = new double[rows];
      for (int i = 0; i < rows; i++) {
        y[i] = job.getY(b * rows + i);
      }
      out.add(RowFactory.create(ids.get(b), y));
    }
  }

  static ZkmrException failure(String message) {
    return new ZkmrException("zkmr batch: " + message);
  }
}
