package io.zkmr.hadoop;

import io.zkmr.BatchFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The chunk files a batch job left beside its batch proof. */
final class ChunkFiles {
  private ChunkFiles() {}

  /** How many bundles {@code out/chunks} holds (checksum files aside). */
  static long count(Path out) throws IOException {
    try (Stream<Path> files = Files.list(out.resolve(BatchFile.CHUNKS_DIR))) {
      return files.filter(f -> f.getFileName().toString().endsWith(".bundle")).count();
    }
  }
}
