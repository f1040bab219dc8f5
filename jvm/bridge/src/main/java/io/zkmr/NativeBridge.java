package io.zkmr;

/**
 * The native methods, implemented by the {@code zkmr-jni} crate. Arrow IPC streams and bytes go
 * in, protobuf messages ({@code zkmr.v1}, in {@code io.zkmr.proto}) come out. Callers use
 * {@link ZkStore} and {@link Zkmr}, which own the handles and decode the replies.
 */
final class NativeBridge {
  static {
    NativeLoader.load();
  }

  private NativeBridge() {}

  static native long openStore(String dir, String commitment);

  static native long openStoreFrom(StoreFiles files, String commitment);

  static native void closeStore(long handle);

  static native byte[] storeInfo(long handle);

  static native byte[] commitMatrix(
      String dir,
      byte[] matrixIpc,
      String scheme,
      int rowsPerPartition,
      int scaleBits,
      String srsFile,
      boolean replace);

  static native byte[] setupPlan(
      String scheme,
      long rows,
      long cols,
      int scaleBits,
      boolean integral,
      int rowsPerPartition,
      String srsFile);

  static native byte[] setupPartition(byte[] plan, byte[] rowsIpc);

  static native byte[] setupFinish(byte[] plan, byte[][] partitions);

  static native byte[] provePartition(long handle, byte[] rowsIpc, byte[] xIpc, int xScaleBits);

  static native byte[] commitJob(long handle, byte[][] results, byte[] xIpc, int xScaleBits);

  static native byte[] multiplyRows(long handle, byte[] matrixIpc, byte[] xIpc, int xScaleBits, int xValueBits);

  static native byte[] commitProducts(long handle, byte[][] products, byte[] xIpc, int xScaleBits);

  static native byte[] proveVectors(long handle, byte[] xIpc, int xScaleBits);

  static native byte[] multiplyVectors(long handle, byte[] xIpc, int xScaleBits);

  static native byte[] batchEnds(byte[] chunks);

  static native long chainOpen(String spec, long[] stores, byte[] firstIpc);

  static native byte[] chainState(long chain);

  static native byte[] chainStep(long chain, long store, byte[][] products);

  static native byte[] chainFinish(long chain);

  static native void chainClose(long chain);

  static native byte[] verify(byte[] bundle, String commitment, byte[] xIpc, String xDigest);

  static native byte[] openPartition(long handle, byte[] bundle, int partition);

  static native byte[] verifyOpening(
      byte[] opening, String commitment, byte[] xIpc, String xDigest, String jobRoot);
}
