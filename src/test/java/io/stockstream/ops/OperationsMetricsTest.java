package io.stockstream.ops;

import static io.stockstream.support.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.stockstream.support.Http;
import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The meters beside the contract's, for alerts and the Grafana dashboard: readiness and market
 * state as gauges, and the byte counts of {@code /api/compare} as counters.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class OperationsMetricsTest {

  private static final Map<String, String> FAST = Map.of("STOCKSTREAM_TICK_INTERVAL_MS", "20");

  private static final String HTTP_BYTES = "stockstream_http_quote_bytes_total";
  private static final String HTTP_UPDATES = "stockstream_http_quote_updates_total";
  private static final String HTTP_MISSED = "stockstream_http_quote_missed_total";
  private static final String WS_BYTES = "stockstream_ws_tick_bytes_total";
  private static final String WS_TICKS = "stockstream_ws_frames_sent_total{type=\"tick\"}";

  private static Future<String> scrape(Vertx vertx, TestNode node) {
    return Http.get(vertx, node.managementPort(), "/metrics")
        .map(r -> r.body().toString(StandardCharsets.UTF_8));
  }

  private static double value(String exposition, String sample) {
    return io.stockstream.support.Exposition.value(exposition, sample);
  }

  @Test
  void newCountersAreThereAtZeroBeforeUse(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx)
        .compose(node -> scrape(vertx, node))
        .onComplete(
            ctx.succeeding(
                text ->
                    ctx.verify(
                        () -> {
                          for (String counter : List.of(HTTP_BYTES, HTTP_UPDATES, HTTP_MISSED)) {
                            assertThat(text).contains("# TYPE " + counter + " counter");
                            assertThat(value(text, counter)).as(counter).isZero();
                          }
                          assertThat(text).contains("# TYPE " + WS_BYTES + " counter");
                          assertThat(value(text, WS_BYTES)).isZero();
                          assertThat(text)
                              .contains("# TYPE stockstream_ready gauge")
                              .contains("# TYPE stockstream_market_open gauge");
                          ctx.completeNow();
                        })));
  }

  @Test
  void readyGaugeFollowsTheReadinessProbeThroughADrain(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx, FAST)
        .compose(
            node ->
                eventually(
                        vertx,
                        () -> Http.get(vertx, node.managementPort(), "/health/ready"),
                        r -> r.status() == 200)
                    .compose(ready -> scrape(vertx, node))
                    .compose(
                        up -> {
                          ctx.verify(() -> assertThat(value(up, "stockstream_ready")).isEqualTo(1));
                          Future<Void> drained = node.node().drain();
                          return Http.get(vertx, node.managementPort(), "/health/ready")
                              .compose(r -> scrape(vertx, node).map(text -> Map.entry(r, text)))
                              .compose(e -> drained.map(e));
                        })
                    .map(
                        draining -> {
                          ctx.verify(
                              () -> {
                                assertThat(draining.getKey().status()).isEqualTo(503);
                                assertThat(value(draining.getValue(), "stockstream_ready"))
                                    .isZero();
                              });
                          return null;
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void marketOpenGaugeIsOneWhileOpenAndZeroOnceClosed(Vertx vertx, VertxTestContext ctx) {
    // Open for 1 ms from the start, then closed for ten minutes.
    Future<TestNode> always = TestNode.start(vertx);
    Future<TestNode> closing =
        always.compose(
            a -> TestNode.start(vertx, Map.of("STOCKSTREAM_MARKET_SCHEDULE", "cycle:1/600000")));
    closing
        .compose(
            closed ->
                eventually(
                    vertx,
                    () -> scrape(vertx, closed),
                    text -> value(text, "stockstream_market_open") == 0))
        .compose(closed -> scrape(vertx, always.result()))
        .onComplete(
            ctx.succeeding(
                open ->
                    ctx.verify(
                        () -> {
                          assertThat(value(open, "stockstream_market_open")).isEqualTo(1);
                          ctx.completeNow();
                        })));
  }

  @Test
  void byteCountersGiveTheSameBytesPerUpdateAsCompare(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx, FAST)
        .compose(
            node ->
                Http.get(vertx, node.port(), "/api/quotes/AAPL?since=1")
                    .compose(r -> Http.get(vertx, node.port(), "/api/quotes?symbols=AAPL,MSFT"))
                    .compose(r -> WsClient.connect(vertx, node.port(), "/ws?symbols=AAPL,MSFT"))
                    .compose(ws -> ws.nextTick("AAPL").compose(t -> ws.nextTick("MSFT")).map(ws))
                    // Once nobody is subscribed and nobody polls, the counts stand still.
                    .compose(WsClient::close)
                    .compose(
                        v ->
                            eventually(
                                vertx,
                                () -> snapshot(vertx, node),
                                s ->
                                    value(s.text(), HTTP_UPDATES) == 3
                                        && value(s.text(), "stockstream_ws_connections") == 0
                                        && s.sameCounts())))
        .onComplete(
            ctx.succeeding(
                s ->
                    ctx.verify(
                        () -> {
                          JsonObject http = s.compare().getJsonObject("http");
                          JsonObject ws = s.compare().getJsonObject("websocket");
                          String t = s.text();
                          assertThat(value(t, HTTP_BYTES) / value(t, HTTP_UPDATES))
                              .isCloseTo(http.getDouble("avgBytesPerUpdate"), within(0.001));
                          assertThat(value(t, HTTP_MISSED))
                              .isCloseTo(
                                  http.getDouble("avgMissedPerPoll")
                                      * http.getLong("pollsWithSince"),
                                  within(0.01));
                          assertThat(value(t, WS_TICKS)).isEqualTo(ws.getDouble("tickFrames"));
                          assertThat(value(t, WS_TICKS)).isGreaterThanOrEqualTo(2);
                          assertThat(value(t, WS_BYTES) / value(t, WS_TICKS))
                              .isCloseTo(ws.getDouble("avgBytesPerUpdate"), within(0.001));
                          ctx.completeNow();
                        })));
  }

  /** A scrape and /api/compare, and a second scrape to tell whether anything moved in between. */
  private record Snapshot(String text, JsonObject compare, String after) {
    boolean sameCounts() {
      for (String c : List.of(HTTP_BYTES, HTTP_UPDATES, HTTP_MISSED, WS_BYTES, WS_TICKS)) {
        if (value(text, c) != value(after, c)) {
          return false;
        }
      }
      return true;
    }
  }

  private static Future<Snapshot> snapshot(Vertx vertx, TestNode node) {
    return scrape(vertx, node)
        .compose(
            text ->
                Http.get(vertx, node.port(), "/api/compare")
                    .compose(
                        c ->
                            scrape(vertx, node).map(after -> new Snapshot(text, c.json(), after))));
  }
}
