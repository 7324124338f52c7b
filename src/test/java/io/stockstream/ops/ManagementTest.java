package io.stockstream.ops;

import static io.stockstream.support.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.market.SymbolSpec;
import io.stockstream.market.Universe;
import io.stockstream.support.Http;
import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 15, timeUnit = TimeUnit.SECONDS)
class ManagementTest {

  private static final Map<String, String> FAST = Map.of("STOCKSTREAM_TICK_INTERVAL_MS", "20");

  private static final List<String> OUTCOMES =
      List.of(
          "accepted",
          "rejected_origin",
          "rejected_capacity",
          "rejected_auth",
          "rejected_bad_request");
  private static final List<String> REASONS =
      List.of("client", "slow_consumer", "abuse", "idle", "shutdown", "error");
  private static final List<String> FRAME_TYPES =
      List.of(
          "welcome",
          "subscribed",
          "unsubscribed",
          "tick",
          "pong",
          "presence",
          "market",
          "error",
          "draining");

  /** Fan-out latency buckets, 100 us to 10 s, as Prometheus prints them. */
  private static final List<String> BUCKETS =
      List.of(
          "1.0E-4", "2.5E-4", "5.0E-4", "0.001", "0.002", "0.005", "0.01", "0.025", "0.05", "0.1",
          "0.25", "0.5", "1.0", "2.5", "5.0", "10.0");

  private static final Pattern LE =
      Pattern.compile(
          "^stockstream_fanout_latency_seconds_bucket\\{le=\"([^\"]+)\"\\} ", Pattern.MULTILINE);

  private static Future<Http.Response> management(Vertx vertx, TestNode node, String uri) {
    return Http.get(vertx, node.managementPort(), uri);
  }

  private static Future<String> scrape(Vertx vertx, TestNode node) {
    return management(vertx, node, "/metrics")
        .map(
            r -> {
              if (r.status() != 200) {
                throw new AssertionError("/metrics answered " + r.status());
              }
              return r.body().toString(StandardCharsets.UTF_8);
            });
  }

  private static double value(String exposition, String sample) {
    return io.stockstream.support.Exposition.value(exposition, sample);
  }

  // ---- /metrics -------------------------------------------------------------------------------

