package io.stockstream.stream;

import static io.stockstream.support.Eventually.eventually;
import static io.stockstream.support.OnOneContext.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.RawWebSocket;
import io.stockstream.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With the default settings the server pings every 30 s and closes, with 1001, a connection that
 * has not answered for 60 s: one real minute, measured on a raw client that never answers.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 100, timeUnit = TimeUnit.SECONDS)
class DefaultHeartbeatTest {

  private static final long PING_MS = 30_000;
  private static final long IDLE_MS = 60_000;

  /**
   * The sweeper's period with the defaults: a quarter of the shortest limit (the 10 s slow-consumer
   * timeout), at most 1 s. A limit is acted on at the first sweep after it.
   */
  private static final long SWEEP_MS = 1_000;

  /** Slack for a loaded machine (two shared cores) on top of the sweep period. */
  private static final long SLACK_MS = 1_000;

  private static final String IDLE = "stockstream_ws_disconnects_total{reason=\"idle\"}";

  /** What the silent client saw, in milliseconds from the end of its handshake. */
  private record Seen(long firstPingMs, long pingsBeforeClose, long closeMs, int closeCode) {}

  @Test
  void defaultPingAfter30sAndSilentPeerClosedWith1001After60s(Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            // The defaults, and only the sweeper's pings and close on this socket: no ticks.
            TestNode.start(vertx)
                .compose(
                    node ->
                        vertx
                            .executeBlocking(() -> silentClient(node.port()))
                            .compose(
                                seen -> {
                                  ctx.verify(
                                      () -> {
                                        System.out.println("default heartbeat: " + seen);
                                        // The first connection a hub meets is first pinged a
                                        // whole interval after it came (later ones spread over
                                        // the second half): within a sweep and slack of 30 s.
                                        assertThat(seen.firstPingMs())
                                            .as("first ping, ms after connecting")
                                            .isBetween(
                                                PING_MS - SWEEP_MS - SLACK_MS,
                                                PING_MS + SWEEP_MS + SLACK_MS);
                                        assertThat(seen.closeCode()).isEqualTo(1001);
                                        assertThat(seen.closeMs())
                                            .as("close, ms after connecting")
                                            .isBetween(IDLE_MS, IDLE_MS + SWEEP_MS + SLACK_MS);
                                        // A 30 s period leaves one, or two when the second ping
                                        // beats the close by a sweep.
                                        assertThat(seen.pingsBeforeClose()).isBetween(1L, 2L);
                                      });
                                  // Counted when the TCP connection is gone, which the client
                                  // ends once it has read the close frame: shortly after.
                                  return eventually(
                                      vertx,
                                      "the idle disconnect counted",
                                      5_000,
                                      () -> node.metric(IDLE) == 1.0);
                                })));
  }

  /** Connects, answers nothing, and notes when the first ping and the close frame come. */
  private static Seen silentClient(int port) throws Exception {
    long overall = IDLE_MS + SWEEP_MS + SLACK_MS + 5_000;
    try (RawWebSocket raw =
        RawWebSocket.connect("127.0.0.1", port, "/ws", Duration.ofMillis(overall))) {
      long start = System.nanoTime();
      RawWebSocket.Frame ping =
          raw.readUntil(
              f -> f.opcode() == RawWebSocket.PING || f.isClose(), Duration.ofMillis(overall));
      long firstPing = ms(ping.receivedNanos() - start);
      RawWebSocket.Frame close = raw.readUntilClose(Duration.ofMillis(overall));
      List<RawWebSocket.Frame> all = raw.received();
      long pings = all.stream().filter(f -> f.opcode() == RawWebSocket.PING).count();
      return new Seen(
          ping.isClose() ? -1 : firstPing,
          pings,
          ms(close.receivedNanos() - start),
          close.closeCode());
    }
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
