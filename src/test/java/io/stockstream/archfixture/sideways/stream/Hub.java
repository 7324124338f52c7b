package io.stockstream.archfixture.sideways.stream;

/** A feature that another feature reaches into. */
public final class Hub {
  public int subscribers() {
    return 0;
  }
}
