package io.zkmr;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.zkmr.proto.ChunkOutput;
import io.zkmr.proto.JobOutput;
import io.zkmr.proto.PartitionOutput;
import io.zkmr.proto.RowProducts;
import io.zkmr.proto.StoreInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * An open key store: the matrix commitment, the SRS and each partition's keys, read once and
 * held by the native library until {@link #close()}. Safe to share between threads; closing
 * waits for calls in flight, and a call after closing fails rather than touching freed memory.
 */
public final class ZkStore implements AutoCloseable {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final StoreInfo info;
  private long handle;

  private ZkStore(long handle) {
    this.handle = handle;
    this.info = decode(() -> StoreInfo.parseFrom(NativeBridge.storeInfo(handle)));
  }

  /** Opens the key store in {@code dir}, whatever matrix it commits to. */
  public static ZkStore open(Path dir) {
    return open(dir, null);
  }

  /**
   * Opens the key store in {@code dir}, refusing it unless it commits to {@code commitment}
   * (64 hex digits; null: any), the commitment its holder published: a store replaced or
   * rewritten since is refused before anything is proved from it.
   */
  public static ZkStore open(Path dir, String commitment) {
    return new ZkStore(NativeBridge.openStore(dir.toString(), commitment));
  }

  /**
   * Opens the key store whose files {@code files} reads: a store on HDFS or another Hadoop file
   * system ({@link HadoopStoreFiles}), read as the scheme needs each file rather than copied.
   */
  public static ZkStore open(StoreFiles files) {
    return open(files, null);
  }

  /** {@link #open(StoreFiles)}, refusing a store that does not commit to {@code commitment}. */
  public static ZkStore open(StoreFiles files, String commitment) {
    return new ZkStore(NativeBridge.openStoreFrom(files, commitment));
  }

  /** The matrix, its partitioning and commitment. */
  public StoreInfo info() {
    return info;
  }

  /**
   * Proves the partition whose rows {@code rows} holds ({@code row: int64, values:
   * list<number>}; every row of one partition, in any order) for the vector {@code x}, encoded
   * at {@code xScaleBits} (negative: 0 for integers, 16 otherwise).
   */
  public PartitionOutput provePartition(byte[] rowsIpc, byte[] xIpc, int xScaleBits) {
    return call(
        h -> decode(() -> PartitionOutput.parseFrom(NativeBridge.provePartition(h, rowsIpc, xIpc, xScaleBits))));
  }

  /** {@link #provePartition(byte[], byte[], int)} for an Arrow batch and a vector of doubles. */
  public PartitionOutput provePartition(VectorSchemaRoot rows, double[] x, int xScaleBits) {
    return provePartition(ArrowBatches.ipc(rows), ArrowBatches.vector(x), xScaleBits);
  }

  /**
   * The reduce step for the job's vector {@code xIpc} at {@code xScaleBits}, as the driver holds
   * them (the arguments every task was given), never as a task reports them: verifies every
   * partition's result against this store's commitment and that {@code x}, and assembles {@code
   * y}, the job root and the bundle. Each partition must appear exactly once; a task that proved
   * another {@code x} is rejected, naming its partition.
   */
  public JobOutput commitJob(List<byte[]> results, byte[] xIpc, int xScaleBits) {
    byte[][] array = results.toArray(new byte[0][]);
    return call(
        h -> decode(() -> JobOutput.parseFrom(NativeBridge.commitJob(h, array, xIpc, xScaleBits))));
  }

  /** {@link #commitJob(List, byte[], int)} for a vector of doubles. */
  public JobOutput commitJob(List<byte[]> results, double[] x, int xScaleBits) {
    return commitJob(results, ArrowBatches.vector(x), xScaleBits);
  }

  /**
   * Whether this store's scheme proves a job at the reduce step from {@code y} alone, so that a
   * task may multiply any rows it holds ({@link #multiplyRows}) and send only their products:
   * an engine then needs no shuffle. When false, each task proves whole partitions ({@link
   * #provePartition}).
   */
  public boolean rowProducts() {
    return info.getRowProducts();
  }

  /**
   * A task's step of a job without a shuffle: checks the rows {@code rowsIpc} holds ({@code row:
   * int64, values: list<number>}; any rows of the matrix, in any order) against the committed
   * matrix, naming a row and column that differ, and multiplies them by the job's vectors
   * {@code xIpc} ({@link ArrowBatches#vector} or {@link ArrowBatches#vectors}) at {@code
   * xScaleBits} (negative: 0 for integers, 16 otherwise).
   */
  public RowProducts multiplyRows(byte[] rowsIpc, byte[] xIpc, int xScaleBits) {
    return multiplyRows(rowsIpc, xIpc, xScaleBits, -1);
  }

  /**
   * {@link #multiplyRows(byte[], byte[], int)} for rows ({@link ArrowBatches#rows}) or coordinate
   * entries ({@link ArrowBatches#entries}; a row's entries may be spread over several tasks, whose
   * partial sums the reducer adds), with {@code x} encoded at {@code xValueBits} too (negative:
   * the default): a chain's steps take their input at the chain's encoding ({@link ZkChain}).
   */
  public RowProducts multiplyRows(byte[] matrixIpc, byte[] xIpc, int xScaleBits, int xValueBits) {
    return call(
        h -> decode(() -> RowProducts.parseFrom(NativeBridge.multiplyRows(h, matrixIpc, xIpc, xScaleBits, xValueBits))));
  }

  /**
   * The reduce step of a job without a shuffle, for the job's vectors as the driver holds them:
   * checks that every task multiplied this matrix by them (a task that used another {@code x}
   * is named) and that every row was multiplied once, proves the job and verifies the bundle.
   * The bundle and job root are those {@link #commitJob} gives for the same job.
   */
  public JobOutput commitProducts(List<byte[]> products, byte[] xIpc, int xScaleBits) {
    byte[][] array = products.toArray(new byte[0][]);
    return call(
        h -> decode(() -> JobOutput.parseFrom(NativeBridge.commitProducts(h, array, xIpc, xScaleBits))));
  }

  /**
   * Proves {@code Y = A X} for the vectors {@code xIpc} ({@link ArrowBatches#vectors}, or one
   * {@link ArrowBatches#vector}) with one proof, here, and verifies it: one chunk of a batch
   * proved where its inputs are (docs/batches.md), its bundle as the bytes to write. Needs the
   * store's secret, which this process reads.
   */
  public ChunkOutput proveVectors(byte[] xIpc, int xScaleBits) {
    return call(h -> decode(() -> aliased(NativeBridge.proveVectors(h, xIpc, xScaleBits))));
  }

  /**
   * A chunk's reply, its bundle a view of the reply's array rather than a copy: a chunk's bundle
   * is hundreds of megabytes, and an executor's heap holds the reply once.
   */
  private static ChunkOutput aliased(byte[] reply) throws InvalidProtocolBufferException {
    CodedInputStream in = CodedInputStream.newInstance(reply);
    in.enableAliasing(true);
    return ChunkOutput.parser().parseFrom(in);
  }

  /**
   * {@code Y = A X} for the vectors, as {@link #proveVectors} computes it but with no proof: a
   * {@code ChunkOutput} with {@code y} and {@code vectors} only. What a batch job's cost is set
   * beside.
   */
  public ChunkOutput multiplyVectors(byte[] xIpc, int xScaleBits) {
    return call(h -> decode(() -> ChunkOutput.parseFrom(NativeBridge.multiplyVectors(h, xIpc, xScaleBits))));
  }

  /**
   * One partition of a job shown alone to a third party: the protobuf {@code PartitionOpening}
   * of partition {@code partition} of {@code bundle}, which {@link Zkmr#verifyOpening} checks
   * against the matrix commitment without the rest of the job. It needs this store because its
   * proof is made with the store's secret, and the store first verifies the whole bundle, so no
   * opening is ever made for a job that does not hold. Pedersen stores only: under halo2 every
   * partition of a bundle carries its own proof already, and a halo2 store throws saying so.
   */
  public byte[] openPartition(byte[] bundle, int partition) {
    return call(h -> NativeBridge.openPartition(h, bundle, partition));
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (handle != 0) {
        NativeBridge.closeStore(handle);
        handle = 0;
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  interface Call<T> {
    T apply(long handle);
  }

  /** Runs {@code call} on the open store's handle, which stays open until it returns. */
  <T> T call(Call<T> call) {
    lock.readLock().lock();
    try {
      if (handle == 0) {
        throw new ZkmrException("the key store " + info.getDir() + " is closed");
      }
      return call.apply(handle);
    } finally {
      lock.readLock().unlock();
    }
  }

  interface Parse<T> {
    T parse() throws InvalidProtocolBufferException;
  }

  static <T> T decode(Parse<T> parse) {
    try {
      return parse.parse();
    } catch (InvalidProtocolBufferException e) {
      throw new ZkmrException("the native library sent a malformed reply: " + e.getMessage(), e);
    }
  }
}
