package io.stockstream.archfixture.sideways.rest;

import io.stockstream.archfixture.sideways.stream.Hub;

/** One feature reaching into another, which features never do. */
public final class Quotes {
  public int viewers(Hub hub) {
    return hub.subscribers();
  }
}
