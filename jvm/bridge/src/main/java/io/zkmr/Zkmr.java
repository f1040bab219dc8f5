package io.zkmr;

import io.zkmr.proto.StoreInfo;
import io.zkmr.proto.Verification;
import java.nio.file.Path;

/** Setup and verification, the steps that need no open key store. */
public final class Zkmr {
  private Zkmr() {}

  /** How {@link #commitMatrix} cuts and encodes the matrix, and which SRS it keys under. */
  public record CommitSettings(int rowsPerPartition, int scaleBits, Path srsFile, boolean replace) {
    /** 64 rows per partition, the encoding chosen from the values, the development SRS. */
    public static CommitSettings development() {
      return new CommitSettings(64, -1, null, false);
    }

    public CommitSettings withRowsPerPartition(int rows) {
      return new CommitSettings(rows, scaleBits, srsFile, replace);
    }

    public CommitSettings replacing() {
      return new CommitSettings(rowsPerPartition, scaleBits, srsFile, true);
    }
  }

  /**
   * Setup, once per matrix: makes the key store in {@code dir} for the matrix in {@code
   * matrixIpc} ({@code row: int64, values: list<number>}, every row once) and returns it with
   * its matrix commitment. A null {@code srsFile} keys under the insecure development SRS.
   */
  public static StoreInfo commitMatrix(Path dir, byte[] matrixIpc, CommitSettings settings) {
    return ZkStore.decode(
        () ->
            StoreInfo.parseFrom(
                NativeBridge.commitMatrix(
                    dir.toString(),
                    matrixIpc,
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
}
