package io.stockstream.stream;

import static io.stockstream.support.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stockstream.config.Config;
import io.stockstream.config.ConfigLoader;
import io.stockstream.market.MarketData;
import io.stockstream.metrics.Meters;
import io.stockstream.metrics.WireComparison;
import io.stockstream.protocol.ClientRequest;
import io.stockstream.support.Exposition;
import io.stockstream.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A bug met while answering a client frame closes that connection with 1011, counted as {@code
 * error}, and the other connections of the loop carry on. No frame makes the real parser fail (the
 * fuzz tests hold that), so the hub here gets a parser with one planted failure; everything else is
 * the real hub on a real server, talking to real WebSocket clients.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class InternalErrorFrameTest {

  private static final String ERROR = "stockstream_ws_disconnects_total{reason=\"error\"}";
  private static final String PLANTED = "planted";

  /** A server on port 0 whose only route upgrades to the hub, as the handshake gate does. */
  private static final class HubServer extends VerticleBase {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    HttpServer server;

    @Override
    public Future<?> start() {
      Config config = ConfigLoader.load(Map.of("STOCKSTREAM_SYMBOLS", "AAPL"));
      MarketData market = new MarketData(config.symbols(), config.tickIntervalMs(), "e1");
      SubscriptionCounts counts = new SubscriptionCounts(market.size());
      ConnectionSlots slots = new ConnectionSlots(config.maxConnections());
      Meters meters = new Meters(registry, market.symbols(), slots::open, counts::total);
      StreamHub hub =
          new StreamHub(
              vertx,
              config,
              market,
              counts,
              slots,
              meters,
              new WireComparison(),
              text -> {
                if (text.contains(PLANTED)) {
                  throw new IllegalStateException("a planted bug");
                }
                return ClientRequest.parse(text);
              });
      hub.start();
      server =
          vertx
              .createHttpServer()
              .requestHandler(
                  req -> {
                    assertThat(slots.tryReserve()).isTrue();
                    assertThat(hub.open(req, null)).isTrue();
                  });
      return server.listen(0, "127.0.0.1");
    }
  }

  @Test
  void aFailureAnsweringAFrameClosesThatConnectionWith1011AndTheOthersCarryOn(
      Vertx vertx, VertxTestContext ctx) {
    HubServer node = new HubServer();
    vertx
        .deployVerticle(node)
        .compose(id -> WsClient.connect(vertx, node.server.actualPort(), "/ws"))
        .compose(
            good ->
                WsClient.connect(vertx, node.server.actualPort(), "/ws")
                    .compose(
                        bad ->
                            bad.next("welcome")
                                .compose(
                                    w ->
                                        bad.send(
                                            new JsonObject().put("op", "ping").put("ref", PLANTED)))
                                .compose(v -> bad.closed()))
                    .compose(
                        code -> {
                          ctx.verify(
                              () -> assertThat(code).as("close code").isEqualTo((short) 1011));
                          // Counted when the TCP connection ends, a moment after the close frame.
                          return eventually(
                              vertx,
                              "the disconnect counted as an error",
                              () -> Exposition.value(node.registry.scrape(), ERROR) == 1.0);
                        })
                    .compose(v -> good.send(new JsonObject().put("op", "ping").put("ref", 7)))
                    .compose(v -> good.next("pong"))
                    .map(
                        pong -> {
                          ctx.verify(
                              () -> {
                                assertThat(pong.getInteger("ref")).isEqualTo(7);
                                assertThat(good.socket().isClosed()).isFalse();
                              });
                          return null;
                        })
                    .eventually(good::close))
        .onComplete(ctx.succeedingThenComplete());
  }
}
