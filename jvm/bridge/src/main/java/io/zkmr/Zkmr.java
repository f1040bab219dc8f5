package io.zkmr;

import io.zkmr.proto.FixedPoint;
import io.zkmr.proto.StoreInfo;
import io.zkmr.proto.Verification;
import java.nio.file.Path;
import java.util.List;

/** Setup and verification, the steps that need no open key store. */
public final class Zkmr {
  private Zkmr() {}

  /**
   * How {@link #commitMatrix} commits the matrix: the scheme ({@code "pedersen"}, the default, or
   * {@code "halo2"}), how it cuts and encodes the matrix, and, under halo2, which SRS it keys
   * under (a null {@code srsFile} is the insecure development SRS; pedersen takes none).
   */
  public record CommitSettings(
      String scheme, int rowsPerPartition, int scaleBits, Path srsFile, boolean replace) {
    /** The pedersen scheme, 64 rows per partition, the encoding chosen from the values. */
    public static CommitSettings defaults() {
      return new CommitSettings("pedersen", 64, -1, null, false);
    }

    /** The halo2 scheme under the insecure development SRS; otherwise as {@link #defaults}. */
    public static CommitSettings halo2Development() {
      return new CommitSettings("halo2", 64, -1, null, false);
    }

    public CommitSettings withRowsPerPartition(int rows) {
      return new CommitSettings(scheme, rows, scaleBits, srsFile, replace);
    }

    public CommitSettings replacing() {
      return new CommitSettings(scheme, rowsPerPartition, scaleBits, srsFile, true);
    }
  }

  /**
   * Setup, once per matrix: makes the key store in {@code dir} for the matrix in {@code
   * matrixIpc} ({@code row: int64, values: list<number>}, every row once) and returns it with
   * its matrix commitment, under the settings' scheme.
   */
  public static StoreInfo commitMatrix(Path dir, byte[] matrixIpc, CommitSettings settings) {
    return ZkStore.decode(
        () ->
            StoreInfo.parseFrom(
                NativeBridge.commitMatrix(
                    dir.toString(),
                    matrixIpc,
                    settings.scheme(),
                    settings.rowsPerPartition(),
                    settings.scaleBits(),
                    settings.srsFile() == null ? null : settings.srsFile().toString(),
                    settings.replace())));
  }

  /**
   * Checks untrusted bundle bytes against a trusted {@code 0x}-hex matrix commitment, whatever
   * {@code x} they prove: the verdict names it ({@code x}, {@code x_encoding}, {@code x_digest}).
   * A malformed or tampered bundle is a rejection with its reason; a commitment that is not hex
   * throws. A relying party that asked about one {@code x} passes it too.
   */
  public static Verification verify(byte[] bundle, String commitment) {
    return verify(bundle, commitment, Expected.anything());
  }

  /** {@link #verify(byte[], String)} for the vector {@code x}: a proof for another is rejected. */
  public static Verification verify(byte[] bundle, String commitment, double[] x) {
    return verify(bundle, commitment, Expected.x(x));
  }

  /** {@link #verify(byte[], String)} for the batch {@code x}, one vector per row. */
  public static Verification verify(byte[] bundle, String commitment, double[][] x) {
    return verify(bundle, commitment, Expected.x(x));
  }

  /** {@link #verify(byte[], String)} for the {@code x} whose digest is {@code xDigest}. */
  public static Verification verify(byte[] bundle, String commitment, String xDigest) {
    return verify(bundle, commitment, Expected.xDigest(xDigest));
  }

  /**
   * {@link #verify(byte[], String)} against what the caller {@code expected}: a bundle for
   * another {@code x} is a rejection whose reason starts {@code rejected: x:}. A digest that is
   * not hex throws.
   */
  public static Verification verify(byte[] bundle, String commitment, Expected expected) {
    return ZkStore.decode(
        () ->
            Verification.parseFrom(
                NativeBridge.verify(bundle, commitment, expected.xIpc(), expected.xDigest())));
  }

  /**
   * Checks untrusted partition-opening bytes ({@link ZkStore#openPartition}) against a trusted
   * {@code 0x}-hex matrix commitment, so a third party can accept one partition's {@code y}
   * block without the bundle or the key store. When it holds, the verdict's job root is the
   * root of the job the partition belongs to, to compare with the one published, {@code
   * partitions} is 1 and {@code index}, {@code row_start} and {@code row_end} say which rows
   * {@code y} holds. A malformed or tampered opening is a rejection with its reason; a
   * commitment that is not hex throws.
   */
  public static Verification verifyOpening(byte[] opening, String commitment) {
    return verifyOpening(opening, commitment, Expected.anything());
  }

  /**
   * {@link #verifyOpening(byte[], String)} for the vector {@code x} and the job root {@code
   * jobRoot} (64 hex digits), either null when not checked.
   */
  public static Verification verifyOpening(
      byte[] opening, String commitment, double[] x, String jobRoot) {
    Expected expected = x == null ? Expected.anything() : Expected.x(x);
    return verifyOpening(opening, commitment, expected.withJobRoot(jobRoot));
  }

  /** {@link #verifyOpening(byte[], String)} against what the caller {@code expected}. */
  public static Verification verifyOpening(byte[] opening, String commitment, Expected expected) {
    return ZkStore.decode(
        () ->
            Verification.parseFrom(
                NativeBridge.verifyOpening(
                    opening,
                    commitment,
                    expected.xIpc(),
                    expected.xDigest(),
                    expected.jobRoot())));
  }

  /**
   * Fixed-point values decoded: {@code encoded[i] / 2^scale_bits}, exactly. A verdict's and a
   * job's {@code x} are encoded as proved; this gives the numbers back.
   */
  public static double[] decode(List<Long> encoded, FixedPoint encoding) {
    double[] out = new double[encoded.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.scalb((double) encoded.get(i), -encoding.getScaleBits());
    }
    return out;
  }
}
