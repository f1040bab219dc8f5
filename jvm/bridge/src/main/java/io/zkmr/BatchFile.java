package io.zkmr;

import com.google.protobuf.ByteString;
import io.zkmr.proto.BatchChunk;
import io.zkmr.proto.BatchChunks;
import io.zkmr.proto.BatchEnds;
import io.zkmr.proto.BatchRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A batch proof file (docs/batches.md) written by a driver whose chunks were proved elsewhere:
 * the magic word, the header, a record per chunk in the batch's order naming the file its task
 * wrote beside the batch proof, the trailer with the batch root. {@code zkmr verify} reads each
 * chunk's bundle from its file and checks it as if the batch proof held it.
 *
 * <p>The driver never reads a bundle: its cost is a record per chunk, however large the chunks.
 * The verifier checks every bundle and every count; the driver trusts its tasks for neither.
 */
public final class BatchFile {
  private static final byte[] MAGIC = "zkmrbat1".getBytes(StandardCharsets.US_ASCII);

  /** Where the tasks of a batch write their chunks' bundles, under the batch's directory. */
  public static final String CHUNKS_DIR = "chunks";

  /**
   * One chunk as its task reported it: its input count, its verified bundle's job root, and the
   * file holding the bundle's encoded bytes, as a path relative to the batch's directory ({@code
   * chunks/NAME}).
   */
  public record Chunk(long count, String jobRoot, String file) {}

  private BatchFile() {}

  /**
   * Writes the batch of {@code chunks} (in order) for the matrix behind {@code commitment} (hex)
   * to {@code out}, which must end up in the directory the chunks' files are named from; returns
   * the batch's header and trailer, whose root names it.
   */
  public static BatchEnds write(OutputStream out, String commitment, List<Chunk> chunks) throws IOException {
    BatchChunks.Builder listed = BatchChunks.newBuilder().setMatrixCommitment(ByteString.copyFrom(hex(commitment)));
    for (Chunk c : chunks) {
      listed.addCounts(c.count()).addJobRoots(ByteString.copyFrom(hex(c.jobRoot())));
    }
    BatchEnds ends =
        ZkStore.decode(() -> BatchEnds.parseFrom(NativeBridge.batchEnds(listed.build().toByteArray())));
    out.write(MAGIC);
    record(out, BatchRecord.newBuilder().setHeader(ends.getHeader()).build());
    long first = 0;
    for (int j = 0; j < chunks.size(); j++) {
      BatchChunk chunk = BatchChunk.newBuilder().setIndex(j).setFirst(first).setFile(chunks.get(j).file()).build();
      record(out, BatchRecord.newBuilder().setChunk(chunk).build());
      first += chunks.get(j).count();
    }
    record(out, BatchRecord.newBuilder().setTrailer(ends.getTrailer()).build());
    return ends;
  }

  /**
   * Writes a chunk's {@code bundle} (its encoded bytes, as the native library returned them) to
   * the file {@code name} under {@code dir}'s {@link #CHUNKS_DIR}, which must not exist yet: each
   * task attempt names its own. Returns the path the batch proof names it by, relative to {@code
   * dir}. A local file system is written without Hadoop's checksum files: a bundle is checked
   * whole by its proof, and a CRC for every 512 bytes of it adds nothing to that and costs a
   * chunk's task a pass over its largest output.
   */
  public static String writeChunk(Path dir, String name, ByteString bundle, Configuration conf) throws IOException {
    String file = CHUNKS_DIR + "/" + name;
    Path path = new Path(dir, file);
    FileSystem fs = path.getFileSystem(conf);
    if (fs instanceof LocalFileSystem local) {
      fs = local.getRaw();
    }
    try (OutputStream out = fs.create(path, false)) {
      bundle.writeTo(out);
    }
    return file;
  }

  /**
   * Removes the files under {@code dir}'s {@link #CHUNKS_DIR} that {@code chunks} do not name:
   * those of task attempts that failed or lost to a speculative copy.
   */
  public static void removeUnlisted(FileSystem fs, Path dir, List<Chunk> chunks) throws IOException {
    Path written = new Path(dir, CHUNKS_DIR);
    if (!fs.exists(written)) {
      return;
    }
    Set<String> listed = new HashSet<>();
    for (Chunk c : chunks) {
      listed.add(c.file());
    }
    for (FileStatus file : fs.listStatus(written)) {
      if (!listed.contains(CHUNKS_DIR + "/" + file.getPath().getName())) {
        fs.delete(file.getPath(), true);
      }
    }
  }

  /** One record: its length as 8 little-endian bytes, then its bytes. */
  private static void record(OutputStream out, BatchRecord record) throws IOException {
    byte[] bytes = record.toByteArray();
    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(bytes.length).array());
    out.write(bytes);
  }

  /** A digest as the native library prints it (64 hex digits), as bytes. */
  static byte[] hex(String digest) {
    return HexFormat.of().parseHex(digest);
  }
}
