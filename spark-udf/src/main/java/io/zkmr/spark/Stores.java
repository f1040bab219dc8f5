package io.zkmr.spark;

import io.zkmr.ZkStore;
import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The key stores an executor has open, one per directory, so each task does not re-read the
 * SRS. A store replaced on disk (its manifest changed) is reopened and the old one closed; all
 * are closed when the JVM exits.
 */
final class Stores {
  private record Open(long manifestModified, long manifestLength, ZkStore store) {}

  private static final Map<String, Open> OPEN = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> OPEN.values().forEach(o -> o.store().close()), "zkmr-stores"));
  }

  private Stores() {}

  static ZkStore get(String dir) {
    File manifest = new File(dir, "manifest.json");
    long modified = manifest.lastModified();
    long length = manifest.length();
    Open open =
        OPEN.compute(
            dir,
            (key, current) -> {
              if (current != null
                  && current.manifestModified() == modified
                  && current.manifestLength() == length) {
                return current;
              }
              if (current != null) {
                current.store().close();
              }
              return new Open(modified, length, ZkStore.open(Path.of(dir)));
            });
    return open.store();
  }
}
