package io.stockstream.stream;

import static io.stockstream.support.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.StalledClient;
import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that stops reading must not slow the others or grow the server's memory: while its write
 * queue is full its ticks are conflated, and once it stays full past the slow-consumer limit it is
 * closed with 1013.
 */
@ExtendWith(VertxExtension.class)
class SlowConsumerTest {

  private static final int WRITE_QUEUE_BYTES = 16 * 1024;
  private static final long SLOW_TIMEOUT_MS = 1500;
  private static final int STALLED_RECEIVE_BUFFER = 4096;

  /** A generous bound for how late a tick may reach a client that keeps up. */
  private static final long ON_TIME_MS = 1000;

  private static final Map<String, String> ENV =
      Map.of(
          // 24 symbols at a tick per millisecond each: the stalled socket fills in a second or two.
          "STOCKSTREAM_TICK_INTERVAL_MS",
          "1",
          "STOCKSTREAM_WRITE_QUEUE_BYTES",
          String.valueOf(WRITE_QUEUE_BYTES),
          "STOCKSTREAM_SLOW_CONSUMER_TIMEOUT_MS",
          String.valueOf(SLOW_TIMEOUT_MS),
          // One web event loop: the stalled and the fast client share it, the hardest case.
          "STOCKSTREAM_WEB_INSTANCES",
          "1");

  private static final String CONFLATED = "stockstream_ws_ticks_conflated_total";
  private static final String SLOW_DISCONNECTS =
      "stockstream_ws_disconnects_total{reason=\"slow_consumer\"}";

  /** One AAPL tick as the fast client saw it. */
  private record Seen(long seq, long ts, long arrived) {}

  /** What the test observed, in order. */
  private static final class Episode {
    final List<Seen> fast = Collections.synchronizedList(new ArrayList<>());
    TestNode node;
    WsClient fastClient;
    StalledClient stalled;
    int symbols;
    long stallStart;
    double publishedAtStart;
    long conflationSeen;
    double publishedAtConflation;
    long closeSeen;
    double publishedAtClose;
    StalledClient.Drained drained;
  }

