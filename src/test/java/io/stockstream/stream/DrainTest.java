package io.stockstream.stream;

import static io.stockstream.support.Eventually.eventually;
import static io.stockstream.support.OnOneContext.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A draining node refuses handshakes with 503 and Retry-After, counts every connection it closes as
 * a shutdown, and spreads the clients' {@code reconnectAfterMs} at random over the drain spread.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class DrainTest {

  private static final String CAPACITY =
      "stockstream_ws_handshakes_total{outcome=\"rejected_capacity\"}";
  private static final String ACCEPTED = "stockstream_ws_handshakes_total{outcome=\"accepted\"}";
  private static final String SHUTDOWN = "stockstream_ws_disconnects_total{reason=\"shutdown\"}";
  private static final String CLIENT = "stockstream_ws_disconnects_total{reason=\"client\"}";

  @Test
  void handshakeWhileDrainingGets503WithRetryAfterAndAJsonBodyCountedAsCapacity(
      Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx)
                // The control: before the drain the same handshake is accepted.
                .compose(
                    node ->
                        WsClient.connect(vertx, node.port(), "/ws")
                            .compose(c -> c.next("welcome").compose(w -> c.close()))
                            .map(node))
                .compose(
                    node -> {
                      // Held in draining: the web verticles stay deployed and answer.
                      node.node().lifecycle().startDraining();
                      return WsClient.connect(vertx, node.port(), "/ws?symbols=AAPL")
                          .transform(
                              ar -> {
                                if (ar.succeeded()) {
                                  ar.result().close();
                                  return Future.failedFuture(
                                      new AssertionError("a draining node accepted a handshake"));
                                }
                                if (ar.cause() instanceof UpgradeRejectedException e) {
                                  return Future.succeededFuture(e);
                                }
                                return Future.failedFuture(ar.cause());
                              })
                          .map(
                              e -> {
                                ctx.verify(
                                    () -> {
                                      assertThat(e.getStatus()).isEqualTo(503);
                                      String retry = e.getHeaders().get("Retry-After");
                                      assertThat(retry).as("Retry-After").isNotNull();
                                      assertThat(Integer.parseInt(retry.trim())).isPositive();
                                      assertThat(e.getHeaders().get("Content-Type"))
                                          .startsWith("application/json");
                                      JsonObject body = e.getBody().toJsonObject();
                                      assertThat(body.getString("error")).isEqualTo("unavailable");
                                      assertThat(body.getString("message")).isNotBlank();
                                      assertThat(node.metric(CAPACITY)).isEqualTo(1.0);
                                      assertThat(node.metric(ACCEPTED)).isEqualTo(1.0);
                                    });
                                return null;
                              });
                    }));
  }

  @Test
  void drainCountsEveryConnectionItClosesAsShutdown(Vertx vertx, VertxTestContext ctx) {
    int n = 3;
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx)
                .compose(
                    node ->
                        connect(vertx, node, n)
                            .compose(
                                clients -> {
                                  ctx.verify(() -> assertThat(node.metric(SHUTDOWN)).isZero());
                                  return node.node()
                                      .drain()
                                      .compose(v -> closedCodes(clients))
                                      .compose(
                                          codes -> {
                                            ctx.verify(() -> assertThat(codes).containsOnly(1001));
                                            return eventually(
                                                vertx,
                                                n + " shutdown disconnects",
                                                () -> node.metric(SHUTDOWN) == n);
                                          })
                                      .map(
                                          v -> {
                                            ctx.verify(
                                                () -> {
                                                  assertThat(node.metric(CLIENT)).isZero();
                                                  assertThat(
                                                          node.metric("stockstream_ws_connections"))
                                                      .isZero();
                                                });
                                            return null;
                                          });
                                })));
  }

  @Test
  void reconnectAfterMsIsSpreadAtRandomOverTheDrainSpread(Vertx vertx, VertxTestContext ctx) {
    int n = 30;
    long spread = 5000;
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, Map.of("STOCKSTREAM_DRAIN_SPREAD_MS", String.valueOf(spread)))
                .compose(
                    node ->
                        connect(vertx, node, n)
                            .compose(
                                clients -> {
                                  List<Future<JsonObject>> notices = new ArrayList<>();
                                  clients.forEach(c -> notices.add(c.next("draining")));
                                  return node.node()
                                      .drain()
                                      .compose(v -> Future.all(notices))
                                      .map(
                                          all -> {
                                            List<Long> after = new ArrayList<>();
                                            for (int i = 0; i < n; i++) {
                                              after.add(
                                                  all.<JsonObject>resultAt(i)
                                                      .getLong("reconnectAfterMs"));
                                            }
                                            ctx.verify(() -> assertSpread(after, spread));
                                            return null;
                                          });
                                })));
  }

  private static void assertSpread(List<Long> after, long spread) {
    System.out.println("reconnectAfterMs: " + after);
    assertThat(after).allSatisfy(a -> assertThat(a).isBetween(0L, spread));
    TreeSet<Long> distinct = new TreeSet<>(after);
    // 30 uniform draws from 0..5000: all equal, or fewer than 10 distinct, is all but impossible.
    assertThat(distinct).as("distinct values").hasSizeGreaterThanOrEqualTo(10);
    // Both halves used: by chance all in one half has probability 2 * 2^-30.
    assertThat(after).anySatisfy(a -> assertThat(a).isLessThan(spread / 2));
    assertThat(after).anySatisfy(a -> assertThat(a).isGreaterThan(spread / 2));
  }

  /** Connects {@code n} clients, one after the other, each past its welcome. */
  private static Future<List<WsClient>> connect(Vertx vertx, TestNode node, int n) {
    Future<List<WsClient>> chain = Future.succeededFuture(new ArrayList<>());
    for (int i = 0; i < n; i++) {
      chain =
          chain.compose(
              list ->
                  WsClient.connect(vertx, node.port(), "/ws")
                      .compose(c -> c.next("welcome").map(w -> c))
                      .map(
                          c -> {
                            list.add(c);
                            return list;
                          }));
    }
    return chain;
  }

  private static Future<List<Integer>> closedCodes(List<WsClient> clients) {
    List<Future<Short>> closed = new ArrayList<>();
    clients.forEach(c -> closed.add(c.closed()));
    return Future.all(closed)
        .map(
            all -> {
              List<Integer> codes = new ArrayList<>();
              for (int i = 0; i < clients.size(); i++) {
                codes.add((int) all.<Short>resultAt(i));
              }
              return codes;
            });
  }
}
