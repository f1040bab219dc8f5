package io.zkmr.spark;

import io.zkmr.Expected;
import io.zkmr.ZkmrException;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
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
   * A job's {@code x} as an aggregate's input row holds it at {@code column}: one vector ({@code
   * ARRAY<DOUBLE>}), or with {@code batch} a list of vectors ({@code ARRAY<ARRAY<DOUBLE>>}); one
   * vector is a batch of one.
   */
  static double[][] vectors(Row input, int column, boolean batch, Function<String, ZkmrException> failure) {
    List<?> list = input.getList(column);
    if (!batch) {
      return new double[][] {doubles(list, i -> "x index " + i, failure)};
    }
    if (list.isEmpty()) {
      throw failure.apply("x holds no vectors");
    }
    double[][] out = new double[list.size()][];
    for (int b = 0; b < out.length; b++) {
      // Spark hands the outer list as a Java list and each vector as a Scala sequence.
      Object element = list.get(b);
      List<?> vector;
      if (element instanceof Seq<?> seq) {
        vector = CollectionConverters.asJava(seq);
      } else if (element instanceof List<?> l) {
        vector = l;
      } else {
        throw failure.apply("x vector " + b + ": " + (element == null ? "null" : "not an array"));
      }
      int at = b;
      out[b] = doubles(vector, i -> "x vector " + at + ", index " + i, failure);
    }
    return out;
  }

  /** The argument type of a job's {@code x}: one vector, or with {@code batch} a list of them. */
  static DataType xType(boolean batch) {
    DataType vector = DataTypes.createArrayType(DataTypes.DoubleType);
    return batch ? DataTypes.createArrayType(vector) : vector;
  }

  /** Whether a call's {@code x} argument is a batch: a list of lists. */
  static boolean isBatch(DataType x) {
    return x instanceof ArrayType a && a.elementType() instanceof ArrayType;
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
