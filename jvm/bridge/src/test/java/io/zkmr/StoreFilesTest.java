package io.zkmr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmr.proto.PartitionOutput;
import io.zkmr.testing.Fixture;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key store read through {@link StoreFiles}, as the engines read one from HDFS: the native
 * library asks for each file when it needs it, checks it against the manifest, and turns a
 * failing or lying source into a {@link ZkmrException} naming the file.
 */
class StoreFilesTest {
  static final int PER = 4;
  @TempDir static Path dir;
  static Fixture fixture;

  @BeforeAll
  static void commit() {
    fixture = Fixture.random(10, 7, 5);
    Zkmr.commitMatrix(
        dir.resolve("keys"),
        ArrowBatches.rows(fixture.rowIndices(), fixture.matrix),
        Zkmr.CommitSettings.defaults().withRowsPerPartition(PER));
  }

  /** The store in {@code dir/keys}, counting reads; {@code change} edits a file's bytes. */
  static final class Recording implements StoreFiles {
    final Map<String, Integer> reads = new ConcurrentHashMap<>();
    final Map<String, UnaryOperator<byte[]>> change = new ConcurrentHashMap<>();

    @Override
    public String location() {
      return "test://keys";
    }

    @Override
    public byte[] read(String name) throws IOException {
      reads.merge(name, 1, Integer::sum);
      Path file = dir.resolve("keys").resolve(name);
      if (!Files.exists(file)) {
        throw new FileNotFoundException(name + " (no such file in the test store)");
      }
      return change.getOrDefault(name, b -> b).apply(Files.readAllBytes(file));
    }
  }

  static PartitionOutput prove(ZkStore store, int partition) {
    int start = partition * PER;
    int end = Math.min(fixture.matrix.length, start + PER);
    long[] rows = new long[end - start];
    double[][] values = new double[end - start][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = start + i;
      values[i] = fixture.matrix[start + i];
    }
    return store.provePartition(ArrowBatches.rows(rows, values), ArrowBatches.vector(fixture.x), -1);
  }

  @Test
  void aTaskReadsTheManifestAndItsOwnPartitionOnlyAndProvesAsFromTheDirectory() {
    Recording files = new Recording();
    try (ZkStore remote = ZkStore.open(files);
        ZkStore local = ZkStore.open(dir.resolve("keys"))) {
      assertEquals(local.info().getMatrixCommitment(), remote.info().getMatrixCommitment());
      assertEquals("test://keys", remote.info().getDir());
      PartitionOutput out = prove(remote, 1);
      PartitionOutput direct = prove(local, 1);
      assertEquals(direct.getLeaf(), out.getLeaf());
      assertEquals(direct.getYList(), out.getYList());
      assertEquals(direct.getResult().getProof(), out.getResult().getProof());
      assertEquals(Map.of("manifest.json", 1, "partitions/000001.part", 1), files.reads);
      // Proving it again reads nothing more: the executor keeps the block.
      prove(remote, 1);
      assertEquals(Map.of("manifest.json", 1, "partitions/000001.part", 1), files.reads);
    }
  }

  /**
   * A store whose files were rewritten for another matrix (here: a manifest naming another
   * commitment) is refused when its holder's published commitment is given.
   */
  @Test
  void aStoreThatCommitsToAnotherMatrixIsRefusedWhereverItsFilesAre() {
    String published;
    try (ZkStore local = ZkStore.open(dir.resolve("keys"))) {
      published = local.info().getMatrixCommitment();
    }
    try (ZkStore pinned = ZkStore.open(new Recording(), published)) {
      assertEquals(published, pinned.info().getMatrixCommitment());
    }
    String other = (published.charAt(0) == 'a' ? "b" : "a") + published.substring(1);
    ZkmrException refused = assertThrows(ZkmrException.class, () -> ZkStore.open(new Recording(), other));
    assertTrue(refused.getMessage().contains("test://keys"), refused.getMessage());
    assertTrue(refused.getMessage().contains("not the expected commitment " + other), refused.getMessage());
  }

  @Test
  void aFileTheSourceCannotFindOrChangesOrThrowsOnIsAnErrorNamingIt() {
    Recording files = new Recording();
    files.change.put(
        "partitions/000000.part",
        b -> {
          b[b.length / 2] ^= 1;
          return b;
        });
    files.change.put(
        "partitions/000002.part",
        b -> {
          throw new IllegalStateException("the file system fell over");
        });
    try (ZkStore store = ZkStore.open(files)) {
      ZkmrException changed = assertThrows(ZkmrException.class, () -> prove(store, 0));
      assertTrue(changed.getMessage().contains("test://keys/partitions/000000.part"), changed.getMessage());
      assertTrue(changed.getMessage().contains("not the file the store's manifest lists"), changed.getMessage());
      ZkmrException thrown = assertThrows(ZkmrException.class, () -> prove(store, 2));
      assertTrue(thrown.getMessage().contains("the file system fell over"), thrown.getMessage());
      // The store is still usable after both.
      assertEquals(1, prove(store, 1).getIndex());
    }
    ZkmrException missing =
        assertThrows(
            ZkmrException.class,
            () ->
                ZkStore.open(
                    new StoreFiles() {
                      @Override
                      public String location() {
                        return "test://nothing";
                      }

                      @Override
                      public byte[] read(String name) throws IOException {
                        throw new FileNotFoundException(name);
                      }
                    }));
    assertTrue(missing.getMessage().contains("test://nothing/manifest.json"), missing.getMessage());
  }
}
