package io.stockstream.market;

import io.stockstream.metrics.Meters;
import io.stockstream.protocol.Addresses;
import io.stockstream.protocol.TickBatch;
import io.stockstream.protocol.TickEvent;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import java.util.List;

/** A cluster of one: the feed always leads, records each tick and publishes on the local bus. */
public final class LocalFeedOutput implements FeedOutput {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final MarketData market;
  private final Meters meters;
  private final EventBus bus;

  public LocalFeedOutput(MarketData market, Meters meters, EventBus bus) {
    this.market = market;
    this.meters = meters;
    this.bus = bus;
  }

  @Override
  public boolean leads() {
    return true;
  }

  @Override
  public Future<List<WalkState>> takeOver() {
    return Future.succeededFuture(List.of());
  }

  @Override
  public Future<Void> publish(List<TickEvent> batch, List<WalkState> states) {
    // Recorded before anyone can be told of it: a snapshot never lags a tick already sent.
    for (TickEvent e : batch) {
      market.append(e);
      meters.tickPublished(e.index());
    }
    bus.publish(Addresses.TICKS, new TickBatch(batch), LOCAL);
    return Future.succeededFuture();
  }
}
