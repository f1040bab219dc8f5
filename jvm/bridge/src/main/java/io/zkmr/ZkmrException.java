package io.zkmr;

/**
 * A failure reported by zkmr: bad input (naming the row, column or field), a malformed or
 * rejected artifact, or an error inside the native library, whose Rust message it carries.
 * Panics in the native library arrive as this exception too, never as a JVM crash.
 */
public class ZkmrException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ZkmrException(String message) {
    super(message);
  }

  public ZkmrException(String message, Throwable cause) {
    super(message, cause);
  }
}