  @Test
  void metricsExposeEveryContractMetricAtZeroBeforeUse(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx)
        .compose(node -> management(vertx, node, "/metrics"))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.status()).isEqualTo(200);
                          assertThat(r.header("Content-Type")).startsWith("text/plain");
                          verifyFreshExposition(r.body().toString(StandardCharsets.UTF_8));
                          ctx.completeNow();
                        })));
  }

  private static void verifyFreshExposition(String text) {
    assertThat(text)
        .contains("# TYPE stockstream_ws_connections gauge")
        .contains("# TYPE stockstream_ws_subscriptions gauge")
        .contains("# TYPE stockstream_ws_handshakes_total counter")
        .contains("# TYPE stockstream_ws_disconnects_total counter")
        .contains("# TYPE stockstream_ws_frames_sent_total counter")
        .contains("# TYPE stockstream_ws_ticks_conflated_total counter")
        .contains("# TYPE stockstream_ticks_published_total counter")
        .contains("# TYPE stockstream_http_quote_requests_total counter")
        .contains("# TYPE stockstream_fanout_latency_seconds histogram");

    assertThat(value(text, "stockstream_ws_connections")).isZero();
    assertThat(value(text, "stockstream_ws_subscriptions")).isZero();
    assertThat(value(text, "stockstream_ws_ticks_conflated_total")).isZero();
    assertThat(value(text, "stockstream_http_quote_requests_total")).isZero();
    for (String outcome : OUTCOMES) {
      assertThat(value(text, "stockstream_ws_handshakes_total{outcome=\"" + outcome + "\"}"))
          .as("handshakes %s", outcome)
          .isZero();
    }
    for (String reason : REASONS) {
      assertThat(value(text, disconnects(reason))).as("disconnects %s", reason).isZero();
    }
    for (String type : FRAME_TYPES) {
      assertThat(value(text, framesSent(type))).as("frames sent %s", type).isZero();
    }
    // The feed made a first tick of every symbol at start.
    for (SymbolSpec s : Universe.defaults()) {
      assertThat(value(text, "stockstream_ticks_published_total{symbol=\"" + s.symbol() + "\"}"))
          .as("ticks published %s", s.symbol())
          .isGreaterThanOrEqualTo(1);
    }

    Set<String> les = new LinkedHashSet<>();
    Matcher m = LE.matcher(text);
    while (m.find()) {
      les.add(m.group(1));
    }
    Set<String> expected = new LinkedHashSet<>(BUCKETS);
    expected.add("+Inf");
    assertThat(les).as("fan-out latency buckets").containsExactlyInAnyOrderElementsOf(expected);
    for (String le : expected) {
      assertThat(value(text, "stockstream_fanout_latency_seconds_bucket{le=\"" + le + "\"}"))
          .as("bucket %s", le)
          .isZero();
    }
    assertThat(value(text, "stockstream_fanout_latency_seconds_count")).isZero();
    assertThat(value(text, "stockstream_fanout_latency_seconds_sum")).isZero();
  }

  @Test
  void ticksPublishedCountEveryTickUpToTheLatestSeq(Vertx vertx, VertxTestContext ctx) {
    // seq counts a symbol's ticks from 1: a scrape between two quotes lies between their seqs.
    // The feed counts a tick just after recording it, so at most that one tick may be uncounted.
    String aapl = "stockstream_ticks_published_total{symbol=\"AAPL\"}";
    TestNode.start(vertx, FAST)
        .compose(
            node ->
                eventually(vertx, () -> scrape(vertx, node), t -> value(t, aapl) >= 10)
                    .compose(t -> quoteSeq(vertx, node))
                    .compose(
                        first ->
                            scrape(vertx, node)
                                .compose(
                                    t ->
                                        quoteSeq(vertx, node)
                                            .map(
                                                second -> {
                                                  ctx.verify(
                                                      () ->
                                                          assertThat(value(t, aapl))
                                                              .isBetween(
                                                                  first - 1.0, (double) second));
                                                  return null;
                                                }))))
        .onComplete(ctx.succeedingThenComplete());
  }

  private static Future<Long> quoteSeq(Vertx vertx, TestNode node) {
    return Http.get(vertx, node.port(), "/api/quotes/AAPL").map(r -> r.json().getLong("seq"));
  }

  @Test
  void webSocketMetricsMoveWithAConnection(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx, FAST)
        .compose(
            node ->
                WsClient.connect(vertx, node.port(), "/ws?symbols=AAPL")
                    .compose(ws -> ws.nextTick("AAPL").map(t -> ws))
                    .compose(
                        ws ->
                            // Counted right after the frames are written: wait for the counts.
                            eventually(
                                    vertx,
                                    () -> scrape(vertx, node),
                                    t -> value(t, "stockstream_fanout_latency_seconds_count") >= 1)
                                .map(
                                    open -> {
                                      ctx.verify(() -> verifyOneConnection(open));
                                      return ws;
                                    }))
                    .compose(WsClient::close)
                    .compose(
                        v ->
                            eventually(
                                vertx,
                                () -> scrape(vertx, node),
                                t -> value(t, "stockstream_ws_connections") == 0))
                    .map(
                        closed -> {
                          ctx.verify(
                              () -> {
                                assertThat(value(closed, "stockstream_ws_subscriptions")).isZero();
                                assertThat(value(closed, disconnects("client"))).isEqualTo(1);
                              });
                          return null;
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  private static String disconnects(String reason) {
    return "stockstream_ws_disconnects_total{reason=\"" + reason + "\"}";
  }

  private static String framesSent(String type) {
    return "stockstream_ws_frames_sent_total{type=\"" + type + "\"}";
  }

  private static void verifyOneConnection(String t) {
    assertThat(value(t, "stockstream_ws_connections")).isEqualTo(1);
    assertThat(value(t, "stockstream_ws_subscriptions")).isEqualTo(1);
    assertThat(value(t, "stockstream_ws_handshakes_total{outcome=\"accepted\"}")).isEqualTo(1);
    assertThat(value(t, framesSent("welcome"))).isEqualTo(1);
    assertThat(value(t, framesSent("subscribed"))).isEqualTo(1);
    assertThat(value(t, framesSent("tick"))).isGreaterThanOrEqualTo(1);
    for (String reason : REASONS) {
      assertThat(value(t, disconnects(reason))).isZero();
    }
  }

  // ---- health ---------------------------------------------------------------------------------

  private static void assertHealth(Http.Response r, int status, String expected) {
    assertThat(r.status()).as(r.body().toString()).isEqualTo(status);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(r.json().getString("status")).isEqualTo(expected);
  }

  private static String checkStatus(JsonObject health, String id) {
    JsonArray checks = health.getJsonArray("checks");
    for (int i = 0; i < checks.size(); i++) {
      if (id.equals(checks.getJsonObject(i).getString("id"))) {
        return checks.getJsonObject(i).getString("status");
      }
    }
    return null;
  }

  @Test
  void unknownManagementPathIs404Json(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx)
        .compose(node -> management(vertx, node, "/nope"))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.status()).isEqualTo(404);
                          assertThat(r.header("Content-Type")).startsWith("application/json");
                          assertThat(r.json().getString("error")).isEqualTo("not_found");
                          ctx.completeNow();
                        })));
  }

  @Test
  void liveIsUp(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx)
        .compose(node -> management(vertx, node, "/health/live"))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertHealth(r, 200, "UP");
                          ctx.completeNow();
                        })));
  }

  @Test
  void readyIsUpOnceTicksFlowed(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx, FAST)
        .compose(
            node ->
                management(vertx, node, "/health/ready")
                    .compose(ready -> scrape(vertx, node).map(text -> Map.entry(ready, text))))
        .onComplete(
            ctx.succeeding(
                e ->
                    ctx.verify(
                        () -> {
                          Http.Response r = e.getKey();
                          assertHealth(r, 200, "UP");
                          assertThat(checkStatus(r.json(), "feed")).isEqualTo("UP");
                          assertThat(checkStatus(r.json(), "draining")).isEqualTo("UP");
                          for (SymbolSpec s : Universe.defaults()) {
                            assertThat(
                                    value(
                                        e.getValue(),
                                        "stockstream_ticks_published_total{symbol=\""
                                            + s.symbol()
                                            + "\"}"))
                                .isGreaterThanOrEqualTo(1);
                          }
                          ctx.completeNow();
                        })));
  }

  @Test
  void drainingTurnsReadinessDownAtOnce(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx, FAST)
        .compose(
            node -> {
              Future<Void> drained = node.node().drain();
              // Not waiting for the drain: the node is not ready from the moment it starts.
              return management(vertx, node, "/health/ready")
                  .compose(
                      during -> {
                        ctx.verify(
                            () -> {
                              assertHealth(during, 503, "DOWN");
                              assertThat(checkStatus(during.json(), "draining")).isEqualTo("DOWN");
                              assertThat(checkStatus(during.json(), "feed")).isEqualTo("UP");
                            });
                        return drained;
                      })
                  .compose(
                      v ->
                          Future.all(
                              management(vertx, node, "/health/ready"),
                              management(vertx, node, "/health/live")))
                  .map(
                      all -> {
                        ctx.verify(
                            () -> {
                              assertHealth(all.resultAt(0), 503, "DOWN");
                              assertHealth(all.resultAt(1), 200, "UP");
                            });
                        return null;
                      });
            })
        .onComplete(ctx.succeedingThenComplete());
  }
}
