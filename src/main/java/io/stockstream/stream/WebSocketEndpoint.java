package io.stockstream.stream;

import io.stockstream.Addresses;
import io.stockstream.auth.TokenAuth;
import io.stockstream.config.Config;
import io.stockstream.feed.MarketData;
import io.stockstream.feed.MarketEvent;
import io.stockstream.feed.TickEvent;
import io.stockstream.metrics.Metrics;
import io.stockstream.metrics.WireStats;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpServerRequest;

/** The {@code /ws} endpoint of one web event loop: its handshake handler and its event feeds. */
public final class WebSocketEndpoint {

  private final Vertx vertx;
  private final StreamHub hub;
  private final HandshakeGate gate;

  public WebSocketEndpoint(
      Vertx vertx,
      Config config,
      MarketData market,
      Viewers viewers,
      Admission admission,
      Metrics metrics,
      WireStats wire,
      TokenAuth auth) {
    this.vertx = vertx;
    this.hub = new StreamHub(vertx, config, market, viewers, admission, metrics, wire);
    this.gate = new HandshakeGate(config, admission, auth, metrics, hub);
  }

  public Handler<HttpServerRequest> handshake() {
    return gate;
  }

  /** Subscribes this loop to ticks, market status and presence, and starts its heartbeat. */
  public Future<Void> start() {
    EventBus bus = vertx.eventBus();
    return Future.all(
            bus.<TickEvent>localConsumer(Addresses.TICKS, m -> hub.onTick(m.body())).completion(),
            bus.<MarketEvent>localConsumer(Addresses.MARKET, m -> hub.onMarket(m.body()))
                .completion(),
            bus.<PresenceEvent>localConsumer(Addresses.PRESENCE, m -> hub.onPresence(m.body()))
                .completion())
        .onSuccess(v -> hub.start())
        .mapEmpty();
  }

  /** Sends {@code draining} to every connection of this loop and closes it with 1001. */
  public Future<Void> drain() {
    return hub.drain();
  }
}
