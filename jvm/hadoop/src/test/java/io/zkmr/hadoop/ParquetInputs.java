package io.zkmr.hadoop;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * A batch job's inputs as Parquet, in the layout {@code zkmr prove --vectors} reads ({@code row:
 * int64}, {@code values: list<double>}, three-level), and the plain products they must give.
 */
final class ParquetInputs {
  static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          "message inputs { required int64 row; required group values (LIST) {"
              + " repeated group list { required double element; } } }");

  private ParquetInputs() {}

  /** {@code count} vectors of {@code cols} values with 8 fractional bits, encoded exactly. */
  static double[][] random(int count, int cols, long seed) {
    Random random = new Random(seed);
    double[][] inputs = new double[count][cols];
    for (double[] x : inputs) {
      for (int j = 0; j < cols; j++) {
        x[j] = (random.nextInt(4096) - 2048) / 256.0;
      }
    }
    return inputs;
  }

  /** Inputs {@code from..to} (their indices as ids) to {@code file}, input {@code shortened} one entry short. */
  static void write(Path file, double[][] inputs, int from, int to, int shortened) throws IOException {
    Configuration conf = new Configuration();
    SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file.toString());
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(HadoopOutputFile.fromPath(path, conf)).withType(SCHEMA).withConf(conf).build()) {
      for (int i = from; i < to; i++) {
        Group record = groups.newGroup().append("row", (long) i);
        Group values = record.addGroup("values");
        int n = i == shortened ? inputs[i].length - 1 : inputs[i].length;
        for (int j = 0; j < n; j++) {
          values.addGroup("list").append("element", inputs[i][j]);
        }
        writer.write(record);
      }
    }
  }

  /** {@code A x} in plain double arithmetic (exact for these values). */
  static double[] product(double[][] matrix, double[] x) {
    double[] y = new double[matrix.length];
    for (int i = 0; i < y.length; i++) {
      for (int j = 0; j < x.length; j++) {
        y[i] += matrix[i][j] * x[j];
      }
    }
    return y;
  }
}
