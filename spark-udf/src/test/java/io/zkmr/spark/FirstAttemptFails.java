package io.zkmr.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/** A fault the suites inject: the first attempt of the task that reads one record fails. */
final class FirstAttemptFails {
  private FirstAttemptFails() {}

  /** {@code table} (of {@code schema}, a {@code bigint} first column) failing at record {@code id}. */
  static Dataset<Row> at(Dataset<Row> table, StructType schema, long id) {
    return table.map(
        (MapFunction<Row, Row>)
            row -> {
              if (row.getLong(0) == id && TaskContext.get().attemptNumber() == 0) {
                throw new IllegalStateException("injected failure of a first attempt");
              }
              return row;
            },
        Encoders.row(schema));
  }
}