  @Test
  void stalledClientIsConflatedThenClosedWith1013WhileOthersStayOnTime(
      Vertx vertx, VertxTestContext ctx) {
    Episode e = new Episode();
    TestNode.start(vertx, ENV)
        .compose(
            node -> {
              e.node = node;
              return connectFastClient(vertx, e);
            })
        .compose(v -> connectStalledClient(vertx, e))
        .compose(
            v ->
                eventually(
                    vertx,
                    "the stalled client's subscriptions",
                    5_000,
                    () -> e.node.metric("stockstream_ws_subscriptions") == 1 + e.symbols))
        .compose(v -> eventually(vertx, "conflation", 10_000, () -> e.node.metric(CONFLATED) > 0))
        .compose(
            v -> {
              e.conflationSeen = System.currentTimeMillis();
              e.publishedAtConflation = publishedTotal(e.node);
              // Closing a connection starts by dropping its subscriptions: the fast client's one
              // subscription is all that is left once the server gave up on the stalled one.
              return eventually(
                  vertx,
                  "the server to close the stalled client",
                  SLOW_TIMEOUT_MS + 3_000,
                  () -> e.node.metric("stockstream_ws_subscriptions") == 1);
            })
        .compose(
            v -> {
              e.closeSeen = System.currentTimeMillis();
              e.publishedAtClose = publishedTotal(e.node);
              // Now read back everything that was queued for the stalled client.
              return vertx.executeBlocking(
                  () -> {
                    StalledClient.Drained d = e.stalled.drain(Duration.ofSeconds(5));
                    if (d.closeCode() != null) {
                      e.stalled.sendClose(d.closeCode());
                    }
                    return d;
                  });
            })
        .compose(
            d -> {
              e.drained = d;
              ctx.verify(() -> assertClosedWith1013AndBounded(e));
              return eventually(
                  vertx,
                  "the slow_consumer disconnect to be counted",
                  5_000,
                  () -> e.node.metric(SLOW_DISCONNECTS) == 1.0);
            })
        // The fast client is still there and still gets ticks.
        .compose(v -> e.fastClient.nextTick("AAPL"))
        .map(
            t -> {
              ctx.verify(() -> assertFastClientStayedOnTime(e));
              return t;
            })
        .eventually(() -> vertx.executeBlocking(() -> closeStalled(e)))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void stalledClientThatNeverReadsIsDroppedAndItsSlotFreed(Vertx vertx, VertxTestContext ctx) {
    // The node holds two connections: the fast client and the stalled one.
    Map<String, String> env = new HashMap<>(ENV);
    env.put("STOCKSTREAM_MAX_CONNECTIONS", "2");
    env.put("STOCKSTREAM_SLOW_CONSUMER_TIMEOUT_MS", "1000");
    Episode e = new Episode();
    TestNode.start(vertx, env)
        .compose(
            node -> {
              e.node = node;
              return connectFastClient(vertx, e);
            })
        .compose(v -> connectStalledClient(vertx, e))
        .compose(v -> eventually(vertx, "conflation", 10_000, () -> e.node.metric(CONFLATED) > 0))
        .compose(
            v -> {
              e.conflationSeen = System.currentTimeMillis();
              // The close frame cannot get out to a client that reads nothing: the server has to
              // drop the TCP connection itself, else the slot and the socket are held forever.
              return eventually(
                  vertx,
                  "the stalled connection to be dropped without it ever reading",
                  1_000 + 5_000 + 3_000,
                  () ->
                      e.node.metric(SLOW_DISCONNECTS) == 1.0
                          && e.node.metric("stockstream_ws_connections") == 1.0);
            })
        // Its slot is free again: a third client gets in.
        .compose(v -> WsClient.connect(vertx, e.node.port(), "/ws"))
        .compose(c -> c.next("welcome").compose(w -> c.close()))
        .compose(
            v ->
                vertx.executeBlocking(
                    () -> {
                      // What reaches the stalled client at last ends with the connection's end.
                      return e.stalled.drain(Duration.ofSeconds(5));
                    }))
        .map(
            d -> {
              ctx.verify(
                  () -> {
                    assertThat(d.eof() || d.closeCode() != null)
                        .as("the stalled client's stream ended")
                        .isTrue();
                    assertThat(d.closeCode()).isIn(null, 1013);
                    assertThat(e.node.metric("stockstream_ws_disconnects_total{reason=\"error\"}"))
                        .isEqualTo(0.0);
                  });
              return d;
            })
        .eventually(() -> vertx.executeBlocking(() -> closeStalled(e)))
        .onComplete(ctx.succeedingThenComplete());
  }

  private static Future<Void> connectFastClient(Vertx vertx, Episode e) {
    return WsClient.connect(vertx, e.node.port(), "/ws?symbols=AAPL")
        .compose(
            c -> {
              e.fastClient = c;
              // Arrival times are taken as frames arrive, beside WsClient's own bookkeeping.
              c.socket()
                  .frameHandler(
                      f -> {
                        if (f.isText() && f.isFinal()) {
                          JsonObject m = new JsonObject(f.textData());
                          if ("tick".equals(m.getString("type"))) {
                            e.fast.add(
                                new Seen(
                                    m.getLong("seq"), m.getLong("ts"), System.currentTimeMillis()));
                          }
                        }
                      });
              return c.next("welcome");
            })
        .compose(
            w -> {
              e.symbols = w.getJsonArray("symbols").size();
              return e.fastClient.next("subscribed");
            })
        .mapEmpty();
  }

  private static Future<Void> connectStalledClient(Vertx vertx, Episode e) {
    JsonArray all = new JsonArray(e.node.config().symbols().stream().map(s -> s.symbol()).toList());
    // Counted from before the stalled client exists, so that every tick it can get is in the count.
    e.stallStart = System.currentTimeMillis();
    e.publishedAtStart = publishedTotal(e.node);
    return vertx
        .executeBlocking(
            () -> {
              e.stalled =
                  StalledClient.connect(
                      "127.0.0.1",
                      e.node.port(),
                      "/ws",
                      STALLED_RECEIVE_BUFFER,
                      Duration.ofSeconds(5));
              e.stalled.sendText(
                  new JsonObject()
                      .put("op", "subscribe")
                      .put("symbols", all)
                      .put("ref", 1)
                      .encode());
              return null;
            })
        .mapEmpty();
  }

  private static void assertClosedWith1013AndBounded(Episode e) {
    StalledClient.Drained d = e.drained;
    double publishedWhileFull = e.publishedAtClose - e.publishedAtConflation;
    System.out.printf(
        "slow consumer: queue full after %d ms, closed %d ms later; read back %d bytes, %d ticks;"
            + " published %.0f ticks before the queue was full and %.0f while it was full;"
            + " %.0f conflated%n",
        e.conflationSeen - e.stallStart,
        e.closeSeen - e.conflationSeen,
        d.bytes(),
        d.ticks(),
        e.publishedAtConflation - e.publishedAtStart,
        publishedWhileFull,
        e.node.metric(CONFLATED));

    assertThat(d.closeCode()).as("close code").isEqualTo(1013);
    assertThat(d.texts()).isNotEmpty();
    assertThat(new JsonObject(d.texts().get(0)).getString("type")).isEqualTo("welcome");
    assertSeqsOnlyIncrease(d.texts());

    // Bounded by buffers, not by the stall: the kernel's socket buffers, the write queue and one
    // pending tick per symbol.
    long budget =
        kernelSendBufferMax()
            + 2L * STALLED_RECEIVE_BUFFER
            + WRITE_QUEUE_BYTES
            + e.symbols * 512L
            + 64 * 1024;
    assertThat(d.bytes()).as("bytes queued for the stalled client").isLessThan(budget);
    assertThat(publishedWhileFull)
        .as("ticks published while the stalled client's queue was full")
        .isGreaterThan(1000);
    // The ticks of the stall were conflated, not queued. Not all of them: the queue takes ticks
    // again whenever the kernel grows the socket's send buffer after the first fill (one run in ten
    // read back 324 ticks where 170 were published before the queue first filled).
    assertThat(e.node.metric(CONFLATED))
        .as("ticks conflated for the stalled client")
        .isGreaterThan(0.9 * publishedWhileFull);
  }

  private static void assertSeqsOnlyIncrease(List<String> texts) {
    Map<String, Long> last = new HashMap<>();
    for (String text : texts) {
      JsonObject m = new JsonObject(text);
      if ("tick".equals(m.getString("type"))) {
        Long before = last.put(m.getString("symbol"), m.getLong("seq"));
        if (before != null) {
          assertThat(m.getLong("seq")).as(m.getString("symbol")).isGreaterThan(before);
        }
      }
    }
  }

  private static void assertFastClientStayedOnTime(Episode e) {
    List<Seen> seen;
    synchronized (e.fast) {
      seen = List.copyOf(e.fast);
    }
    // No holes: a client that keeps up is never conflated.
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i).seq())
          .as("seq after %d", seen.get(i - 1).seq())
          .isEqualTo(seen.get(i - 1).seq() + 1);
    }
    // The ticks made while the other client's queue was full and conflating: each must reach
    // this client on time. (Before that the stalled socket was still taking bytes, as any client
    // does that reads fast.)
    List<Seen> whileSlow =
        seen.stream().filter(s -> s.ts() >= e.conflationSeen && s.ts() <= e.closeSeen).toList();
    assertThat(whileSlow.size())
        .as("AAPL ticks made while the other client was stalled")
        .isGreaterThan(100);
    long worst = whileSlow.stream().mapToLong(s -> s.arrived() - s.ts()).max().orElseThrow();
    System.out.printf(
        "fast client: %d ticks without holes, %d made while the other was stalled, worst delay"
            + " of those %d ms%n",
        seen.size(), whileSlow.size(), worst);
    assertThat(worst).as("worst delay of the fast client's ticks, ms").isLessThan(ON_TIME_MS);
  }

  private static Void closeStalled(Episode e) throws Exception {
    if (e.stalled != null) {
      e.stalled.close();
    }
    return null;
  }

  /** The most the kernel lets a TCP socket queue for sending; 8 MiB when it cannot be read. */
  private static long kernelSendBufferMax() {
    try {
      String[] wmem = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_wmem")).trim().split("\\s+");
      return Long.parseLong(wmem[2]);
    } catch (Exception notLinux) {
      return 8L << 20;
    }
  }

  private static double publishedTotal(TestNode node) {
    double sum = 0;
    for (String line : node.scrape().split("\n")) {
      if (line.startsWith("stockstream_ticks_published_total{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
