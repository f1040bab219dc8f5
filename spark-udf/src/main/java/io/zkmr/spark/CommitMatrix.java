package io.zkmr.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.size;

import io.zkmr.ArrowBatches;
import io.zkmr.HadoopStoreFiles;
import io.zkmr.ZkSetup;
import io.zkmr.ZkStore;
import io.zkmr.ZkmrException;
import io.zkmr.proto.PartitionSetup;
import io.zkmr.proto.SetupFiles;
import io.zkmr.proto.SetupPlan;
import io.zkmr.proto.StoreFile;
import io.zkmr.proto.StoreInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * {@code zkCommitMatrix} on Spark: setup as a distributed job. The driver plans ({@link
 * ZkSetup#plan}), one task per partition commits that partition's rows and writes its file into
 * a staging directory beside the store, and the driver adds the files that depend on every
 * partition (under Pedersen the matrix key {@code C_j = Σ_p C_{p,j}} and the secret), writes
 * the manifest last and renames the staging directory into place. The store may be on any
 * Hadoop file system ({@code hdfs://nn/keys}, {@code file:///shared/keys}); it appears whole or
 * not at all.
 *
 * <pre>
 * StoreInfo info = CommitMatrix.run(spark.table("matrix"), "hdfs://nn/keys", CommitMatrix.Settings.defaults());
 * # PySpark
 * spark._jvm.io.zkmr.spark.CommitMatrix.run(df._jdf, "hdfs://nn/keys", None, 64, -1, False)
 * </pre>
 *
 * <p>The matrix is a table of {@code row BIGINT, values ARRAY<DOUBLE>} with rows 0..n-1, each
 * once. Under Pedersen the plan the tasks receive carries the store's blinding seed; they see
 * the matrix itself, so it tells them nothing they could not compute, but run setup only on
 * workers you would show the matrix.
 */
public final class CommitMatrix {
  private CommitMatrix() {}

  /**
   * How to commit: the scheme ({@code pedersen}, the default, or {@code halo2}), rows per
   * partition, the matrix encoding's scale in bits (negative: 0 for integers, 16 otherwise),
   * under halo2 an SRS file (null: the insecure development SRS), and whether an existing key
   * store may be replaced.
   */
  public record Settings(String scheme, int rowsPerPartition, int scaleBits, String srsFile, boolean replace) {
    public static Settings defaults() {
      return new Settings(null, 64, -1, null, false);
    }
  }

  /** Commits {@code matrix} into the key store at {@code store}; returns the store's info. */
  public static StoreInfo run(Dataset<Row> matrix, String store, Settings settings) {
    Dataset<Row> m = matrix.select(col("row").cast("bigint").as("row"), col("values").cast("array<double>").as("values"));
    Row stats =
        m.agg(
                count(lit(1)),
                min("row"),
                max("row"),
                min(size(col("values"))),
                max(size(col("values"))),
                expr("bool_and(forall(values, v -> v IS NULL OR v = floor(v)))"))
            .first();
    long rows = stats.getLong(0);
    if (rows == 0) {
      throw new ZkmrException("zkCommitMatrix: the matrix has no rows");
    }
    if (stats.getLong(1) != 0 || stats.getLong(2) != rows - 1) {
      throw new ZkmrException(
          "zkCommitMatrix: "
              + rows
              + " rows numbered "
              + stats.getLong(1)
              + ".."
              + stats.getLong(2)
              + ": rows must be numbered 0.."
              + (rows - 1)
              + ", each once");
    }
    if (stats.getInt(3) != stats.getInt(4)) {
      throw new ZkmrException(
          "zkCommitMatrix: rows have between " + stats.getInt(3) + " and " + stats.getInt(4) + " values; every row needs one per column");
    }
    byte[] plan =
        ZkSetup.plan(
            settings.scheme(),
            rows,
            stats.getInt(3),
            settings.scaleBits(),
            stats.getBoolean(5),
            settings.rowsPerPartition(),
            settings.srsFile());
    // The plan holds the partition size setup uses (clamped to the matrix, as zkmr commit does).
    long perPartition;
    try {
      perPartition = SetupPlan.parseFrom(plan).getRowsPerPartition();
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new ZkmrException("the native library sent a malformed setup plan: " + e.getMessage(), e);
    }
    int partitions = (int) ((rows + perPartition - 1) / perPartition);

    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(m.sparkSession().sparkContext());
    Path dest = new Path(store);
    Configuration conf = jsc.hadoopConfiguration();
    FileSystem fs;
    try {
      fs = fileSystem(dest, conf);
      if (fs.exists(dest)) {
        if (!settings.replace()) {
          throw new ZkmrException("zkCommitMatrix: " + store + " already exists; allow replacing the key store to overwrite it");
        }
        if (!fs.exists(new Path(dest, "manifest.json"))) {
          throw new ZkmrException("zkCommitMatrix: " + store + " is not a key store (no manifest.json); only a key store is ever replaced");
        }
      }
    } catch (IOException e) {
      throw new ZkmrException("zkCommitMatrix: " + store + ": " + e.getMessage(), e);
    }
    Path staging = new Path(dest.getParent(), ".zkmr-keys-" + UUID.randomUUID());
    String stagingUri = fs.makeQualified(staging).toString();
    Broadcast<byte[]> shared = jsc.broadcast(plan);
    try {
      List<byte[]> parts =
          m.javaRDD()
              .mapToPair(r -> new Tuple2<>(r.getLong(0) / perPartition, r))
              .groupByKey(partitions)
              .map(group -> commitPartition(shared.value(), group._2(), stagingUri))
              .collect();
      SetupFiles files = ZkSetup.finish(plan, new ArrayList<>(parts));
      for (StoreFile f : files.getFilesList()) {
        write(fs, new Path(staging, f.getName()), f.getContents().toByteArray());
      }
      moveIntoPlace(fs, staging, dest);
    } catch (IOException e) {
      throw new ZkmrException("zkCommitMatrix: " + store + ": " + e.getMessage(), e);
    } finally {
      shared.destroy();
      try {
        fs.delete(staging, true);
      } catch (IOException ignored) {
        // Best effort: the staging directory is named for this commit only.
      }
    }
    try (ZkStore opened = ZkStore.open(new HadoopStoreFiles(store, conf))) {
      return opened.info();
    }
  }

  /** One task: commits the partition whose rows it holds and writes its file into staging. */
  private static byte[] commitPartition(byte[] plan, Iterable<Row> rows, String staging) throws IOException {
    List<Long> indices = new ArrayList<>();
    List<double[]> values = new ArrayList<>();
    for (Row r : rows) {
      indices.add(r.getLong(0));
      List<Double> v = r.getList(1);
      double[] a = new double[v.size()];
      for (int j = 0; j < a.length; j++) {
        Double d = v.get(j);
        if (d == null) {
          throw new ZkmrException("zkCommitMatrix: row " + r.getLong(0) + ", column " + j + ": null");
        }
        a[j] = d;
      }
      values.add(a);
    }
    PartitionSetup part =
        ZkSetup.commitPartition(
            plan,
            ArrowBatches.rows(indices.stream().mapToLong(Long::longValue).toArray(), values.toArray(new double[0][])));
    Path dir = new Path(staging);
    FileSystem fs = fileSystem(dir, Stores.hadoopConf());
    // Another attempt of this task (a retry, a speculative copy) writes the same bytes: each
    // writes its own file and renames it; the first rename wins.
    TaskContext task = TaskContext.get();
    Path target = new Path(dir, part.getFile());
    Path mine = new Path(dir, part.getFile() + ".attempt-" + (task == null ? 0 : task.taskAttemptId()));
    write(fs, mine, part.getContents().toByteArray());
    if (!fs.rename(mine, target)) {
      fs.delete(mine, false);
      if (!fs.exists(target)) {
        throw new IOException("could not write " + target);
      }
    }
    return part.toBuilder().clearContents().build().toByteArray();
  }

  /**
   * The file system of {@code path}; for local paths the raw one, so the store holds its own
   * files only (no {@code .crc} beside each).
   */
  private static FileSystem fileSystem(Path path, Configuration conf) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
  }

  private static void write(FileSystem fs, Path path, byte[] bytes) throws IOException {
    try (OutputStream out = fs.create(path, true)) {
      out.write(bytes);
    }
  }

  /** Renames {@code staging} to {@code dest}, moving an existing store aside first. */
  private static void moveIntoPlace(FileSystem fs, Path staging, Path dest) throws IOException {
    Path aside = null;
    if (fs.exists(dest)) {
      aside = new Path(dest.getParent(), ".zkmr-old-keys-" + UUID.randomUUID());
      if (!fs.rename(dest, aside)) {
        throw new IOException("could not move the old key store aside");
      }
    }
    if (!fs.rename(staging, dest)) {
      if (aside != null) {
        fs.rename(aside, dest);
      }
      throw new IOException("could not move the new key store into place (another commit may have written it)");
    }
    if (aside != null) {
      fs.delete(aside, true);
    }
  }
}
