package io.stockstream.stream;

import io.stockstream.config.Config;
import io.stockstream.http.TokenAuth;
import io.stockstream.lifecycle.Lifecycle;
import io.stockstream.market.MarketData;
import io.stockstream.metrics.Meters;
import io.stockstream.metrics.WireComparison;
import io.stockstream.protocol.Addresses;
import io.stockstream.protocol.ClientRequest;
import io.stockstream.protocol.MarketEvent;
import io.stockstream.protocol.PresenceBatch;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpServerRequest;

/** The {@code /ws} endpoint of one web event loop: its handshake handler and its event feeds. */
public final class WebSocketEndpoint {

  /** What every web event loop's endpoint shares with the others of the node. */
  public record Shared(
      Config config,
      MarketData market,
      SubscriptionCounts counts,
      ConnectionSlots slots,
      Lifecycle lifecycle,
      Meters meters,
      WireComparison wire,
      TickFanout fanout) {}

  private final Vertx vertx;
  private final TickFanout fanout;
  private final StreamHub hub;
  private final HandshakeGate gate;

  public WebSocketEndpoint(Vertx vertx, Shared shared, TokenAuth auth) {
    this.vertx = vertx;
    this.fanout = shared.fanout();
    this.hub =
        new StreamHub(
            vertx,
            shared.config(),
            shared.market(),
            shared.counts(),
            shared.slots(),
            shared.meters(),
            shared.wire(),
            ClientRequest::parse);
    this.gate =
        new HandshakeGate(
            shared.config(), shared.lifecycle(), shared.slots(), auth, shared.meters(), hub);
  }

  public Handler<HttpServerRequest> handshake() {
    return gate;
  }

  /**
   * Tells {@code listener}, on this loop, of each handshake request whose connection has just
   * become a WebSocket: from then on the hub's rules apply to it, not those of plain HTTP.
   */
  public void onUpgrade(Handler<HttpServerRequest> listener) {
    gate.onUpgrade(listener);
  }

  /**
   * Subscribes this loop to ticks (through the node's {@link TickFanout}), market status and
   * presence, and starts its heartbeat.
   */
  public Future<Void> start() {
    EventBus bus = vertx.eventBus();
    fanout.register(hub.inbox());
    return Future.all(
            bus.<MarketEvent>localConsumer(Addresses.MARKET, m -> hub.onMarket(m.body()))
                .completion(),
            bus.<PresenceBatch>localConsumer(Addresses.PRESENCE, m -> hub.onPresence(m.body()))
                .completion())
        .onSuccess(v -> hub.start())
        .mapEmpty();
  }

  /** Sends {@code draining} to every connection of this loop and closes it with 1001. */
  public Future<Void> drain() {
    fanout.unregister(hub.inbox());
    return hub.drain();
  }
}
