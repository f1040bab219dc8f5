package io.zkmr;

import io.zkmr.proto.ChainProved;
import io.zkmr.proto.ChainState;
import java.util.List;

/**
 * A chain (docs/chains.md) proved step by step on an engine: the driver opens it with the spec,
 * asks {@link #state()} for the next step's input and stage, has its tasks multiply that stage's
 * matrix by the input where the rows are ({@link ZkStore#multiplyRows(byte[], byte[], int,
 * int)} at the state's encoding), and hands their products to {@link #step}, which proves and
 * verifies the step. Every input is made natively from the last verified output, so the chain
 * proof {@link #finish} returns holds the steps and job roots {@code zkmr chain prove} makes from
 * the same stores, and {@code zkmr chain verify} checks it with the spec alone.
 *
 * <p>Not shared between threads: a driver runs one step at a time.
 */
public final class ZkChain implements AutoCloseable {
  private long handle;

  private ZkChain(long handle) {
    this.handle = handle;
  }

  /**
   * Starts the chain {@code spec} (its JSON, as {@code zkmr chain prove --spec} reads it) from the
   * spec's own first input ({@code "uniform"}); one of {@code stores} must hold the first stage's
   * matrix.
   */
  public static ZkChain open(String spec, List<ZkStore> stores) {
    return open(spec, stores, null);
  }

  /** {@link #open(String, List)} from the first input {@code xIpc} ({@link ArrowBatches#vector}). */
  public static ZkChain open(String spec, List<ZkStore> stores, byte[] xIpc) {
    return new ZkChain(openWith(spec, stores, new long[stores.size()], 0, xIpc));
  }

  /** Opens the chain with every store's handle held open for the call. */
  private static long openWith(String spec, List<ZkStore> stores, long[] handles, int k, byte[] xIpc) {
    if (k == stores.size()) {
      return NativeBridge.chainOpen(spec, handles, xIpc);
    }
    return stores.get(k).call(h -> {
      handles[k] = h;
      return openWith(spec, stores, handles, k + 1, xIpc);
    });
  }

  /** The next step: its input, encoding and stage's commitment, or {@code done}. */
  public ChainState state() {
    return ZkStore.decode(() -> ChainState.parseFrom(NativeBridge.chainState(live())));
  }

  /**
   * Proves the next step from every task's products (each task's {@code RowProducts} for the
   * input {@link #state()} gave) against {@code store}, the stage's matrix; returns the state
   * after it. A faulty task is named as the job names it, prefixed with the step.
   */
  public ChainState step(ZkStore store, List<byte[]> products) {
    byte[][] array = products.toArray(new byte[0][]);
    long chain = live();
    byte[] reply = store.call(h -> NativeBridge.chainStep(chain, h, array));
    return ZkStore.decode(() -> ChainState.parseFrom(reply));
  }

  /** The chain proof and output, once {@link #state()} says {@code done}. */
  public ChainProved finish() {
    return ZkStore.decode(() -> ChainProved.parseFrom(NativeBridge.chainFinish(live())));
  }

  private long live() {
    if (handle == 0) {
      throw new ZkmrException("the chain is closed");
    }
    return handle;
  }

  @Override
  public void close() {
    if (handle != 0) {
      NativeBridge.chainClose(handle);
      handle = 0;
    }
  }
}
