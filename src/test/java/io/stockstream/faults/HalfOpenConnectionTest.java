package io.stockstream.faults;

import static io.stockstream.support.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.Proxy;
import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A half-open connection: the peer vanished without a FIN (a proxy stops forwarding both ways and
 * never closes), so no TCP event ever tells the server. Its own ping and idle limit must find it:
 * closed as {@code idle}, its slot and gauge given back, while a live client stays.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class HalfOpenConnectionTest {

  private static final long PING_MS = 100;
  private static final long IDLE_MS = 400;

  /**
   * The close of a silent peer cannot complete its handshake: the server drops the TCP connection
   * after a grace of min(5 s, the slow-consumer limit); a short limit keeps the test short. The
   * vanished peer's few ticks never fill the write queue, so it never counts as slow.
   */
  private static final long GRACE_MS = 500;

  private static final Map<String, String> ENV =
      Map.of(
          "STOCKSTREAM_TICK_INTERVAL_MS", "20",
          "STOCKSTREAM_SYMBOLS", "AAPL,MSFT",
          "STOCKSTREAM_PING_INTERVAL_MS", String.valueOf(PING_MS),
          "STOCKSTREAM_IDLE_TIMEOUT_MS", String.valueOf(IDLE_MS),
          "STOCKSTREAM_SLOW_CONSUMER_TIMEOUT_MS", String.valueOf(GRACE_MS));

  private static final String IDLE = "stockstream_ws_disconnects_total{reason=\"idle\"}";
  private static final String CONNECTIONS = "stockstream_ws_connections";

  private static final class Run {
    TestNode node;
    Proxy proxy;
    Watcher watcher;
    WsClient vanished;
    double connectionsBefore;
    long frozenAt;
    long freedAt;
  }

  @Test
  void vanishedPeerIsClosedByThePingAndIdleLimitAndItsSlotFreed(Vertx vertx, VertxTestContext ctx) {
    Run r = new Run();
    TestNode.start(vertx, ENV)
        .compose(
            node -> {
              r.node = node;
              return vertx.executeBlocking(() -> Proxy.to(node.port()).start());
            })
        .compose(
            proxy -> {
              r.proxy = proxy;
              // The Vert.x client answers the server's pings by itself: it is never idle.
              return Watcher.connect(vertx, r.node.port(), "AAPL");
            })
        .compose(
            w -> {
              r.watcher = w;
              r.connectionsBefore = r.node.metric(CONNECTIONS);
              return WsClient.connect(vertx, r.proxy.port(), "/ws?symbols=AAPL,MSFT");
            })
        .compose(
            c -> {
              r.vanished = c;
              return c.next("subscribed");
            })
        // It answers pings too while the link is up: alive for several idle limits.
        .compose(s -> r.watcher.tickMadeFrom(System.currentTimeMillis() + 3 * IDLE_MS))
        .compose(
            t -> {
              assertThat(r.node.metric(CONNECTIONS)).isEqualTo(r.connectionsBefore + 1);
              assertThat(r.node.metric(IDLE)).isZero();
              r.frozenAt = System.currentTimeMillis();
              return vertx.executeBlocking(
                  () -> {
                    r.proxy.freeze();
                    return null;
                  });
            })
        .compose(
            v ->
                eventually(
                    vertx,
                    "the half-open connection to be closed as idle and its gauge given back",
                    IDLE_MS + GRACE_MS + 5_000,
                    () ->
                        r.node.metric(IDLE) == 1.0
                            && r.node.metric(CONNECTIONS) == r.connectionsBefore))
        .compose(
            v -> {
              r.freedAt = System.currentTimeMillis();
              // The watcher still gets ticks, made after the other was freed.
              return r.watcher.tickMadeFrom(r.freedAt + 3 * IDLE_MS);
            })
        .map(
            t -> {
              ctx.verify(
                  () -> {
                    long took = r.freedAt - r.frozenAt;
                    System.out.printf(
                        "half-open: freed %d ms after the freeze (idle limit %d ms, grace %d ms)%n",
                        took, IDLE_MS, GRACE_MS);
                    // Not before its idle limit: it was found by silence, not by a TCP event.
                    assertThat(took).as("ms from freeze to freed").isGreaterThanOrEqualTo(IDLE_MS);
                    // The proxy never closed anything: to its client the connection still looks
                    // open, which is what half-open means.
                    assertThat(r.vanished.socket().isClosed()).isFalse();
                    assertThat(r.node.metric(IDLE)).isEqualTo(1.0);
                    assertThat(r.node.metric("stockstream_ws_subscriptions")).isEqualTo(1.0);
                    for (String other : new String[] {"client", "slow_consumer", "error"}) {
                      assertThat(
                              r.node.metric(
                                  "stockstream_ws_disconnects_total{reason=\"" + other + "\"}"))
                          .as(other)
                          .isZero();
                    }
                    r.watcher.assertNoGap();
                  });
              return null;
            })
        .eventually(
            () ->
                vertx
                    .executeBlocking(
                        () -> {
                          if (r.proxy != null) {
                            r.proxy.close();
                          }
                          return null;
                        })
                    .eventually(
                        () -> r.watcher != null ? r.watcher.close() : Future.succeededFuture()))
        .onComplete(ctx.succeedingThenComplete());
  }
}
