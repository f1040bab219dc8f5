package io.zkmr.spark;

import io.zkmr.ArrowBatches;
import io.zkmr.ZkmrException;
import java.util.Arrays;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Aggregator;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code zkCommit(part, store, x [, x_scale_bits])}: the reduce side of a job. Gathers every
 * partition's {@code zkMatMul} result and hands them to the native library with the job's {@code
 * x}, the one the query passed to {@code zkMatMul}, which checks that each partition of the store
 * is present once, proved for that {@code x} and this matrix, assembles the bundle and verifies it
 * against the store's commitment. The reducer does not trust the tasks that proved: what the job
 * proves is the query's {@code x}, never one a task reports, and a task that proved another is
 * named by its partition.
 */
final class CommitAggregator extends Aggregator<Row, JobBuffer, Row> {
  private static final long serialVersionUID = 2L;
  static final String NAME = "zkCommit";
  static final String USAGE =
      "zkCommit(part, store, x [, x_scale_bits]), part being zkMatMul's result and x (and x_scale_bits) what it was given";

  private final boolean withScale;
  private final boolean batch;

  /** With {@code batch}, {@code x} is a list of vectors ({@code ARRAY<ARRAY<DOUBLE>>}). */
  CommitAggregator(boolean withScale, boolean batch) {
    this.withScale = withScale;
    this.batch = batch;
  }

  /** The argument types Spark casts the call's arguments to. */
  Encoder<Row> inputEncoder() {
    String[] names = {"part", "store", "x", "x_scale_bits"};
    DataType[] types = {
      Schemas.PARTITION,
      DataTypes.StringType,
      Values.xType(batch),
      DataTypes.IntegerType
    };
    int n = withScale ? 4 : 3;
    return Encoders.row(Schemas.inputs(Arrays.copyOf(names, n), Arrays.copyOf(types, n)));
  }

  @Override
  public JobBuffer zero() {
    return new JobBuffer();
  }

  @Override
  public JobBuffer reduce(JobBuffer buffer, Row input) {
    if (input.isNullAt(0)) {
      throw failure("part is null (a zkMatMul group produced no result)");
    }
    if (input.isNullAt(1)) {
      throw failure("store is null");
    }
    if (input.isNullAt(2)) {
      throw failure("x is null");
    }
    double[][] x = Values.vectors(input, 2, batch, CommitAggregator::failure);
    int scale = withScale && !input.isNullAt(3) ? input.getInt(3) : -1;
    join(buffer, input.getString(1), x, scale);
    Row part = input.getStruct(0);
    buffer.results.add((byte[]) part.get(part.fieldIndex("result")));
    return buffer;
  }

  @Override
  public JobBuffer merge(JobBuffer into, JobBuffer from) {
    if (from.store != null) {
      join(into, from.store, from.x, from.xScaleBits);
    }
    into.results.addAll(from.results);
    return into;
  }

  @Override
  public Row finish(JobBuffer buffer) {
    if (buffer.results.isEmpty()) {
      return null;
    }
    try {
      return Schemas.job(
          Stores.get(buffer.store).commitJob(buffer.results, ArrowBatches.vectors(buffer.x), buffer.xScaleBits));
    } catch (ZkmrException e) {
      throw failure(e.getMessage());
    }
  }

  @Override
  public Encoder<JobBuffer> bufferEncoder() {
    return Encoders.javaSerialization(JobBuffer.class);
  }

  @Override
  public Encoder<Row> outputEncoder() {
    return Encoders.row(Schemas.JOB);
  }

  /** Sets the job from its first row, or checks a later row's against it: one job, one x. */
  private static void join(JobBuffer buffer, String store, double[][] x, int scale) {
    if (buffer.store == null) {
      buffer.store = store;
      buffer.x = x;
      buffer.xScaleBits = scale;
      return;
    }
    if (!buffer.store.equals(store)) {
      throw failure("store differs between rows ('" + buffer.store + "' and '" + store + "')");
    }
    if (!Arrays.deepEquals(buffer.x, x) || buffer.xScaleBits != scale) {
      throw failure("x differs between rows: a job commits one x");
    }
  }

  private static ZkmrException failure(String message) {
    return new ZkmrException(NAME + ": " + message);
  }
}
