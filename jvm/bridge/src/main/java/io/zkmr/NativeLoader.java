package io.zkmr;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads the zkmr native library once per JVM.
 *
 * <p>The jar carries the library under {@code native/<os>/<arch>/}; it is copied to a temporary
 * file and loaded from there, so {@code spark-submit --jars} and {@code hadoop jar} need no
 * separate install. Where the jar has no library for this platform, {@code java.library.path}
 * is tried. The system property {@code zkmr.native.library} names a library file to load
 * instead of either.
 */
public final class NativeLoader {
  static final String LIBRARY = "zkmr_jni";

  private static boolean loaded;

  private NativeLoader() {}

  /** Loads the library if this JVM has not yet; throws {@link ZkmrException} saying what was looked for. */
  public static synchronized void load() {
    if (loaded) {
      return;
    }
    String explicit = System.getProperty("zkmr.native.library");
    if (explicit != null && !explicit.isEmpty()) {
      System.load(Path.of(explicit).toAbsolutePath().toString());
      loaded = true;
      return;
    }
    String resource = resourcePath();
    Throwable fromJar = null;
    try (InputStream in = NativeLoader.class.getClassLoader().getResourceAsStream(resource)) {
      if (in != null) {
        Path file = Files.createTempFile("libzkmr_jni-", "-" + System.mapLibraryName(LIBRARY));
        file.toFile().deleteOnExit();
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        System.load(file.toString());
        loaded = true;
        return;
      }
    } catch (IOException | UnsatisfiedLinkError e) {
      fromJar = e;
    }
    try {
      System.loadLibrary(LIBRARY);
      loaded = true;
    } catch (UnsatisfiedLinkError e) {
      String message =
          "zkmr native library not found: looked for the resource "
              + resource
              + (fromJar == null ? " (not in the jar)" : " (in the jar, but it failed: " + fromJar + ")")
              + " and for "
              + System.mapLibraryName(LIBRARY)
              + " on java.library.path ("
              + System.getProperty("java.library.path")
              + "); set -Dzkmr.native.library=/path/to/"
              + System.mapLibraryName(LIBRARY)
              + " to name one";
      throw new ZkmrException(message, e);
    }
  }

  /** {@code native/<os>/<arch>/<file>}, with the names the Maven build packages it under. */
  static String resourcePath() {
    return "native/" + os() + "/" + arch() + "/" + System.mapLibraryName(LIBRARY);
  }

  static String os() {
    String name = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    if (name.startsWith("linux")) {
      return "linux";
    }
    if (name.startsWith("mac") || name.startsWith("darwin")) {
      return "osx";
    }
    if (name.startsWith("windows")) {
      return "windows";
    }
    return name.replaceAll("[^a-z0-9]", "");
  }

  static String arch() {
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    switch (arch) {
      case "amd64":
      case "x86_64":
      case "x64":
        return "x86_64";
      case "aarch64":
      case "arm64":
        return "aarch_64";
      default:
        return arch.replaceAll("[^a-z0-9_]", "");
    }
  }
}
