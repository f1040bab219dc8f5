package io.zkmr.spark;

import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.SparkSessionExtensionsProvider;
import scala.Tuple3;
import scala.runtime.BoxedUnit;

/**
 * Adds zkmr's SQL functions to every session, for SQL-only users:
 * {@code --conf spark.sql.extensions=io.zkmr.spark.ZkmrExtensions}.
 */
public final class ZkmrExtensions implements SparkSessionExtensionsProvider {
  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    for (ZkmrFunctions.Definition d : ZkmrFunctions.definitions()) {
      extensions.injectFunction(new Tuple3<>(d.id(), d.info(), d.builder()));
    }
    return BoxedUnit.UNIT;
  }
}
