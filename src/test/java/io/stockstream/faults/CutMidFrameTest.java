package io.stockstream.faults;

import static io.stockstream.support.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.Proxy;
import io.stockstream.support.RawWebSocket;
import io.stockstream.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A connection cut in the middle of a client frame: the client has sent the header and half the
 * masked payload of a text frame when the proxy drops the connection, both of its sockets closed
 * (with a FIN, or with a reset). The server must free the connection and count it as the client's
 * going away, and every other connection carries on without a gap.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class CutMidFrameTest {

  private static final Map<String, String> ENV =
      Map.of("STOCKSTREAM_TICK_INTERVAL_MS", "10", "STOCKSTREAM_SYMBOLS", "AAPL,MSFT");

  private static final String CONNECTIONS = "stockstream_ws_connections";

  private static String disconnects(String reason) {
    return "stockstream_ws_disconnects_total{reason=\"" + reason + "\"}";
  }

  private static final class Run {
    TestNode node;
    Proxy proxy;
    Watcher watcher;
    RawWebSocket raw;
    double connectionsBefore;
    long handshakeBytes;
    int cut;
    int whole;
    long droppedAt;
    List<RawWebSocket.Frame> afterCut;
  }

  @ParameterizedTest(name = "dropped with a {0}")
  @ValueSource(strings = {"FIN", "reset"})
  void connectionCutMidFrameIsFreedAndCountedAsTheClientsWhileOthersCarryOn(
      String how, Vertx vertx, VertxTestContext ctx) {
    Run r = new Run();
    TestNode.start(vertx, ENV)
        .compose(
            node -> {
              r.node = node;
              return vertx.executeBlocking(
                  () -> {
                    Proxy.Builder b = Proxy.to(node.port());
                    return ("reset".equals(how) ? b.resetOnDrop() : b).start();
                  });
            })
        .compose(
            proxy -> {
              r.proxy = proxy;
              return Watcher.connect(vertx, r.node.port(), "AAPL");
            })
        .compose(
            w -> {
              r.watcher = w;
              r.connectionsBefore = r.node.metric(CONNECTIONS);
              return vertx.executeBlocking(
                  () -> {
                    r.raw = RawWebSocket.connect(r.proxy.port(), "/ws?symbols=MSFT");
                    r.raw.readUntil(
                        f -> f.opcode() == RawWebSocket.TEXT && f.text().contains("\"subscribed\""),
                        Duration.ofSeconds(5));
                    // The server answered the handshake: all of its request went through.
                    r.handshakeBytes = r.proxy.bytesToServer();
                    // A ping the server would answer with a pong, were it whole.
                    byte[] payload =
                        new JsonObject()
                            .put("op", "ping")
                            .put("ref", "x".repeat(200))
                            .encode()
                            .getBytes(StandardCharsets.UTF_8);
                    // Header (4 bytes for 126..65535), mask (4) and half the payload.
                    r.cut = 8 + payload.length / 2;
                    r.whole = r.raw.sendFrameCutAfter(true, RawWebSocket.TEXT, payload, r.cut);
                    return null;
                  });
            })
        .compose(
            v ->
                eventually(
                    vertx,
                    5_000,
                    () -> vertx.executeBlocking(() -> r.proxy.bytesToServer()),
                    sent -> sent == r.handshakeBytes + r.cut))
        .compose(
            v -> {
              assertThat(r.node.metric(CONNECTIONS)).isEqualTo(r.connectionsBefore + 1);
              r.droppedAt = System.currentTimeMillis();
              return vertx.executeBlocking(
                  () -> {
                    r.proxy.dropAll();
                    r.afterCut = readToEnd(r.raw);
                    return null;
                  });
            })
        .compose(
            v ->
                eventually(
                    vertx,
                    "the cut connection to be freed and counted",
                    5_000,
                    () ->
                        r.node.metric(CONNECTIONS) == r.connectionsBefore
                            && r.node.metric(disconnects("client")) == 1.0))
        .compose(v -> r.watcher.tickMadeFrom(System.currentTimeMillis() + 300))
        .map(
            t -> {
              ctx.verify(
                  () -> {
                    System.out.printf(
                        "cut mid-frame (%s): %d of %d bytes of the frame sent; freed and counted"
                            + " as client %d ms after the drop%n",
                        how, r.cut, r.whole, System.currentTimeMillis() - r.droppedAt - 300);
                    assertThat(r.cut).isLessThan(r.whole);
                    // Half a frame is no message: nothing answered it.
                    assertThat(r.afterCut)
                        .noneMatch(
                            f -> f.opcode() == RawWebSocket.TEXT && f.text().contains("pong"));
                    for (String other :
                        new String[] {"error", "abuse", "idle", "slow_consumer", "shutdown"}) {
                      assertThat(r.node.metric(disconnects(other))).as(other).isZero();
                    }
                    assertThat(r.node.metric(disconnects("client"))).isEqualTo(1.0);
                    assertThat(r.node.metric("stockstream_ws_subscriptions")).isEqualTo(1.0);
                    r.watcher.assertNoGap();
                  });
              return null;
            })
        .eventually(
            () ->
                vertx
                    .executeBlocking(
                        () -> {
                          if (r.raw != null) {
                            r.raw.abort();
                          }
                          if (r.proxy != null) {
                            r.proxy.close();
                          }
                          return null;
                        })
                    .eventually(
                        () -> r.watcher != null ? r.watcher.close() : Future.succeededFuture()))
        .onComplete(ctx.succeedingThenComplete());
  }

  /** Reads what the server sent until the dropped connection ends (FIN or reset). */
  private static List<RawWebSocket.Frame> readToEnd(RawWebSocket raw) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      try {
        raw.readFrame();
      } catch (EOFException | SocketException ended) {
        return raw.received();
      }
    }
    throw new AssertionError("the dropped connection did not end: " + raw.received());
  }
}
