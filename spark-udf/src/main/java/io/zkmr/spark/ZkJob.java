package io.zkmr.spark;

import static org.apache.spark.sql.functions.call_function;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.zkmr.ArrowBatches;
import io.zkmr.ZkStore;
import io.zkmr.ZkmrException;
import io.zkmr.proto.JobOutput;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A whole job over a DataFrame of matrix rows ({@code row: bigint, values: array<double>}, one
 * record per matrix row, in any order and any partitioning) or of its coordinate entries ({@code
 * row: bigint, col: bigint, value: double}: an edge list; any entries, in any order, the zeros
 * left out).
 *
 * <p>Under a scheme that proves the job from {@code y} alone ({@link ZkStore#rowProducts}, the
 * Pedersen scheme) there is no shuffle: each task multiplies the rows of its own input partition
 * ({@link MultiplyRows}), only their products travel to the driver, and the driver proves the
 * job. Under a scheme that proves partitions in the tasks (halo2) the job is the SQL of {@code
 * docs/sql.md}: rows grouped by {@code zkPartition}, {@code zkMatMul}, then {@code zkCommit}.
 * Both give the bundle and job root {@code zkmr prove} gives for the same store and vectors.
 */
public final class ZkJob {
  private ZkJob() {}

  /**
   * What a job proved: the job root binds {@code x}, {@code y} and the committed matrix; {@code
   * xDigest} names the {@code x} as a verdict does. For a batch, {@code y} holds the first
   * vector's outputs, then the second's, and so on.
   */
  public record Result(
      String matrixCommitment, String jobRoot, String xDigest, double[] y, long partitions, byte[] bundle) {}

  /**
   * Proves {@code y = A x} for the matrix in {@code matrix} against the key store {@code store}
   * (a directory, a Hadoop file system URI, or a name shipped with the job). {@code x} goes to
   * every task and stays the driver's: the job is committed for it, whatever a task reports.
   */
  public static Result prove(Dataset<Row> matrix, double[] x, String store) {
    ZkmrFunctions.register(matrix.sparkSession());
    if (!Stores.get(store).rowProducts()) {
      if (isEntries(matrix)) {
        throw MultiplyRows.failure(
            "the " + Stores.get(store).info().getScheme() + " scheme proves whole partitions: give the matrix as rows (row, values)");
      }
      return provePartitions(matrix, x, store);
    }
    return multiplyAndCommit(matrix, ArrowBatches.vector(x), store);
  }

  /**
   * Proves {@code Y = A X} for the vectors {@code xs} (each of the matrix's column count) with one
   * proof, reading the matrix once. Needs a scheme that proves batches from {@code y} alone.
   */
  public static Result prove(Dataset<Row> matrix, double[][] xs, String store) {
    ZkStore keys = Stores.get(store);
    if (!keys.rowProducts()) {
      throw new ZkmrException(
          "zkmr job: the " + keys.info().getScheme() + " scheme proves one vector per job; prove each vector alone");
    }
    return multiplyAndCommit(matrix, ArrowBatches.vectors(xs), store);
  }

  /**
   * {@link #prove(Dataset, double[][], String)} for vectors held in a DataFrame (one vector per
   * record, its first column, {@code array<double>}; one record: a single vector), returning a
   * one-record DataFrame with {@code zkCommit}'s fields: {@code matrix_commitment}, {@code
   * job_root}, {@code x_digest}, {@code y}, {@code partitions}, {@code bundle}. The form for
   * PySpark, whose driver reaches the JVM through a gateway.
   */
  public static Dataset<Row> table(Dataset<Row> matrix, Dataset<Row> vectors, String store) {
    List<Row> records = vectors.collectAsList();
    if (records.isEmpty()) {
      throw MultiplyRows.failure("the vectors table is empty");
    }
    double[][] xs = new double[records.size()][];
    for (int b = 0; b < xs.length; b++) {
      int at = b;
      if (records.get(b).isNullAt(0)) {
        throw MultiplyRows.failure("vector " + b + " is null");
      }
      xs[b] = Values.doubles(records.get(b).getList(0), i -> "vector " + at + ", index " + i, MultiplyRows::failure);
    }
    Result r = xs.length == 1 ? prove(matrix, xs[0], store) : prove(matrix, xs, store);
    StructType schema =
        new StructType()
            .add("matrix_commitment", DataTypes.StringType)
            .add("job_root", DataTypes.StringType)
            .add("x_digest", DataTypes.StringType)
            .add("y", DataTypes.createArrayType(DataTypes.DoubleType, false))
            .add("partitions", DataTypes.LongType)
            .add("bundle", DataTypes.BinaryType);
    Row row = RowFactory.create(r.matrixCommitment(), r.jobRoot(), r.xDigest(), r.y(), r.partitions(), r.bundle());
    return matrix.sparkSession().createDataFrame(List.of(row), schema);
  }

  /** The job without a shuffle: products from every task, proved by the driver. */
  private static Result multiplyAndCommit(Dataset<Row> matrix, byte[] x, String store) {
    List<byte[]> products = products(matrixColumns(matrix), x, -1, -1, store);
    JobOutput out;
    try {
      out = Stores.get(store).commitProducts(products, x, -1);
    } catch (ZkmrException e) {
      throw MultiplyRows.failure(e.getMessage());
    }
    return new Result(
        out.getMatrixCommitment(),
        out.getJobRoot(),
        out.getXDigest(),
        out.getYList().stream().mapToDouble(Double::doubleValue).toArray(),
        out.getPartitions(),
        out.getBundle().toByteArray());
  }

  /**
   * The matrix's columns as the map step reads them: whole rows ({@code row}, {@code values}) or,
   * when it has a {@code col} column, coordinate entries ({@code row}, {@code col}, {@code
   * value}).
   */
  static Dataset<Row> matrixColumns(Dataset<Row> matrix) {
    if (isEntries(matrix)) {
      return matrix.select(col("row").cast("bigint"), col("col").cast("bigint"), col("value").cast("double"));
    }
    return matrix.select(col("row").cast("bigint"), col("values").cast("array<double>"));
  }

  private static boolean isEntries(Dataset<Row> matrix) {
    return Arrays.asList(matrix.columns()).contains("col");
  }

  /**
   * The map stage: every task's {@code RowProducts} for {@code x} (Arrow IPC) at the given
   * encoding (negative: the defaults), over a matrix {@link #matrixColumns} selected.
   */
  static List<byte[]> products(Dataset<Row> columns, byte[] x, int xScaleBits, int xValueBits, String store) {
    Metrics metrics = Metrics.of(columns.sparkSession().sparkContext());
    boolean entries = isEntries(columns);
    return ((org.apache.spark.sql.classic.Dataset<Row>) columns)
        .queryExecution()
        .toRdd()
        .toJavaRDD()
        .mapPartitions(new MultiplyRows(store, x, xScaleBits, xValueBits, entries, metrics))
        .collect();
  }

  /** The job as docs/sql.md writes it, for a scheme whose tasks prove whole partitions. */
  private static Result provePartitions(Dataset<Row> matrix, double[] x, String store) {
    Column storeName = lit(store);
    Row job =
        matrix
            .groupBy(call_function("zkPartition", col("row"), storeName))
            .agg(call_function("zkMatMul", col("row"), col("values"), lit(x), storeName).as("part"))
            .agg(call_function("zkCommit", col("part"), storeName, lit(x)).as("job"))
            .first()
            .getStruct(0);
    List<Double> y = job.getList(job.fieldIndex("y"));
    return new Result(
        job.getString(job.fieldIndex("matrix_commitment")),
        job.getString(job.fieldIndex("job_root")),
        job.getString(job.fieldIndex("x_digest")),
        y.stream().mapToDouble(Double::doubleValue).toArray(),
        job.getLong(job.fieldIndex("partitions")),
        (byte[]) job.get(job.fieldIndex("bundle")));
  }
}
