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
import org.apache.spark.sql.SparkSession;
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
 *
 * <p>With {@value #COMMITMENT} set (64 hex digits: the matrix commitment the store's holder
 * published), every store is refused unless it commits to it, so nothing is proved or opened from
 * a store replaced or rewritten since. It is a Spark setting like any other ({@code --conf},
 * the session builder, or {@code SET} / {@code spark.conf.set} in the session), which Spark
 * hands each query's tasks.
 */
final class Stores {
  /** The setting that pins every store to the commitment its holder published. */
  static final String COMMITMENT = "spark.zkmr.commitment";

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
    String commitment = trustedCommitment(task);
    // A store is held once per commitment it was checked against.
    String key = commitment == null ? store : store + "\n" + commitment;
    Open current = OPEN.get(key);
    if (current != null && task != null) {
      Long checked = CHECKED.get().get(key);
      if (checked != null && checked == task.taskAttemptId()) {
        return current.store();
      }
    }
    Location location = Location.of(store);
    String stamp = location.stamp();
    Open open =
        OPEN.compute(
            key,
            (k, held) -> {
              if (held != null && held.stamp().equals(stamp)) {
                return held;
              }
              if (held != null) {
                held.store().close();
              }
              return new Open(stamp, location.open(commitment));
            });
    if (task != null) {
      CHECKED.get().put(key, task.taskAttemptId());
    }
    return open.store();
  }

  /**
   * {@value #COMMITMENT}, where set: in a task, as the query's session set it (Spark passes a
   * query's {@code spark.*} settings to its tasks); on the driver, the active session's.
   */
  private static String trustedCommitment(TaskContext task) {
    if (task != null) {
      return task.getLocalProperty(COMMITMENT);
    }
    scala.Option<SparkSession> session = SparkSession.getActiveSession();
    return session.isDefined() ? session.get().conf().get(COMMITMENT, null) : null;
  }

  /** Where a store argument points. */
  private sealed interface Location {
    String stamp();

    /** Opens the store, refusing it unless it commits to {@code commitment} (null: any). */
    ZkStore open(String commitment);

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
    public ZkStore open(String commitment) {
      return ZkStore.open(Path.of(dir.getPath()), commitment);
    }
  }

  private record Remote(HadoopStoreFiles files) implements Location {
    @Override
    public String stamp() {
      return files.stamp();
    }

    @Override
    public ZkStore open(String commitment) {
      return ZkStore.open(files, commitment);
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
