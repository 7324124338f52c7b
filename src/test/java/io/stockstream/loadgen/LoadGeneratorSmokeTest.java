package io.stockstream.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.Await;
import io.stockstream.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real load generator, through its command line, against a real stockstream node in this
 * process: a few seconds, small enough for every build.
 */
class LoadGeneratorSmokeTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @Timeout(60)
  void fiftyConnectionsGetEveryTickInOrderAndTheSlowOnesReadATenth() throws Exception {
    TestNode node =
        Await.result(TestNode.start(vertx, Map.of("STOCKSTREAM_TICK_INTERVAL_MS", "100")));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        LoadGenerator.run(
            new String[] {
              "--url", "ws://127.0.0.1:" + node.port() + "/ws",
              "--connections", "50",
              "--subscriptions", "5",
              "--rate", "500",
              "--warmup", "1s",
              "--duration", "2s",
              "--tick-interval-ms", "100",
              "--slow-fraction", "0.2",
              "--slow-factor", "10",
              // The node runs in this process: watching it watches this process.
              "--watch-pid", Long.toString(ProcessHandle.current().pid()),
              // Reported: the run after it alone (the counts below are one run's).
              "--rehearsals", "1",
            },
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String log = err.toString(StandardCharsets.UTF_8);
    assertThat(code).as(log).isZero();
    assertThat(log)
        .contains("open 50")
        .contains("| measuring")
        .contains("rehearsal 1 of 1, not reported")
        .containsPattern("\\| cpu \\d+%, server \\d+%");

    // stdout is the summary and nothing else.
    JsonObject s = new JsonObject(out.toString(StandardCharsets.UTF_8));
    JsonObject c = s.getJsonObject("connections");
    assertThat(c.getLong("attempted")).isEqualTo(50);
    assertThat(c.getLong("ok")).isEqualTo(50);
    assertThat(c.getLong("failed")).isZero();
    assertThat(c.getLong("openAtEnd")).isEqualTo(50);
    assertThat(c.getJsonObject("closedByCode")).isEmpty();
    assertThat(c.getJsonObject("handshakeMs").getLong("count")).isEqualTo(50);
    assertThat(s.getString("transport")).isIn("epoll", "nio");
    assertThat(s.getJsonObject("settings").getInteger("universe"))
        .isEqualTo(node.config().symbols().size());

    JsonObject frames = s.getJsonObject("frames");
    assertThat(frames.getLong("ticks")).isPositive();
    // 40 normal readers x 5 symbols x 10 ticks/s: exponential gaps make it close, not exact.
    assertThat(frames.getDouble("offeredPerSecond")).isBetween(1900.0, 2100.0);
    assertThat(frames.getDouble("deliveryRatio")).isBetween(0.75, 1.25);
    assertThat(frames.getDouble("seqCoverage")).isEqualTo(1.0);
    // Every tick made was delivered, so the feed made what was delivered.
    assertThat(frames.getDouble("madeRatio")).isEqualTo(frames.getDouble("deliveryRatio"));
    assertThat(s.getJsonObject("sequence"))
        .isEqualTo(
            new JsonObject()
                .put("gaps", 0)
                .put("missing", 0)
                .put("outOfOrder", 0)
                .put("duplicates", 0)
                .put("unexpectedSymbol", 0));
    assertThat(s.getJsonObject("latencyMs").getLong("count")).isEqualTo(frames.getLong("ticks"));
    assertThat(s.getJsonObject("latencyMs").getDouble("p99")).isLessThan(1000.0);
    assertThat(s.getJsonObject("cpu").getDouble("seconds")).isPositive();

    JsonObject slow = s.getJsonObject("slowReaders");
    assertThat(slow.getInteger("openAtEnd")).isEqualTo(10);
    double slowRatio = slow.getJsonObject("frames").getDouble("deliveryRatio");
    assertThat(slowRatio).as("paced at a tenth").isBetween(0.02, 0.3);
  }

  @Test
  @Timeout(60)
  void overTlsWithATokenInTheQueryAndRefusedWithAWrongOne() throws Exception {
    String secret = "smoke-test-secret-0123456789";
    TestNode node =
        Await.result(
            TestNode.start(
                vertx,
                Map.of(
                    "STOCKSTREAM_TLS_SELF_SIGNED", "true",
                    "STOCKSTREAM_AUTH_JWT_SECRET", secret,
                    "STOCKSTREAM_TICK_INTERVAL_MS", "100")));
    String url = "wss://localhost:" + node.port() + "/ws";
    JsonObject ok = summary(url, hs256(secret), "query");
    assertThat(ok.getJsonObject("connections").getLong("ok")).isEqualTo(10);
    assertThat(ok.getJsonObject("frames").getLong("ticks")).isPositive();
    assertThat(ok.getJsonObject("sequence").getLong("gaps")).isZero();

    JsonObject refused = summary(url, hs256("another-secret-0123456789"), "header");
    assertThat(refused.getJsonObject("connections").getJsonObject("failedByCause"))
        .isEqualTo(new JsonObject().put("http_401", 10));
  }

  /** A run of 10 connections with the universe given, so that no probe needs the token. */
  private static JsonObject summary(String url, String token, String tokenIn) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        LoadGenerator.run(
            new String[] {
              "--url",
              url,
              "--insecure",
              "--token",
              token,
              "--token-in",
              tokenIn,
              "--symbols",
              "AAPL,MSFT,GOOGL",
              "--connections",
              "10",
              "--subscriptions",
              "2",
              "--warmup",
              "0s",
              "--duration",
              "1s",
              "--tick-interval-ms",
              "100"
            },
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    return new JsonObject(out.toString(StandardCharsets.UTF_8));
  }

  private static String hs256(String secret) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String head =
        b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    long exp = System.currentTimeMillis() / 1000 + 600;
    String body =
        b64.encodeToString(
            ("{\"sub\":\"loadgen\",\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String signature =
        b64.encodeToString(mac.doFinal((head + "." + body).getBytes(StandardCharsets.US_ASCII)));
    return head + "." + body + "." + signature;
  }
}
