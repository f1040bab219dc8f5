package io.zkmr.spark;

import io.zkmr.HadoopStoreFiles;
import io.zkmr.ZkStore;
import io.zkmr.ZkmrException;
import java.io.File;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;
import scala.Tuple2;

/**
 * The key stores a JVM has open, one per store argument, so tasks do not re-read the manifest
 * and SRS. A store argument is, in this order:
 *
 * <ol>
 *   <li>a URI with a scheme ({@code hdfs://nn/keys}, {@code file:///shared/keys}, {@code
 *       s3a://bucket/keys}): read through Hadoop's {@code FileSystem} with the session's {@code
 *       spark.hadoop.*} settings, file by file as the scheme needs them;
 *   <li>a directory on this machine;
 *   <li>a relative name shipped with the job ({@code spark-submit --archives keys.tgz#keys} or
 *       {@code SparkContext.addFile(dir, true)}), found with {@code SparkFiles.get}.
 * </ol>
 *
 * A store replaced since it was opened (its manifest's time or length changed) is reopened
 * and the old one closed. Each task looks at the manifest once, on its first call, never once
 * per row; all stores are closed when the JVM exits.
 */
final class Stores {
  private record Open(String stamp, ZkStore store) {}

  /** A URI scheme of two letters or more, so a Windows drive letter stays a path. */
  private static final Pattern URI = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:.*");

  private static final Map<String, Open> OPEN = new ConcurrentHashMap<>();

  /** Per task thread: the task attempt that last looked at each store's manifest. */
  private static final ThreadLocal<Map<String, Long>> CHECKED = ThreadLocal.withInitial(HashMap::new);

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> OPEN.values().forEach(o -> o.store().close()), "zkmr-stores"));
  }

  private Stores() {}

  static ZkStore get(String store) {
    TaskContext task = TaskContext.get();
    Open current = OPEN.get(store);
    if (current != null && task != null) {
      Long checked = CHECKED.get().get(store);
      if (checked != null && checked == task.taskAttemptId()) {
        return current.store();
      }
    }
    Location location = Location.of(store);
    String stamp = location.stamp();
    Open open =
        OPEN.compute(
            store,
            (key, held) -> {
              if (held != null && held.stamp().equals(stamp)) {
                return held;
              }
              if (held != null) {
                held.store().close();
              }
              return new Open(stamp, location.open());
            });
    if (task != null) {
      CHECKED.get().put(store, task.taskAttemptId());
    }
    return open.store();
  }

  /** Where a store argument points. */
  private sealed interface Location {
    String stamp();

    ZkStore open();

    static Location of(String store) {
      if (URI.matcher(store).matches()) {
        return new Remote(new HadoopStoreFiles(store, hadoopConf()));
      }
      File dir = new File(store);
      if (dir.isDirectory()) {
        return new Local(dir);
      }
      if (!dir.isAbsolute()) {
        File shipped = new File(SparkFiles.get(store));
        if (shipped.isDirectory()) {
          return new Local(shipped);
        }
      }
      throw new ZkmrException(
          "key store "
              + store
              + ": no such directory here, nor shipped with the job (SparkFiles), and not a URI"
              + " such as hdfs://namenode/keys or file:///shared/keys");
    }
  }

  private record Local(File dir) implements Location {
    @Override
    public String stamp() {
      File manifest = new File(dir, "manifest.json");
      return manifest.lastModified() + ":" + manifest.length();
    }

    @Override
    public ZkStore open() {
      return ZkStore.open(Path.of(dir.getPath()));
    }
  }

  private record Remote(HadoopStoreFiles files) implements Location {
    @Override
    public String stamp() {
      return files.stamp();
    }

    @Override
    public ZkStore open() {
      return ZkStore.open(files);
    }
  }

  /** Hadoop settings as Spark gives them to its own file reads: the {@code spark.hadoop.*} keys. */
  static Configuration hadoopConf() {
    Configuration conf = new Configuration();
    SparkEnv env = SparkEnv.get();
    if (env != null) {
      for (Tuple2<String, String> kv : env.conf().getAll()) {
        if (kv._1().startsWith("spark.hadoop.")) {
          conf.set(kv._1().substring("spark.hadoop.".length()), kv._2());
        }
      }
    }
    return conf;
  }
}
