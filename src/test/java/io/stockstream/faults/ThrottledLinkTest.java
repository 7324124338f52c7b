package io.stockstream.faults;

import static io.stockstream.support.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.Http;
import io.stockstream.support.Proxy;
import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A link that moves, but far slower than the ticks (the proxy lets a few KB/s through from the
 * server to the client): the client gets conflated ticks (seqs skip, never go back) and, once the
 * ticks stop, the newest tick of every symbol; and what is queued for it at any moment stays within
 * the write queue and the socket buffers, not the backlog of everything published.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ThrottledLinkTest {

  private static final List<String> SYMBOLS =
      List.of("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "JPM");

  private static final int WRITE_QUEUE_BYTES = 4096;

  /** What the link lets through from server to client. */
  private static final int LINK_BYTES_PER_SECOND = 16 * 1024;

  /** What the proxy itself may hold per direction, and its sockets' receive buffers. */
  private static final int PROXY_BUFFER_BYTES = 4096;

  /**
   * Open for long enough to fill every buffer and conflate, then closed for ten minutes: the ticks
   * stop, so that "the newest tick" holds still while the link delivers what was queued.
   */
  private static final long OPEN_MS = 2500;

  private static final Map<String, String> ENV =
      Map.of(
          "STOCKSTREAM_SYMBOLS",
          String.join(",", SYMBOLS),
          // 8 symbols at a tick every 5 ms: some 370 KB/s of ticks, over 20 times the link.
          "STOCKSTREAM_TICK_INTERVAL_MS",
          "5",
          "STOCKSTREAM_WRITE_QUEUE_BYTES",
          String.valueOf(WRITE_QUEUE_BYTES),
          // Shorter than the open market: a link that keeps moving drains its queue again and
          // again, so it is never full for that long and stays conflated instead of being closed.
          "STOCKSTREAM_SLOW_CONSUMER_TIMEOUT_MS",
          "1500",
          "STOCKSTREAM_MARKET_SCHEDULE",
          "cycle:" + OPEN_MS + "/600000",
          "STOCKSTREAM_WEB_INSTANCES",
          "1");

  private static final String CONFLATED = "stockstream_ws_ticks_conflated_total";

  /** The largest tick frame, with its header: prices and volumes of a few digits each. */
  private static final int MAX_TICK_FRAME_BYTES = 300;

  private static final class Run {
    TestNode node;
    Proxy proxy;
    WsClient client;
    long bytesAtClose;
    long bytesAtEnd;
    double publishedAtClose;
    double conflatedAtClose;
    double conflatedDrained;
    Map<String, Long> newest;
  }

  @Test
  void throttledClientIsConflatedGetsTheNewestTicksAndItsQueueStaysBounded(
      Vertx vertx, VertxTestContext ctx) {
    Run r = new Run();
    TestNode.start(vertx, ENV)
        .compose(
            node -> {
              r.node = node;
              return vertx.executeBlocking(
                  () ->
                      Proxy.to(node.port())
                          .throttleServerToClient(LINK_BYTES_PER_SECOND)
                          .smallBuffers(PROXY_BUFFER_BYTES)
                          .start());
            })
        .compose(
            proxy -> {
              r.proxy = proxy;
              return WsClient.connect(vertx, proxy.port(), "/ws");
            })
        .compose(
            c -> {
              r.client = c;
              return c.next("welcome")
                  .compose(
                      w ->
                          c.send(
                              new JsonObject()
                                  .put("op", "subscribe")
                                  .put("symbols", new JsonArray(SYMBOLS))));
            })
        .compose(v -> r.client.next("subscribed"))
        .compose(s -> eventually(vertx, "conflation", OPEN_MS, () -> r.node.metric(CONFLATED) > 0))
        .compose(
            v ->
                eventually(
                    vertx,
                    "the market to close",
                    OPEN_MS + 5_000,
                    () -> r.node.metric("stockstream_market_open") == 0))
        .compose(
            v -> {
              r.publishedAtClose = published(r.node);
              r.conflatedAtClose = r.node.metric(CONFLATED);
              return vertx.executeBlocking(() -> r.proxy.bytesToClients());
            })
        .compose(
            bytes -> {
              r.bytesAtClose = bytes;
              return newest(vertx, r.node);
            })
        .compose(
            newest -> {
              r.newest = newest;
              // What was queued anywhere between the server and the client when the ticks stopped
              // now drains at the link's pace; the client ends with the newest tick of each.
              return eventually(
                  vertx,
                  "the newest tick of every symbol to reach the throttled client",
                  10_000,
                  () -> lastSeqs(r.client.received()).equals(newest));
            })
        .compose(
            v -> {
              // Ticks still on their way to the event loop when the feed closed the market may
              // have been conflated a moment after it; once the newest of every symbol arrived,
              // none is left, and a ping answered through the link finds the count unchanged.
              r.conflatedDrained = r.node.metric(CONFLATED);
              return r.client
                  .send(new JsonObject().put("op", "ping").put("ref", 1))
                  .compose(s -> r.client.next("pong"));
            })
        .compose(v -> vertx.executeBlocking(() -> r.proxy.bytesToClients()))
        .map(
            bytes -> {
              r.bytesAtEnd = bytes;
              ctx.verify(() -> check(r));
              return null;
            })
        .eventually(
            () ->
                (r.client != null ? r.client.close() : Future.<Void>succeededFuture())
                    .otherwiseEmpty()
                    .eventually(
                        () ->
                            vertx.executeBlocking(
                                () -> {
                                  if (r.proxy != null) {
                                    r.proxy.close();
                                  }
                                  return null;
                                })))
        .onComplete(ctx.succeedingThenComplete());
  }

  private static void check(Run r) {
    List<JsonObject> frames = r.client.received();
    long ticks = frames.stream().filter(f -> "tick".equals(f.getString("type"))).count();
    long queuedAtClose = r.bytesAtEnd - r.bytesAtClose;
    // Everything that can hold bytes for this client between its outbox and the proxy's far side:
    // the write queue and one pending tick per symbol (the outbox), the server socket's send
    // buffer (the kernel doubles what the server asks for, the write queue's size), the proxy's
    // receive buffer (doubled too) and its own buffers.
    long budget =
        WRITE_QUEUE_BYTES
            + (long) SYMBOLS.size() * MAX_TICK_FRAME_BYTES
            + 2L * WRITE_QUEUE_BYTES
            + 2L * PROXY_BUFFER_BYTES
            + PROXY_BUFFER_BYTES
            + 8 * 1024;
    System.out.printf(
        "throttled link: %.0f ticks published, %d received (%d bytes), %.0f conflated; %d bytes"
            + " were queued for the client when the ticks stopped (budget %d)%n",
        r.publishedAtClose, ticks, r.bytesAtEnd, r.conflatedAtClose, queuedAtClose, budget);

    assertThat(r.conflatedAtClose).isPositive();
    assertThat(r.node.metric(CONFLATED)).isEqualTo(r.conflatedDrained);
    // Seqs skip (conflation) and never go back; the last of each is the newest published.
    Map<String, Long> last = new HashMap<>();
    boolean skipped = false;
    for (JsonObject f : frames) {
      if ("tick".equals(f.getString("type"))) {
        String symbol = f.getString("symbol");
        long seq = f.getLong("seq");
        Long previous = last.put(symbol, seq);
        if (previous != null) {
          assertThat(seq).as("%s seq after %d", symbol, previous).isGreaterThan(previous);
          skipped |= seq > previous + 1;
        }
      }
    }
    assertThat(skipped).as("some seq skipped: conflation reached the client").isTrue();
    assertThat(new TreeMap<>(last)).isEqualTo(new TreeMap<>(r.newest));
    // Most of what was published never crossed the link: it was conflated away, not queued.
    assertThat((double) ticks).as("ticks the client got").isLessThan(r.publishedAtClose / 4);
    assertThat(queuedAtClose)
        .as("bytes queued for the client when ticks stopped")
        .isLessThan(budget);
    // Moving, if slowly: not closed as a slow consumer.
    assertThat(r.client.socket().isClosed()).isFalse();
    assertThat(r.node.metric("stockstream_ws_disconnects_total{reason=\"slow_consumer\"}"))
        .isZero();
  }

  /** The last seq of each symbol among the tick frames. */
  private static Map<String, Long> lastSeqs(List<JsonObject> frames) {
    Map<String, Long> last = new TreeMap<>();
    for (JsonObject f : frames) {
      if ("tick".equals(f.getString("type"))) {
        last.put(f.getString("symbol"), f.getLong("seq"));
      }
    }
    return last;
  }

  /** The newest seq of each symbol, as REST reports it. */
  private static Future<Map<String, Long>> newest(Vertx vertx, TestNode node) {
    return Http.get(vertx, node.port(), "/api/quotes?symbols=" + String.join(",", SYMBOLS))
        .map(
            r -> {
              Map<String, Long> seqs = new TreeMap<>();
              JsonArray quotes = r.json().getJsonArray("quotes");
              for (int i = 0; i < quotes.size(); i++) {
                JsonObject q = quotes.getJsonObject(i);
                seqs.put(q.getString("symbol"), q.getLong("seq"));
              }
              return seqs;
            });
  }

  private static double published(TestNode node) {
    double sum = 0;
    for (String line : node.scrape().split("\n")) {
      if (line.startsWith("stockstream_ticks_published_total{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
