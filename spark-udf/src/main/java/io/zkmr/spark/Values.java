package io.zkmr.spark;

import io.zkmr.Expected;
import io.zkmr.ZkmrException;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import scala.collection.Seq;
import scala.jdk.javaapi.CollectionConverters;

/** SQL values as the bridge takes them, with errors that name the function and the entry. */
final class Values {
  private Values() {}

  /** An array of numbers (any numeric element type) as doubles; a null entry is named. */
  static double[] doubles(List<?> list, IntFunction<String> at, Function<String, ZkmrException> failure) {
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) {
      Object v = list.get(i);
      if (!(v instanceof Number n)) {
        throw failure.apply(at.apply(i) + ": " + (v == null ? "null value" : "not a number: " + v));
      }
      out[i] = n.doubleValue();
    }
    return out;
  }

  /**
   * Field {@code column} of Spark's reused internal row, an {@code array<double>}, copied out; in
   * errors the record is {@code record} ("row 7"), the field {@code field} and an entry {@code
   * entry} ("column 3").
   */
  static double[] doubles(
      InternalRow r, int column, String record, String field, String entry, Function<String, ZkmrException> failure) {
    if (r.isNullAt(column)) {
      throw failure.apply(record + ": " + field + " is null");
    }
    ArrayData array = r.getArray(column);
    for (int j = 0; j < array.numElements(); j++) {
      if (array.isNullAt(j)) {
        throw failure.apply(record + ", " + entry + " " + j + ": the value is null");
      }
    }
    return array.toDoubleArray();
  }

  /**
   * The {@code x} a verifying function's caller asked about, as Spark hands a UDF its value: a
   * hex digest ({@code STRING}), a vector ({@code ARRAY} of numbers) or a batch ({@code ARRAY}
   * of arrays, one vector each).
   */
  static Expected expectedX(Object x, Function<String, ZkmrException> failure) {
    if (x instanceof String digest) {
      return Expected.xDigest(digest);
    }
    if (!(x instanceof Seq<?> seq)) {
      throw failure.apply(
          "x must be an array of numbers, an array of arrays or a hex digest, not " + x.getClass().getName());
    }
    List<?> list = CollectionConverters.asJava(seq);
    if (list.isEmpty() || !(list.get(0) instanceof Seq<?>)) {
      return Expected.x(doubles(list, i -> "x index " + i, failure));
    }
    double[][] batch = new double[list.size()][];
    for (int b = 0; b < batch.length; b++) {
      if (!(list.get(b) instanceof Seq<?> vector)) {
        throw failure.apply("x vector " + b + ": not an array");
      }
      int vectorIndex = b;
      batch[b] =
          doubles(CollectionConverters.asJava(vector), i -> "x vector " + vectorIndex + ", index " + i, failure);
    }
    return Expected.x(batch);
  }
}
