package io.zkmr;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.zkmr.proto.BatchChunk;
import io.zkmr.proto.BatchChunks;
import io.zkmr.proto.BatchEnds;
import io.zkmr.proto.BatchRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A batch proof file (docs/batches.md) written by a driver whose chunks were proved elsewhere:
 * the magic word, the header, each chunk's bundle in the batch's order, the trailer with the
 * batch root. The file {@code zkmr prove --vectors --chunk} writes for the same chunks, which
 * {@code zkmr verify} reads.
 *
 * <p>Each chunk's bundle is copied from the file its task wrote without being decoded: its
 * record is written around it as protobuf encodes a {@code BatchRecord} holding it (fields in
 * order, zero fields left out), so the file is canonical and the driver's cost is a copy. The
 * verifier checks every bundle and every count; the driver trusts its tasks for neither.
 */
public final class BatchFile {
  private static final byte[] MAGIC = "zkmrbat1".getBytes(StandardCharsets.US_ASCII);
  private static final int COPY_BUFFER = 1 << 20;

  /**
   * One chunk as its task reported it: its input count, its verified bundle's job root, and the
   * file (a path on a Hadoop file system) holding the bundle's encoded bytes.
   */
  public record Chunk(long count, String jobRoot, String file) {}

  private BatchFile() {}

  /**
   * Writes the batch of {@code chunks} (in order) for the matrix behind {@code commitment} (hex)
   * to {@code out}, reading their files through {@code conf}'s file systems one at a time;
   * returns the batch's header and trailer, whose root names it.
   */
  public static BatchEnds write(OutputStream out, String commitment, List<Chunk> chunks, Configuration conf)
      throws IOException {
    BatchChunks.Builder listed = BatchChunks.newBuilder().setMatrixCommitment(ByteString.copyFrom(hex(commitment)));
    for (Chunk c : chunks) {
      listed.addCounts(c.count()).addJobRoots(ByteString.copyFrom(hex(c.jobRoot())));
    }
    BatchEnds ends =
        ZkStore.decode(() -> BatchEnds.parseFrom(NativeBridge.batchEnds(listed.build().toByteArray())));
    out.write(MAGIC);
    record(out, BatchRecord.newBuilder().setHeader(ends.getHeader()).build().toByteArray());
    byte[] buffer = new byte[COPY_BUFFER];
    long first = 0;
    for (int j = 0; j < chunks.size(); j++) {
      Path file = new Path(chunks.get(j).file());
      FileSystem fs = file.getFileSystem(conf);
      long length = fs.getFileStatus(file).getLen();
      byte[] head = BatchChunk.newBuilder().setIndex(j).setFirst(first).build().toByteArray();
      int bundleTag = CodedOutputStream.computeTagSize(BatchChunk.BUNDLE_FIELD_NUMBER);
      long chunkLength = head.length + bundleTag + CodedOutputStream.computeUInt64SizeNoTag(length) + length;
      long recordLength =
          CodedOutputStream.computeTagSize(BatchRecord.CHUNK_FIELD_NUMBER)
              + CodedOutputStream.computeUInt64SizeNoTag(chunkLength)
              + chunkLength;
      out.write(littleEndian(recordLength));
      CodedOutputStream coded = CodedOutputStream.newInstance(out, 64);
      coded.writeTag(BatchRecord.CHUNK_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      coded.writeUInt64NoTag(chunkLength);
      coded.writeRawBytes(head);
      coded.writeTag(BatchChunk.BUNDLE_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      coded.writeUInt64NoTag(length);
      coded.flush();
      try (InputStream in = fs.open(file)) {
        long copied = 0;
        for (int n; (n = in.read(buffer)) > 0; copied += n) {
          out.write(buffer, 0, n);
        }
        if (copied != length) {
          throw new ZkmrException("chunk " + j + ": " + file + " changed while it was copied (" + copied
              + " bytes, not " + length + ")");
        }
      }
      first += chunks.get(j).count();
    }
    record(out, BatchRecord.newBuilder().setTrailer(ends.getTrailer()).build().toByteArray());
    return ends;
  }

  /** One record: its length as 8 little-endian bytes, then its bytes. */
  private static void record(OutputStream out, byte[] bytes) throws IOException {
    out.write(littleEndian(bytes.length));
    out.write(bytes);
  }

  private static byte[] littleEndian(long value) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
  }

  /** A digest as the native library prints it (64 hex digits), as bytes. */
  static byte[] hex(String digest) {
    return HexFormat.of().parseHex(digest);
  }
}
