package io.zkmr.spark;

import static org.apache.spark.sql.functions.call_function;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** A whole job over a DataFrame: the map step per partition, then the reduce step. */
public final class ZkJob {
  private ZkJob() {}

  /**
   * What a job proved: the job root binds {@code x}, {@code y} and the committed matrix; {@code
   * xDigest} names the {@code x} as a verdict does.
   */
  public record Result(
      String matrixCommitment, String jobRoot, String xDigest, double[] y, long partitions, byte[] bundle) {}

  /**
   * Proves {@code y = A x} for the matrix in {@code matrix} ({@code row: bigint, values:
   * array<double>}, one record per matrix row) against the key store {@code store}: {@code x}
   * goes to every task and, from here, to the reduce step, which commits the job for it.
   */
  public static Result prove(Dataset<Row> matrix, double[] x, String store) {
    ZkmrFunctions.register(matrix.sparkSession());
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
