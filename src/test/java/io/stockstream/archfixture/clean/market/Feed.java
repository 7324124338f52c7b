package io.stockstream.archfixture.clean.market;

import io.stockstream.archfixture.clean.metrics.Counter;
import io.stockstream.archfixture.clean.protocol.Word;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** A verticle the way the main code writes them, reaching down to metrics and protocol. */
public final class Feed extends VerticleBase {
  private final Counter counter = new Counter();

  @Override
  public Future<?> start() {
    return Future.succeededFuture(counter.count(new Word("tick")));
  }
}
