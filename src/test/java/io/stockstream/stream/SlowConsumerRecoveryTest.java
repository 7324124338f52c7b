package io.stockstream.stream;

import static io.stockstream.support.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.Http;
import io.stockstream.support.StalledClient;
import io.stockstream.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A slow consumer that starts reading again before the slow-consumer limit is not closed, and once
 * it has caught up holds the newest tick of every symbol it subscribed to: conflation keeps the
 * newest, and the queue's drain sends it.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class SlowConsumerRecoveryTest {

  private static final int WRITE_QUEUE_BYTES = 16 * 1024;
  private static final int STALLED_RECEIVE_BUFFER = 4096;

  /**
   * Open long enough for the stalled socket to fill up, then closed for ten minutes: the ticks
   * stop, so that "the newest tick" holds still while the client catches up.
   */
  private static final long OPEN_MS = 10_000;

  private static final Map<String, String> ENV =
      Map.of(
          "STOCKSTREAM_TICK_INTERVAL_MS", "1",
          "STOCKSTREAM_WRITE_QUEUE_BYTES", String.valueOf(WRITE_QUEUE_BYTES),
          // Far beyond the stall: the client must recover, not be closed.
          "STOCKSTREAM_SLOW_CONSUMER_TIMEOUT_MS", "40000",
          "STOCKSTREAM_MARKET_SCHEDULE", "cycle:" + OPEN_MS + "/600000",
          "STOCKSTREAM_WEB_INSTANCES", "1");

  private static final String CONFLATED = "stockstream_ws_ticks_conflated_total";

  @Test
  void recoveredSlowConsumerEndsWithTheNewestTickOfEachSymbol(Vertx vertx, VertxTestContext ctx) {
    StalledClient[] stalled = new StalledClient[1];
    TestNode.start(vertx, ENV)
        .compose(
            node -> {
              List<String> symbols = node.config().symbols().stream().map(s -> s.symbol()).toList();
              return vertx
                  .executeBlocking(
                      () -> {
                        stalled[0] =
                            StalledClient.connect(
                                "127.0.0.1",
                                node.port(),
                                "/ws",
                                STALLED_RECEIVE_BUFFER,
                                Duration.ofSeconds(5));
                        stalled[0].sendText(
                            new JsonObject()
                                .put("op", "subscribe")
                                .put("symbols", new JsonArray(symbols))
                                .put("ref", 1)
                                .encode());
                        return null;
                      })
                  // The queue fills up and ticks are conflated while the market is still open...
                  .compose(
                      v ->
                          eventually(
                              vertx, "conflation", OPEN_MS, () -> node.metric(CONFLATED) > 0))
                  // ...then the market closes and the ticks stop.
                  .compose(
                      v ->
                          eventually(
                              vertx,
                              "the market to close",
                              OPEN_MS + 5_000,
                              () -> node.metric("stockstream_market_open") == 0))
                  .compose(v -> newest(vertx, node, symbols))
                  .compose(
                      before ->
                          vertx
                              // Reads again, well before the slow-consumer limit, for 3 s.
                              .executeBlocking(() -> stalled[0].drain(Duration.ofSeconds(3)))
                              .compose(
                                  drained ->
                                      newest(vertx, node, symbols)
                                          .map(
                                              after -> {
                                                ctx.verify(
                                                    () ->
                                                        assertCaughtUp(
                                                            node, symbols, drained, before, after));
                                                return null;
                                              })));
            })
        .eventually(
            () ->
                vertx.executeBlocking(
                    () -> {
                      if (stalled[0] != null) {
                        stalled[0].close();
                      }
                      return null;
                    }))
        .onComplete(ctx.succeedingThenComplete());
  }

  private static void assertCaughtUp(
      TestNode node,
      List<String> symbols,
      StalledClient.Drained drained,
      Map<String, Long> before,
      Map<String, Long> after) {
    // The control: nothing was published while the client caught up.
    assertThat(after).isEqualTo(before);
    assertThat(drained.closeCode()).as("close code").isNull();
    assertThat(drained.eof()).as("the connection ended").isFalse();
    Map<String, Long> last = new TreeMap<>();
    boolean jumped = false;
    for (String text : drained.texts()) {
      JsonObject m = new JsonObject(text);
      if ("tick".equals(m.getString("type"))) {
        String symbol = m.getString("symbol");
        long seq = m.getLong("seq");
        Long previous = last.put(symbol, seq);
        if (previous != null) {
          assertThat(seq).as("%s seq after %d", symbol, previous).isGreaterThan(previous);
          jumped |= seq > previous + 1;
        }
      }
    }
    System.out.printf(
        "slow consumer recovered: read %d bytes, %d ticks; %.0f conflated%n",
        drained.bytes(), drained.ticks(), node.metric(CONFLATED));
    assertThat(jumped).as("conflation made some seq jump").isTrue();
    assertThat(last).as("last tick seen of each symbol").isEqualTo(new TreeMap<>(before));
    assertThat(last.keySet()).containsExactlyInAnyOrderElementsOf(symbols);
    assertThat(node.metric("stockstream_ws_connections")).isEqualTo(1.0);
    assertThat(node.metric("stockstream_ws_disconnects_total{reason=\"slow_consumer\"}")).isZero();
  }

  /** The newest seq of each symbol, as REST reports it. */
  private static Future<Map<String, Long>> newest(
      Vertx vertx, TestNode node, List<String> symbols) {
    return Http.get(vertx, node.port(), "/api/quotes?symbols=" + String.join(",", symbols))
        .map(
            r -> {
              Map<String, Long> seqs = new HashMap<>();
              JsonArray quotes = r.json().getJsonArray("quotes");
              for (int i = 0; i < quotes.size(); i++) {
                JsonObject q = quotes.getJsonObject(i);
                seqs.put(q.getString("symbol"), q.getLong("seq"));
              }
              return seqs;
            });
  }
}
