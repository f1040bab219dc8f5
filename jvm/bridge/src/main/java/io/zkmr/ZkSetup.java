package io.zkmr;

import io.zkmr.proto.PartitionSetup;
import io.zkmr.proto.SetupFiles;
import java.util.List;

/**
 * Setup as a distributed job, for an engine that holds the matrix across machines: the driver
 * makes a {@link #plan}, each task commits the partition whose rows it holds ({@link
 * #commitPartition}) and writes that partition's file into the store, and the driver {@link
 * #finish}es with the store's other files, the manifest last. Every partition is committed by
 * the code {@code zkmr commit} runs, so the store is the one it makes: byte for byte under halo2,
 * up to the fresh blinding under Pedersen. Spark's {@code CommitMatrix} runs it.
 */
public final class ZkSetup {
  private ZkSetup() {}

  /**
   * The plan (a protobuf {@code SetupPlan}) for a {@code rows × cols} matrix, for every task.
   * {@code scaleBits} negative chooses 0 for an {@code integral} matrix and 16 otherwise; a
   * null {@code scheme} is pedersen; under halo2 a null {@code srsFile} is the insecure
   * development SRS. Under pedersen the plan holds the store's blinding seed: ship it to the
   * tasks that see the matrix, and nowhere else.
   */
  public static byte[] plan(
      String scheme, long rows, long cols, int scaleBits, boolean integral, int rowsPerPartition, String srsFile) {
    return NativeBridge.setupPlan(scheme, rows, cols, scaleBits, integral, rowsPerPartition, srsFile);
  }

  /**
   * Commits the partition whose rows {@code rowsIpc} holds ({@code row: int64, values:
   * list<number>}; every row of one partition, in any order): its file for the store and what
   * the driver combines.
   */
  public static PartitionSetup commitPartition(byte[] plan, byte[] rowsIpc) {
    return ZkStore.decode(() -> PartitionSetup.parseFrom(NativeBridge.setupPartition(plan, rowsIpc)));
  }

  /**
   * The store's remaining files (the manifest last) and the matrix commitment, from every
   * partition's {@link PartitionSetup} (their file contents may be left out).
   */
  public static SetupFiles finish(byte[] plan, List<byte[]> partitions) {
    byte[][] array = partitions.toArray(new byte[0][]);
    return ZkStore.decode(() -> SetupFiles.parseFrom(NativeBridge.setupFinish(plan, array)));
  }
}
