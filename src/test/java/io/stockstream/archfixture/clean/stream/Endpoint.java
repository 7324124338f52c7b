package io.stockstream.archfixture.clean.stream;

import io.stockstream.archfixture.clean.market.Feed;

/** A feature reaching down to market and to its own adapter. */
public final class Endpoint {
  public Feed feed() {
    return VertxInternals.onContext(null) ? null : new Feed();
  }
}
