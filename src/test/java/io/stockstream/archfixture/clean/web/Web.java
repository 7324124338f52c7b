package io.stockstream.archfixture.clean.web;

import io.stockstream.archfixture.clean.stream.Endpoint;

/** The public port reaching down to a feature. */
public final class Web {
  public Endpoint endpoint() {
    return new Endpoint();
  }
}
