package io.stockstream.archfixture.internals.web;

import io.vertx.core.internal.ContextInternal;

/** A class outside the adapter touching Vert.x internals. */
public final class Leak {
  public boolean onContext(ContextInternal context) {
    return context != null;
  }
}
