package io.zkmr.spark;

import io.zkmr.ArrowBatches;
import io.zkmr.ZkChain;
import io.zkmr.ZkStore;
import io.zkmr.ZkmrException;
import io.zkmr.proto.ChainProved;
import io.zkmr.proto.ChainState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chain (docs/chains.md: PageRank's iterations, an MLP's layers) proved on Spark: each step's
 * product is one map stage over the stage's matrix, rows or coordinate entries where Spark holds
 * them ({@link ZkJob}'s map step, no shuffle), and the driver proves the step from the tasks'
 * products. The driver never makes an input: the native chain makes each from the last verified
 * output, as the verifier will. The proof holds the steps and job roots {@code zkmr chain prove}
 * makes from the same stores, and {@code zkmr chain verify --spec S --proof P} checks it.
 *
 * <p>Each matrix is cached for the chain's duration (a repeated stage reads it once per
 * iteration). Needs a scheme that proves a job from {@code y} alone ({@link ZkStore#rowProducts}).
 */
public final class ZkChains {
  private static final Logger LOG = LoggerFactory.getLogger(ZkChains.class);

  private ZkChains() {}

  /**
   * What a chain proved: its output (vector after vector, decoded), the steps taken, whether
   * every repeated stage met its tolerance, each step's job root, and the chain proof's bytes.
   */
  public record Result(double[] output, int steps, boolean converged, String[] jobRoots, byte[] proof) {}

  /** {@link #prove(List, List, String)} for a chain over one matrix (PageRank's). */
  public static Result prove(Dataset<Row> matrix, String store, String spec) {
    return prove(List.of(matrix), List.of(store), spec);
  }

  /**
   * Proves the chain {@code spec} (its JSON) over {@code matrices}, each held by the key store at
   * the same place in {@code stores}; a stage's matrix is the one whose store commits to the
   * stage's commitment. The first input is the spec's own ({@code "uniform"}).
   */
  public static Result prove(List<Dataset<Row>> matrices, List<String> stores, String spec) {
    if (matrices.isEmpty() || matrices.size() != stores.size()) {
      throw failure(matrices.size() + " matrices for " + stores.size() + " key stores");
    }
    List<Dataset<Row>> cached = new ArrayList<>();
    for (Dataset<Row> m : matrices) {
      cached.add(ZkJob.matrixColumns(m).persist());
    }
    List<ZkStore> open = stores.stream().map(Stores::get).toList();
    try (ZkChain chain = ZkChain.open(spec, open)) {
      ChainState state = chain.state();
      while (!state.getDone()) {
        int stage = stageOf(state.getMatrixCommitment(), stores);
        String store = stores.get(stage);
        byte[] x = input(state);
        List<byte[]> products =
            ZkJob.products(cached.get(stage), x, state.getXScaleBits(), state.getXValueBits(), store);
        String step = state.getNextStep();
        state = chain.step(Stores.get(store), products);
        LOG.info("zkmr chain: {} proved, job root {}", step, state.getLastJobRoot());
      }
      ChainProved proved = chain.finish();
      return new Result(
          proved.getOutputList().stream().mapToDouble(Double::doubleValue).toArray(),
          proved.getSteps(),
          proved.getConverged(),
          proved.getJobRootsList().toArray(new String[0]),
          proved.getProof().toByteArray());
    } catch (ZkmrException e) {
      throw e.getMessage().startsWith("zkmr ") ? e : failure(e.getMessage());
    } finally {
      cached.forEach(Dataset::unpersist);
    }
  }

  private static int stageOf(String commitment, List<String> stores) {
    for (int k = 0; k < stores.size(); k++) {
      if (Stores.get(stores.get(k)).info().getMatrixCommitment().equals(commitment)) {
        return k;
      }
    }
    throw failure("no key store given holds matrix commitment " + commitment);
  }

  /** The state's input as the tasks take it: one vector, or a batch. */
  private static byte[] input(ChainState state) {
    double[] x = state.getXList().stream().mapToDouble(Double::doubleValue).toArray();
    int vectors = Math.max(1, state.getVectors());
    if (vectors == 1) {
      return ArrowBatches.vector(x);
    }
    int len = x.length / vectors;
    double[][] xs = new double[vectors][];
    for (int v = 0; v < vectors; v++) {
      xs[v] = Arrays.copyOfRange(x, v * len, (v + 1) * len);
    }
    return ArrowBatches.vectors(xs);
  }

  private static ZkmrException failure(String message) {
    return new ZkmrException("zkmr chain: " + message);
  }
}
