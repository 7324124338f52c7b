package io.stockstream.archfixture.upward.market;

/** A market class that imports nothing of the fixture, so the arrow onto it makes no cycle. */
public final class Feed {
  public int price() {
    return 1;
  }
}
