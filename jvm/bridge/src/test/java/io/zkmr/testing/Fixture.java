package io.zkmr.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.zkmr.proto.Bundle;
import io.zkmr.proto.PartitionProof;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A random float matrix and vector, the plain double-precision product to check against, and
 * the reference run: the {@code zkmr} CLI proving the same vector over the same key store in one
 * process.
 */
public final class Fixture {
  public final double[][] matrix;
  public final double[] x;

  private Fixture(double[][] matrix, double[] x) {
    this.matrix = matrix;
    this.x = x;
  }

  /** Values in [-8, 8) with 8 fractional bits: floats, encoded exactly at the default scale. */
  public static Fixture random(int rows, int cols, long seed) {
    Random random = new Random(seed);
    double[][] m = new double[rows][cols];
    for (double[] row : m) {
      for (int j = 0; j < cols; j++) {
        row[j] = (random.nextInt(4096) - 2048) / 256.0;
      }
    }
    double[] x = new double[cols];
    for (int j = 0; j < cols; j++) {
      x[j] = (random.nextInt(4096) - 2048) / 256.0;
    }
    return new Fixture(m, x);
  }

  public long[] rowIndices() {
    long[] rows = new long[matrix.length];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = i;
    }
    return rows;
  }

  /** {@code A x} in plain double arithmetic. */
  public double[] expectedY() {
    double[] y = new double[matrix.length];
    for (int i = 0; i < matrix.length; i++) {
      for (int j = 0; j < x.length; j++) {
        y[i] += matrix[i][j] * x[j];
      }
    }
    return y;
  }

  /** One matrix row per line: {@code row,v0,v1,...}, the Hadoop job's text input. */
  public Path writeCsv(Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < matrix.length; i++) {
      StringBuilder line = new StringBuilder().append(i);
      for (double v : matrix[i]) {
        line.append(',').append(v);
      }
      lines.add(line.toString());
    }
    return Files.write(file, lines, StandardCharsets.UTF_8);
  }

  /** The vector as a JSON array. */
  public Path writeVector(Path file) throws IOException {
    return Files.writeString(file, array(x));
  }

  private static String array(double[] values) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      s.append(i == 0 ? "" : ",").append(values[i]);
    }
    return s.append(']').toString();
  }

  /**
   * {@code bundle} with the first entry of partition {@code partition}'s y block off by one: still
   * well-formed (the block's first byte is its width, the next the first entry's lowest; a
   * change of the lowest bit never changes the width an entry needs), so what refuses it is the
   * proof check rather than the decoder.
   */
  public static byte[] withYChanged(byte[] bundle, int partition)
      throws InvalidProtocolBufferException {
    Bundle parsed = Bundle.parseFrom(bundle);
    PartitionProof part = parsed.getPartitions(partition);
    byte[] y = part.getY().toByteArray();
    y[1] ^= 1;
    return parsed.toBuilder()
        .setPartitions(partition, part.toBuilder().setY(ByteString.copyFrom(y)))
        .build()
        .toByteArray();
  }

  /** What {@code zkmr prove} printed. */
  public record Run(String matrixCommitment, String jobRoot, double[] y) {}

  /**
   * Runs {@code zkmr prove --keys STORE --vector ... --json} from the repository's release build:
   * the same key store, so the same commitment, and the same job root an engine must produce.
   */
  public Run zkmrProve(Path dir, Path store) throws IOException, InterruptedException {
    Path vector = writeVector(dir.resolve("reference-x.json"));
    Path zkmr = Path.of(System.getProperty("zkmr.native.dir", "target/release"), "zkmr");
    Process process =
        new ProcessBuilder(
                zkmr.toString(),
                "prove",
                "--keys",
                store.toString(),
                "--vector",
                vector.toString(),
                "--json",
                "--out",
                dir.resolve("reference.bundle").toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String json = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IllegalStateException("zkmr prove failed: " + json);
    }
    return new Run(field(json, "matrix_commitment"), field(json, "job_root"), numbers(json, "y"));
  }

  /** What a run of the {@code zkmr} CLI printed on stdout, and its exit status. */
  public record Cli(int exit, String stdout) {}

  /** Runs the repository's release {@code zkmr} with {@code args}; its stderr goes to the test's. */
  public static Cli zkmr(String... args) throws IOException, InterruptedException {
    Path zkmr = Path.of(System.getProperty("zkmr.native.dir", "target/release"), "zkmr");
    List<String> command = new ArrayList<>(List.of(zkmr.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("zkmr " + String.join(" ", args) + " did not finish");
    }
    return new Cli(process.exitValue(), out);
  }

  /** A MapReduce job's inputs, as the Hadoop suites set them up. */
  public record CsvJob(io.zkmr.proto.StoreInfo info, Run reference) {}

  /**
   * Commits this matrix (pedersen, 64 rows per partition) into {@code dir/keys}, proves it
   * there with {@code zkmr prove}, and writes the matrix as {@code dir/matrix.csv} and the
   * vector as {@code dir/x.json}: the inputs of a MapReduce job and the run it must match.
   */
  public CsvJob csvJob(Path dir) throws IOException, InterruptedException {
    io.zkmr.proto.StoreInfo info =
        io.zkmr.Zkmr.commitMatrix(
            dir.resolve("keys"), io.zkmr.ArrowBatches.rows(rowIndices(), matrix), io.zkmr.Zkmr.CommitSettings.defaults());
    Run reference = zkmrProve(dir, dir.resolve("keys"));
    if (!reference.matrixCommitment().equals(info.getMatrixCommitment())) {
      throw new IllegalStateException("zkmr prove used another commitment than the store's");
    }
    writeCsv(dir.resolve("matrix.csv"));
    writeVector(dir.resolve("x.json"));
    return new CsvJob(info, reference);
  }

  /** The string field {@code name} of a flat JSON object. */
  public static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in " + json);
    }
    return m.group(1);
  }

  /** The number array {@code name} of a flat JSON object. */
  public static double[] numbers(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\\[([^\\]]*)\\]").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in " + json);
    }
    String[] parts = m.group(1).trim().split("\\s*,\\s*");
    double[] out = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = Double.parseDouble(parts[i].trim());
    }
    return out;
  }
}
