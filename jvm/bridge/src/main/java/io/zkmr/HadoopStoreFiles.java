package io.zkmr;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A key store on a Hadoop file system: {@code hdfs://nn/keys}, {@code file:///data/keys},
 * {@code s3a://bucket/keys} when the S3A connector is configured, or a path on the
 * configuration's default file system. The engines' classpaths bring Hadoop (Spark's {@code
 * hadoop-client-api}, the Hadoop job's own), so this class needs no Hadoop of its own.
 */
public final class HadoopStoreFiles implements StoreFiles {
  private final String location;
  private final FileSystem fs;
  private final Path dir;

  /** The store at {@code location}, reached through {@code conf}'s file systems. */
  public HadoopStoreFiles(String location, Configuration conf) {
    this.location = location;
    this.dir = new Path(location);
    try {
      this.fs = dir.getFileSystem(conf);
    } catch (IOException e) {
      throw new ZkmrException("key store " + location + ": no file system for it: " + e.getMessage(), e);
    }
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public byte[] read(String name) throws IOException {
    try (FSDataInputStream in = fs.open(new Path(dir, name))) {
      return in.readAllBytes();
    }
  }

  /**
   * The manifest's modification time and length, which change when {@code zkmr commit --force}
   * replaces the store: what an engine compares to decide that an open store is stale.
   */
  public String stamp() {
    try {
      FileStatus status = fs.getFileStatus(new Path(dir, "manifest.json"));
      return status.getModificationTime() + ":" + status.getLen();
    } catch (IOException e) {
      throw new ZkmrException("key store " + location + ": manifest.json: " + e.getMessage(), e);
    }
  }
}
