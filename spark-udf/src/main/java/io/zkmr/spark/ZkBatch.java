package io.zkmr.spark;

import static org.apache.spark.sql.functions.col;

import io.zkmr.BatchFile;
import io.zkmr.proto.BatchEnds;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;

/**
 * Batch inference as a job: every input of a DataFrame (an id and a vector per record) through
 * the committed matrix, proved where the inputs are, never all in one process.
 *
 * <p>Each task cuts its own input partition into chunks and proves each chunk as one job (a
 * Freivalds batch under pedersen) against the store its executor holds open ({@link
 * ProveChunks}); the outputs {@code (id, y)} are written as Parquet by the tasks, and each
 * chunk's bundle as a file under {@code DIR/chunks}. The driver then orders the chunks (by input
 * partition, then within it), writes the batch proof naming their files, whose root ties them
 * into one statement (docs/batches.md), and removes the files of attempts Spark did not keep.
 * {@code zkmr verify --bundle DIR/batch.zkmr --commitment C} checks it with the commitment alone
 * (and {@code --vectors} against the inputs in the same order), reading the chunks beside it.
 *
 * <p>Who holds what: a proving task reads the store's secret (the Schnorr proofs need it), as in
 * {@code zkmr prove}; a third party needs only the commitment and the proof.
 */
public final class ZkBatch {
  private ZkBatch() {}

  /**
   * What a batch job wrote: the batch proof ({@code DIR/batch.zkmr} and its chunks' bundles
   * under {@code DIR/chunks}, which travel with it), the outputs ({@code
   * DIR/outputs}, Parquet {@code id: bigint, y: array<double>}), and the statement's root.
   */
  public record Result(
      String matrixCommitment, String batchRoot, long chunks, long inputs, String proof, String outputs) {}

  /**
   * Proves {@code y = A x} for every input of {@code inputs} (columns {@code id}, cast to {@code
   * bigint}, and {@code x}, cast to {@code array<double>}) against the key store {@code store},
   * in chunks of at most {@code chunk} inputs, into the new directory {@code dir} (any Hadoop
   * file system). Inputs are in the batch in the order of the DataFrame's partitions, then of
   * their records.
   */
  public static Result prove(Dataset<Row> inputs, String id, String x, String store, int chunk, String dir) {
    if (chunk < 1) {
      throw ProveChunks.failure("the chunk size must be positive, not " + chunk);
    }
    SparkSession spark = inputs.sparkSession();
    String commitment = Stores.get(store).info().getMatrixCommitment();
    Path out = new Path(dir);
    try {
      FileSystem fs = out.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (fs.exists(out)) {
        throw ProveChunks.failure(dir + " exists: the batch goes to a new directory");
      }
      CollectionAccumulator<ProveChunks.Proved> proved = spark.sparkContext().collectionAccumulator("zkmr.batch.chunks");
      String outputsDir = writeOutputs(inputs, id, x, store, commitment, chunk, out, proved);
      List<ProveChunks.Proved> chunks = ordered(proved.value());
      Path proof = new Path(out, "batch.zkmr");
      BatchEnds ends;
      List<BatchFile.Chunk> listed = summaries(chunks);
      try (OutputStream file = fs.create(proof, false)) {
        ends = BatchFile.write(file, commitment, listed);
      }
      BatchFile.removeUnlisted(fs, out, listed);
      return new Result(
          commitment,
          HexFormat.of().formatHex(ends.getTrailer().getRoot().toByteArray()),
          ends.getTrailer().getChunks(),
          ends.getTrailer().getInputs(),
          proof.toString(),
          outputsDir);
    } catch (IOException e) {
      throw new UncheckedIOException("zkmr batch: " + dir, e);
    }
  }

  /**
   * {@link #prove} without the proofs: the same tasks, chunks and native product, writing only
   * {@code DIR/outputs}. The baseline a batch job's cost is measured against ({@code
   * scripts/bench-cluster.sh}); returns the outputs' directory.
   */
  public static String multiply(Dataset<Row> inputs, String id, String x, String store, int chunk, String dir) {
    if (chunk < 1) {
      throw ProveChunks.failure("the chunk size must be positive, not " + chunk);
    }
    return writeOutputs(inputs, id, x, store, null, chunk, new Path(dir), null);
  }

  /**
   * Runs the tasks, which write {@code (id, y)} under {@code out/outputs} and, proving (a non-null
   * {@code proved}), report each chunk there, proved against a store committing to {@code
   * commitment}.
   */
  private static String writeOutputs(
      Dataset<Row> inputs,
      String id,
      String x,
      String store,
      String commitment,
      int chunk,
      Path out,
      CollectionAccumulator<ProveChunks.Proved> proved) {
    SparkSession spark = inputs.sparkSession();
    Dataset<Row> selected = inputs.select(col(id).cast("bigint"), col(x).cast("array<double>"));
    var outputs =
        ((org.apache.spark.sql.classic.Dataset<Row>) selected)
            .queryExecution()
            .toRdd()
            .toJavaRDD()
            .mapPartitions(
                new ProveChunks(
                    store,
                    commitment,
                    chunk,
                    out.toString(),
                    proved,
                    Metrics.of(spark.sparkContext())));
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType, false)
            .add("y", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    String outputsDir = new Path(out, "outputs").toString();
    spark.createDataFrame(outputs, schema).write().parquet(outputsDir);
    return outputsDir;
  }

  /**
   * The chunks the kept task attempts reported, in the batch's order; each input partition's
   * chunks must run 0, 1, 2, … with none twice.
   */
  private static List<ProveChunks.Proved> ordered(List<ProveChunks.Proved> reported) {
    List<ProveChunks.Proved> chunks = new ArrayList<>(reported);
    chunks.sort(Comparator.comparingInt(ProveChunks.Proved::partition).thenComparingInt(ProveChunks.Proved::index));
    if (chunks.isEmpty()) {
      throw ProveChunks.failure("the inputs are empty");
    }
    for (int j = 0; j < chunks.size(); j++) {
      ProveChunks.Proved c = chunks.get(j);
      boolean first = j == 0 || chunks.get(j - 1).partition() != c.partition();
      int expected = first ? 0 : chunks.get(j - 1).index() + 1;
      if (c.index() != expected) {
        throw ProveChunks.failure(
            "input partition " + c.partition() + " reported chunk " + c.index() + " where chunk " + expected
                + " belongs");
      }
    }
    return chunks;
  }

  private static List<BatchFile.Chunk> summaries(List<ProveChunks.Proved> chunks) {
    return chunks.stream().map(c -> new BatchFile.Chunk(c.count(), c.jobRoot(), c.file())).toList();
  }
}
