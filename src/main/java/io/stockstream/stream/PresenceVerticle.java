package io.stockstream.stream;

import io.stockstream.market.MarketData;
import io.stockstream.protocol.Addresses;
import io.stockstream.protocol.PresenceBatch;
import io.stockstream.protocol.PresenceEvent;
import io.stockstream.protocol.ProtocolJson;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * Publishes a symbol's viewer count when it changes, at most once a second per symbol, so that a
 * crowd joining at once costs its viewers one frame, not one per join; the changes of one check go
 * in one event-bus message, however many symbols changed.
 */
public final class PresenceVerticle extends VerticleBase {

  static final long MIN_GAP_MS = 1000;
  private static final long CHECK_EVERY_MS = 100;

  private final MarketData market;
  private final IntUnaryOperator viewers;
  private final int[] lastSent;
  private final long[] lastSentAt;
  private long timer;

  /** {@code viewers} gives a symbol's viewer count: this node's, or the whole cluster's. */
  public PresenceVerticle(MarketData market, IntUnaryOperator viewers) {
    this.market = market;
    this.viewers = viewers;
    this.lastSent = new int[market.size()];
    this.lastSentAt = new long[market.size()];
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(CHECK_EVERY_MS, id -> publishChanges());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void publishChanges() {
    long now = System.currentTimeMillis();
    List<PresenceEvent> changes = new ArrayList<>();
    for (int i = 0; i < lastSent.length; i++) {
      int n = viewers.applyAsInt(i);
      if (n != lastSent[i] && now - lastSentAt[i] >= MIN_GAP_MS) {
        lastSent[i] = n;
        lastSentAt[i] = now;
        String symbol = market.symbols().get(i);
        changes.add(new PresenceEvent(i, n, ProtocolJson.presence(symbol, n)));
      }
    }
    if (!changes.isEmpty()) {
      vertx.eventBus().publish(Addresses.PRESENCE, new PresenceBatch(changes));
    }
  }
}
