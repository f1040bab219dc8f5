package io.zkmr;

import com.google.protobuf.ByteString;
import io.zkmr.proto.BatchChunk;
import io.zkmr.proto.BatchChunks;
import io.zkmr.proto.BatchEnds;
import io.zkmr.proto.BatchRecord;
import io.zkmr.proto.Bundle;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/**
 * A batch proof file (docs/batches.md) written by a driver whose chunks were proved elsewhere:
 * the magic word, the header, each chunk's bundle in the batch's order, the trailer with the
 * batch root. The file {@code zkmr prove --vectors --chunk} writes for the same chunks, which
 * {@code zkmr verify} reads.
 */
public final class BatchFile {
  private static final byte[] MAGIC = "zkmrbat1".getBytes(StandardCharsets.US_ASCII);

  /** One chunk as its task reported it: its input count and its verified bundle's job root. */
  public record Chunk(long count, String jobRoot) {}

  /** Reads chunk {@code index}'s bundle bytes, as its task wrote them. */
  public interface Bundles {
    byte[] read(int index) throws IOException;
  }

  private BatchFile() {}

  /**
   * Writes the batch of {@code chunks} (in order) for the matrix behind {@code commitment} (hex)
   * to {@code out}; returns the batch's header and trailer, whose root names it.
   */
  public static BatchEnds write(OutputStream out, String commitment, List<Chunk> chunks, Bundles bundles)
      throws IOException {
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
      Bundle bundle = Bundle.parseFrom(bundles.read(j));
      long held = Math.max(1, bundle.getVectors());
      if (held != chunks.get(j).count()) {
        throw new ZkmrException(
            "chunk " + j + ": its bundle holds " + held + " inputs, not the " + chunks.get(j).count()
                + " its task reported");
      }
      BatchChunk chunk = BatchChunk.newBuilder().setIndex(j).setFirst(first).setBundle(bundle).build();
      record(out, BatchRecord.newBuilder().setChunk(chunk).build());
      first += chunks.get(j).count();
    }
    record(out, BatchRecord.newBuilder().setTrailer(ends.getTrailer()).build());
    return ends;
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
