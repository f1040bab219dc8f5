package io.zkmr;

import io.zkmr.proto.StoreInfo;
import io.zkmr.proto.Verification;
import java.nio.file.Path;

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
   * Checks untrusted bundle bytes against a trusted {@code 0x}-hex matrix commitment. A
   * malformed or tampered bundle is a rejection with its reason; a commitment that is not hex
   * throws.
   */
  public static Verification verify(byte[] bundle, String commitment) {
    return ZkStore.decode(() -> Verification.parseFrom(NativeBridge.verify(bundle, commitment)));
  }

  /**
   * Checks untrusted partition-opening bytes ({@link ZkStore#openPartition}) against a trusted
   * {@code 0x}-hex matrix commitment, so a third party can accept one partition's {@code y}
   * block without the bundle or the key store. When it holds, the verdict's job root is the
   * root of the job the partition belongs to, to compare with the one published, and {@code
   * partitions} is 1. A malformed or tampered opening is a rejection with its reason; a
   * commitment that is not hex throws.
   */
  public static Verification verifyOpening(byte[] opening, String commitment) {
    return ZkStore.decode(
        () -> Verification.parseFrom(NativeBridge.verifyOpening(opening, commitment)));
  }
}
