package io.zkmr.spark;

import io.zkmr.ZkmrException;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Aggregator;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code zkCommit(part, store)}: the reduce side of a job. Gathers every partition's {@code
 * zkMatMul} result and hands them to the native library, which checks that each partition of
 * the store is present once, proved for one {@code x} and this matrix, assembles the bundle and
 * verifies it against the store's commitment: the reducer does not trust the tasks that proved.
 */
final class CommitAggregator extends Aggregator<Row, JobBuffer, Row> {
  private static final long serialVersionUID = 1L;
  static final String NAME = "zkCommit";
  static final String USAGE = "zkCommit(part, store), part being zkMatMul's result";

  Encoder<Row> inputEncoder() {
    return Encoders.row(
        Schemas.inputs(
            new String[] {"part", "store"}, new DataType[] {Schemas.PARTITION, DataTypes.StringType}));
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
    setStore(buffer, input.getString(1));
    Row part = input.getStruct(0);
    buffer.results.add((byte[]) part.get(part.fieldIndex("result")));
    return buffer;
  }

  @Override
  public JobBuffer merge(JobBuffer into, JobBuffer from) {
    if (from.store != null) {
      setStore(into, from.store);
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
      return Schemas.job(Stores.get(buffer.store).commitJob(buffer.results));
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

  private static void setStore(JobBuffer buffer, String store) {
    if (buffer.store == null) {
      buffer.store = store;
    } else if (!buffer.store.equals(store)) {
      throw failure("store differs between rows ('" + buffer.store + "' and '" + store + "')");
    }
  }

  private static ZkmrException failure(String message) {
    return new ZkmrException(NAME + ": " + message);
  }
}
