package io.zkmr.spark;

import java.io.Serializable;
import java.util.ArrayList;

/** A {@code zkCommit} group: the store and every partition's serialized result. */
public final class JobBuffer implements Serializable {
  private static final long serialVersionUID = 1L;

  String store;
  ArrayList<byte[]> results = new ArrayList<>();
}
