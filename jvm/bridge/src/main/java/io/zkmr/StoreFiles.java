package io.zkmr;

import java.io.IOException;

/**
 * The files of a key store, read by the JVM for the native library: how a store on HDFS, an
 * object store or any other Hadoop file system reaches the prover without being copied to the
 * worker's disk. The native library calls {@link #read} when the scheme first needs a file (a
 * map task reads the manifest and its own partition, the reduce step the matrix key) and checks
 * every file against the digests in the store's manifest, so an implementation is trusted for
 * nothing but availability. {@link HadoopStoreFiles} is the one the engines use.
 *
 * <p>Implementations are called from native threads as well as the caller's, and must be safe
 * to call concurrently.
 */
public interface StoreFiles {
  /** The store's location as its user named it (a URI or a path), for messages. */
  String location();

  /**
   * The whole file {@code name}, relative to the store and {@code /}-separated (for example
   * {@code manifest.json} or {@code partitions/000003.part}).
   *
   * @throws java.io.FileNotFoundException when the store has no such file
   */
  byte[] read(String name) throws IOException;
}
