package io.zkmr;

/**
 * What a relying party expects of a verdict beyond the matrix commitment: the {@code x} it
 * asked about, as its vectors or their digest (a verdict prints the digest of the {@code x} it
 * checked), and for a partition opening the root of the job the partition must belong to. A
 * proof for any other {@code x} or job is a rejection. {@link #anything()} expects nothing,
 * and the verdict then says which {@code x} it is about.
 */
public final class Expected {
  private final byte[] xIpc;
  private final String xDigest;
  private final String jobRoot;

  private Expected(byte[] xIpc, String xDigest, String jobRoot) {
    this.xIpc = xIpc;
    this.xDigest = xDigest;
    this.jobRoot = jobRoot;
  }

  /** Any {@code x}, any job. */
  public static Expected anything() {
    return new Expected(null, null, null);
  }

  /** The vector {@code x}, read as the prover read it (encoded at the proof's scale). */
  public static Expected x(double[] x) {
    return new Expected(ArrowBatches.vector(x), null, null);
  }

  /** The batch {@code X}, one vector per row. */
  public static Expected x(double[][] x) {
    return new Expected(ArrowBatches.vectors(x), null, null);
  }

  /** The {@code x} whose digest is {@code hex} (64 hex digits, as a verdict prints it). */
  public static Expected xDigest(String hex) {
    return new Expected(null, hex, null);
  }

  /** This, and for an opening the job root {@code hex} (null: any job). */
  public Expected withJobRoot(String hex) {
    return new Expected(xIpc, xDigest, hex);
  }

  byte[] xIpc() {
    return xIpc;
  }

  String xDigest() {
    return xDigest;
  }

  String jobRoot() {
    return jobRoot;
  }
}
