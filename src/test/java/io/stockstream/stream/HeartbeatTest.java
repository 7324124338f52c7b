package io.stockstream.stream;

import static io.stockstream.support.Eventually.eventually;
import static io.stockstream.support.OnOneContext.run;
import static io.stockstream.support.OnOneContext.runToCheckpoints;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.RawWebSocket;
import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The server's WebSocket pings, and the close of peers that stop answering them. */
@ExtendWith(VertxExtension.class)
class HeartbeatTest {

  private static final String IDLE = "stockstream_ws_disconnects_total{reason=\"idle\"}";

  private static final Map<String, String> ENV =
      Map.of(
          "STOCKSTREAM_TICK_INTERVAL_MS", "20",
          "STOCKSTREAM_SYMBOLS", "AAPL",
          "STOCKSTREAM_PING_INTERVAL_MS", "100",
          "STOCKSTREAM_IDLE_TIMEOUT_MS", "300");

  @Test
  void serverSendsWebSocketPingsThatTheVertxClientSees(Vertx vertx, VertxTestContext ctx) {
    Checkpoint pings = ctx.checkpoint(3);
    runToCheckpoints(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, Map.of("STOCKSTREAM_PING_INTERVAL_MS", "100"))
                .compose(node -> WsClient.connect(vertx, node.port(), "/ws"))
                .map(
                    c ->
                        c.socket()
                            .frameHandler(
                                f -> {
                                  if (f.type() == WebSocketFrameType.PING) {
                                    pings.flag();
                                  }
                                })));
  }

  @Test
  void pingsComeOncePerIntervalByTheTickClock(Vertx vertx, VertxTestContext ctx) {
    // Pings and ticks leave on the same socket in order: count the pings between two ticks made
    // one second apart, so that no stall on the client side can bunch them up.
    Map<String, String> env =
        Map.of(
            "STOCKSTREAM_TICK_INTERVAL_MS", "20",
            "STOCKSTREAM_SYMBOLS", "AAPL",
            "STOCKSTREAM_PING_INTERVAL_MS", "100");
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, env)
                .compose(
                    node ->
                        vertx.executeBlocking(
                            () -> {
                              try (RawWebSocket raw =
                                  RawWebSocket.connect(node.port(), "/ws?symbols=AAPL")) {
                                RawWebSocket.Frame first =
                                    raw.readUntil(f -> tickTs(f) > 0, Duration.ofSeconds(5));
                                long from = tickTs(first);
                                int before = raw.received().size();
                                raw.readUntil(f -> tickTs(f) >= from + 1000, Duration.ofSeconds(5));
                                List<RawWebSocket.Frame> window = raw.received();
                                return window.subList(before, window.size()).stream()
                                    .filter(f -> f.opcode() == RawWebSocket.PING)
                                    .count();
                              }
                            }))
                .map(
                    count -> {
                      // every 100 ms, rounded up to the 25 ms housekeeping sweep: 8 to 10; none or
                      // one per
                      // sweep (40) would be far outside
                      ctx.verify(() -> assertThat(count).isBetween(4L, 15L));
                      return null;
                    }));
  }

  /**
   * Connections that came together are not all pinged in one sweep (10,000 pings at once held a
   * loop's ticks back for half a second): their first pings spread over the second half of the
   * interval. By the tick clock, as above.
   */
  @Test
  void firstPingsOfConnectionsThatCameTogetherAreSpreadOverHalfTheInterval(
      Vertx vertx, VertxTestContext ctx) {
    // A 4 s ping and a 400 ms slow-consumer limit: a sweep every 100 ms, the spread 20 sweeps,
    // which 40 connections fill on each of two loops (the test node runs two).
    Map<String, String> env =
        Map.of(
            "STOCKSTREAM_TICK_INTERVAL_MS", "20",
            "STOCKSTREAM_SYMBOLS", "AAPL",
            "STOCKSTREAM_PING_INTERVAL_MS", "4000",
            "STOCKSTREAM_SLOW_CONSUMER_TIMEOUT_MS", "400");
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, env)
                .compose(node -> vertx.executeBlocking(() -> firstPingsAfterConnecting(node, 40)))
                .map(
                    firstPings -> {
                      ctx.verify(
                          () -> {
                            // Each within half an interval and a whole one (a sweep and some
                            // slack either side), and together over most of the half.
                            assertThat(firstPings)
                                .allSatisfy(ms -> assertThat(ms).isBetween(1_500L, 4_600L));
                            LongSummaryStatistics range =
                                firstPings.stream().mapToLong(Long::longValue).summaryStatistics();
                            assertThat(range.getMax() - range.getMin())
                                .as("first pings %s", firstPings)
                                .isGreaterThan(1_200);
                          });
                      return null;
                    }));
  }

  /** Opens {@code n} raw connections at once; each one's first ping in ms after its first tick. */
  private static List<Long> firstPingsAfterConnecting(TestNode node, int n) throws IOException {
    List<RawWebSocket> raws = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        raws.add(RawWebSocket.connect(node.port(), "/ws?symbols=AAPL"));
      }
      List<Long> firstPings = new ArrayList<>();
      for (RawWebSocket raw : raws) {
        RawWebSocket.Frame ping =
            raw.readUntil(f -> f.opcode() == RawWebSocket.PING, Duration.ofSeconds(10));
        List<Long> ticks =
            raw.received().stream()
                .takeWhile(f -> f != ping)
                .map(HeartbeatTest::tickTs)
                .filter(ts -> ts > 0)
                .toList();
        firstPings.add(ticks.get(ticks.size() - 1) - ticks.get(0));
      }
      return firstPings;
    } finally {
      for (RawWebSocket raw : raws) {
        raw.close();
      }
    }
  }

  @Test
  void peerThatNeverAnswersIsClosedAsIdleWhileAnAnsweringOneStays(
      Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, ENV)
                .compose(
                    node ->
                        WsClient.connect(vertx, node.port(), "/ws?symbols=AAPL")
                            .compose(
                                answering ->
                                    answering
                                        .next("subscribed")
                                        .compose(s -> silentPeer(vertx, node))
                                        .compose(
                                            silent -> {
                                              ctx.verify(
                                                  () -> {
                                                    assertThat(silent.closeFrame().closeCode())
                                                        .isEqualTo(1001);
                                                    // it was pinged, did not answer, and was
                                                    // given the idle timeout
                                                    assertThat(silent.pings()).isPositive();
                                                    assertThat(silent.elapsedMs())
                                                        .isGreaterThanOrEqualTo(300);
                                                  });
                                              return eventually(
                                                      vertx,
                                                      "one idle disconnect",
                                                      () -> node.metric(IDLE) == 1.0)
                                                  .map(silent.closedAtMs());
                                            })
                                        // The Vert.x client answers pings on its own and says
                                        // nothing else: it must still get ticks made two idle
                                        // timeouts after the silent peer was closed.
                                        .compose(
                                            closedAt ->
                                                answering.next(
                                                    f ->
                                                        "tick".equals(f.getString("type"))
                                                            && f.getLong("ts") >= closedAt + 600))
                                        .map(
                                            t -> {
                                              ctx.verify(
                                                  () -> {
                                                    assertThat(answering.socket().isClosed())
                                                        .isFalse();
                                                    assertThat(node.metric(IDLE)).isEqualTo(1.0);
                                                  });
                                              return null;
                                            }))));
  }

  @Test
  void peerThatOnlyAnswersPingsIsNotIdle(Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, ENV)
                .compose(
                    node ->
                        vertx
                            .executeBlocking(
                                () -> {
                                  try (RawWebSocket raw =
                                      RawWebSocket.connect(node.port(), "/ws?symbols=AAPL")) {
                                    long start = System.currentTimeMillis();
                                    // Answer every ping for three idle timeouts, by tick time.
                                    RawWebSocket.Frame f =
                                        raw.readUntil(
                                            fr -> {
                                              try {
                                                if (fr.opcode() == RawWebSocket.PING) {
                                                  raw.sendPong(fr.payload());
                                                }
                                              } catch (IOException e) {
                                                throw new UncheckedIOException(e);
                                              }
                                              return fr.isClose() || tickTs(fr) >= start + 900;
                                            },
                                            Duration.ofSeconds(5));
                                    return f;
                                  }
                                })
                            .map(
                                f -> {
                                  ctx.verify(
                                      () -> {
                                        assertThat(f.isClose()).as(f.toString()).isFalse();
                                        assertThat(node.metric(IDLE)).isEqualTo(0.0);
                                      });
                                  return null;
                                })));
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** What the silent peer saw: its close frame, the pings before it and how long it lasted. */
  private record Silent(
      RawWebSocket.Frame closeFrame, long pings, long elapsedMs, long closedAtMs) {}

  /** A raw peer that never answers a ping and never sends a frame, until the server closes it. */
  private static Future<Silent> silentPeer(Vertx vertx, TestNode node) {
    return vertx.executeBlocking(
        () -> {
          long start = System.nanoTime();
          try (RawWebSocket raw = RawWebSocket.connect(node.port(), "/ws")) {
            RawWebSocket.Frame close = raw.readUntilClose(Duration.ofSeconds(5));
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            long pings =
                raw.received().stream().filter(f -> f.opcode() == RawWebSocket.PING).count();
            return new Silent(close, pings, elapsed, System.currentTimeMillis());
          }
        });
  }

  private static long tickTs(RawWebSocket.Frame f) {
    if (f.opcode() != RawWebSocket.TEXT) {
      return -1;
    }
    JsonObject j = new JsonObject(f.text());
    return "tick".equals(j.getString("type")) ? j.getLong("ts") : -1;
  }
}
