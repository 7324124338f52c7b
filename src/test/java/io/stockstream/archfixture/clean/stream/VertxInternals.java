package io.stockstream.archfixture.clean.stream;

import io.vertx.core.internal.ContextInternal;

/** The clean fixture's one adapter, the only class allowed to touch Vert.x internals. */
public final class VertxInternals {
  private VertxInternals() {}

  static boolean onContext(ContextInternal context) {
    return context != null;
  }
}
