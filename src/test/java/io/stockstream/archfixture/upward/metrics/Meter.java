package io.stockstream.archfixture.upward.metrics;

import io.stockstream.archfixture.upward.market.Feed;

/** Metrics reaching up to market: one upward arrow, no cycle. */
public final class Meter {
  public int read(Feed feed) {
    return feed.price();
  }
}
