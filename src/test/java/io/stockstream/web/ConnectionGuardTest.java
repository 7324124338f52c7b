package io.stockstream.web;

import static io.stockstream.support.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stockstream.support.Await;
import io.stockstream.support.Http;
import io.stockstream.support.RawHttp;
import io.stockstream.support.RawWebSocket;
import io.stockstream.support.TestNode;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The public port's guard on a real node, against raw sockets: silent and half-sent requests are
 * closed 10 s after opening, a keep-alive connection 10 s after its last response, a response that
 * cannot be delivered after the response timeout, and connections over the cap at once; an upgraded
 * WebSocket is never touched. The 10 s are the contract's, waited for real.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionGuardTest {

  private static final long HEAD_MS = ConnectionGuard.HEAD_TIMEOUT_MS;

  /** A deadline is acted on at the first sweep after it; slack for two loaded, shared cores. */
  private static final long LATE_MS = ConnectionGuard.SWEEP_MS + 1_000;

  private static final String OPEN = "stockstream_http_connections";
  private static final String HEADER_TIMEOUT = closed("header_timeout");
  private static final String IDLE = closed("idle");
  private static final String RESPONSE_TIMEOUT = closed("response_timeout");
  private static final String CAPACITY = closed("capacity");

  private static final Map<String, String> FAST_TICKS =
      Map.of("STOCKSTREAM_TICK_INTERVAL_MS", "50");

  private Vertx vertx;
  private final ExecutorService readers = Executors.newCachedThreadPool();
  private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
  private final List<AutoCloseable> sockets = new ArrayList<>();

  private static String closed(String reason) {
    return "stockstream_http_connections_closed_total{reason=\"" + reason + "\"}";
  }

  @BeforeEach
  void createVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void closeEverything() throws Exception {
    for (AutoCloseable s : sockets) {
      s.close();
    }
    pacer.shutdownNow();
    readers.shutdownNow();
    Await.result(vertx.close());
  }

  private TestNode start(Map<String, String> env) {
    return Await.result(TestNode.start(vertx, env));
  }

  private RawHttp open(TestNode node) throws IOException {
    RawHttp c = RawHttp.connect(node.port());
    sockets.add(c);
    return c;
  }

  private CompletableFuture<RawHttp.Closed> awaitClose(RawHttp c, Duration within) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return c.awaitClose(within);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        },
        readers);
  }

  /**
   * Opens a connection that the server is expected to reset on arrival, and says how long that
   * took: the reset may come before the client's connect() returns, or after, before any byte.
   */
  private long msToRefusal(TestNode node) throws IOException {
    long start = System.nanoTime();
    RawHttp c;
    try {
      c = open(node);
    } catch (SocketException resetWhileConnecting) {
      return ms(System.nanoTime() - start);
    }
    RawHttp.Closed refused = c.awaitClose(Duration.ofSeconds(2));
    assertThat(refused.bytesRead()).as("bytes before the reset").isZero();
    return ms(refused.atNanos() - c.openedNanos());
  }

  private void awaitMetric(TestNode node, String sample, double value) {
    Await.result(
        eventually(vertx, sample + " = " + value, () -> node.metric(sample) == value), 15_000);
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  /** The path the dashboard loads Chart.js from, as {@code index.html} names it. */
  private static String chartJsPath() throws IOException {
    String index = Files.readString(Path.of("src/main/resources/webroot/index.html"));
    Matcher m = Pattern.compile("src=\"(webjars/chart\\.js/[^\"]+)\"").matcher(index);
    assertThat(m.find()).as("index.html loads Chart.js from its WebJar").isTrue();
    return "/" + m.group(1);
  }

  @Test
  void guardMetersAreRegisteredAtZeroAtStart() {
    TestNode node = start(Map.of());
    String text = node.scrape();
    assertThat(text).contains("# TYPE " + OPEN + " gauge");
    assertThat(node.metric(OPEN)).isZero();
    for (String counter : List.of(HEADER_TIMEOUT, IDLE, RESPONSE_TIMEOUT, CAPACITY)) {
      assertThat(node.metric(counter)).as(counter).isZero();
    }
  }

  @Test
  void silentSocketAndDribblingSlowlorisAreClosedTenSecondsAfterOpeningAndCounted()
      throws Exception {
    TestNode node = start(Map.of());
    RawHttp silent = open(node);
    RawHttp slowloris = open(node);
    slowloris.send("GET /api/quotes/AAPL HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    // One more header line every 2 s: bytes keep coming, the head never completes.
    AtomicInteger dribbled = new AtomicInteger();
    pacer.scheduleAtFixedRate(
        () -> {
          try {
            slowloris.send("X-Dribble-" + dribbled.get() + ": still coming\r\n");
            dribbled.incrementAndGet();
          } catch (IOException closedByTheServer) {
            throw new IllegalStateException(closedByTheServer);
          }
        },
        2,
        2,
        TimeUnit.SECONDS);
    Duration within = Duration.ofMillis(HEAD_MS + LATE_MS + 5_000);
    CompletableFuture<RawHttp.Closed> silentClosed = awaitClose(silent, within);
    CompletableFuture<RawHttp.Closed> slowClosed = awaitClose(slowloris, within);

    RawHttp.Closed s = silentClosed.get(30, TimeUnit.SECONDS);
    RawHttp.Closed d = slowClosed.get(30, TimeUnit.SECONDS);
    long silentMs = ms(s.atNanos() - silent.openedNanos());
    long slowMs = ms(d.atNanos() - slowloris.openedNanos());
    System.out.printf("silent closed after %d ms, slowloris after %d ms%n", silentMs, slowMs);
    assertThat(silentMs)
        .as("silent socket closed, ms after opening")
        .isBetween(HEAD_MS, HEAD_MS + LATE_MS);
    assertThat(slowMs)
        .as("slowloris closed, ms after opening")
        .isBetween(HEAD_MS, HEAD_MS + LATE_MS);
    // Lines at 2, 4, 6 and 8 s reached the server, and none of them bought more time.
    assertThat(dribbled.get()).as("header lines dribbled").isGreaterThanOrEqualTo(4);
    assertThat(s.bytesRead()).as("bytes the silent socket got").isZero();
    assertThat(d.bytesRead()).as("bytes the slowloris got").isZero();
    awaitMetric(node, HEADER_TIMEOUT, 2);
    awaitMetric(node, OPEN, 0);
    assertThat(node.metric(IDLE)).isZero();
  }

  @Test
  void keepAliveIsClosedTenSecondsAfterItsLastResponseWhileAWebSocketStreamsOn() throws Exception {
    TestNode node = start(FAST_TICKS);
    RawWebSocket ws =
        RawWebSocket.connect("127.0.0.1", node.port(), "/ws?symbols=AAPL", Duration.ofSeconds(5));
    sockets.add(ws);
    long wsOpened = System.nanoTime();
    RawHttp keepAlive = open(node);
    // The first request comes 3 s after opening: its response, not the opening, starts the clock.
    Await.result(vertx.timer(3_000));
    keepAlive.send(RawHttp.get("/api/quotes/AAPL"));
    RawHttp.Response quote = keepAlive.readResponse(Duration.ofSeconds(5));
    long answered = System.nanoTime();
    assertThat(quote.status()).isEqualTo(200);
    assertThat(quote.head()).doesNotContainIgnoringCase("connection: close");
    RawHttp.Closed closed = keepAlive.awaitClose(Duration.ofMillis(HEAD_MS + LATE_MS + 5_000));

    long afterResponseMs = ms(closed.atNanos() - answered);
    long afterOpeningMs = ms(closed.atNanos() - keepAlive.openedNanos());
    System.out.printf(
        "keep-alive closed %d ms after its response, %d ms after opening%n",
        afterResponseMs, afterOpeningMs);
    // The response left the server just before the client had read it.
    assertThat(afterResponseMs)
        .as("closed, ms after its response")
        .isBetween(HEAD_MS - 100, HEAD_MS + LATE_MS);
    assertThat(afterOpeningMs).as("closed, ms after opening").isGreaterThan(HEAD_MS + LATE_MS);
    assertThat(closed.bytesRead())
        .as("bytes after the response")
        .isEqualTo(quote.head().length() + quote.body().length());
    awaitMetric(node, IDLE, 1);
    assertThat(node.metric(HEADER_TIMEOUT)).isZero();

    // The WebSocket opened with it streams on, a second past that close and 14 s after opening.
    long until = closed.atNanos() + TimeUnit.SECONDS.toNanos(1);
    RawWebSocket.Frame last =
        ws.readUntil(f -> f.isClose() || f.receivedNanos() - until > 0, Duration.ofSeconds(10));
    assertThat(last.isClose()).as("the guard closed the WebSocket: %s", last).isFalse();
    assertThat(last.text()).contains("\"type\":\"tick\"");
    assertThat(ms(last.receivedNanos() - wsOpened)).isGreaterThan(HEAD_MS + LATE_MS);
    assertThat(ws.received()).noneMatch(RawWebSocket.Frame::isClose);
    assertThat(node.metric("stockstream_ws_connections")).isEqualTo(1);
    assertThat(node.metric(OPEN)).as("the WebSocket is not an HTTP connection any more").isZero();
  }

  @Test
  void overTheCapNewConnectionsAreClosedAtOnceAndCountedWhileWebSocketsAndRestStillWork()
      throws Exception {
    TestNode node =
        start(
            Map.of("STOCKSTREAM_MAX_HTTP_CONNECTIONS", "3", "STOCKSTREAM_TICK_INTERVAL_MS", "50"));
    RawWebSocket ws =
        RawWebSocket.connect("127.0.0.1", node.port(), "/ws?symbols=AAPL", Duration.ofSeconds(5));
    sockets.add(ws);
    ws.readUntil(f -> f.text().contains("\"type\":\"tick\""), Duration.ofSeconds(5));
    // Upgraded, it holds no HTTP slot: three plain connections still fit.
    awaitMetric(node, OPEN, 0);
    List<RawHttp> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      held.add(open(node));
    }
    awaitMetric(node, OPEN, 3);

    long refusedMs = msToRefusal(node);
    assertThat(refusedMs).as("ms to reset the connection over the cap").isLessThan(1_000);
    awaitMetric(node, CAPACITY, 1);
    // A REST client meets the same refusal while the node is full.
    assertThatThrownBy(() -> Await.result(Http.get(vertx, node.port(), "/api/quotes/AAPL"), 15_000))
        .isInstanceOf(AssertionError.class);
    awaitMetric(node, CAPACITY, 2);
    // The WebSocket streams on through all of it.
    long now = System.nanoTime();
    RawWebSocket.Frame tick =
        ws.readUntil(
            f -> f.text().contains("\"type\":\"tick\"") && f.receivedNanos() - now > 0,
            Duration.ofSeconds(5));
    assertThat(tick.isClose()).isFalse();

    // With a slot free again, REST and a new WebSocket get through.
    held.get(0).close();
    awaitMetric(node, OPEN, 2);
    Http.Response quote = Await.result(Http.get(vertx, node.port(), "/api/quotes/AAPL"), 15_000);
    assertThat(quote.status()).isEqualTo(200);
    // The REST client has closed its connection; the node frees its slot once it sees the close.
    awaitMetric(node, OPEN, 2);
    RawWebSocket second =
        RawWebSocket.connect("127.0.0.1", node.port(), "/ws?symbols=MSFT", Duration.ofSeconds(5));
    sockets.add(second);
    assertThat(second.readFrame().text()).contains("\"type\":\"welcome\"");
    awaitMetric(node, "stockstream_ws_connections", 2);
    awaitMetric(node, OPEN, 2);
    assertThat(node.metric(CAPACITY)).isEqualTo(2);
    assertThat(node.metric(HEADER_TIMEOUT) + node.metric(IDLE)).isZero();
  }

  @Test
  void aResponseTheClientDoesNotReadIsDroppedAfterTheResponseTimeout() throws Exception {
    long timeoutMs = 2_000;
    TestNode node = start(Map.of("STOCKSTREAM_HTTP_RESPONSE_TIMEOUT_MS", Long.toString(timeoutMs)));
    // The dashboard's largest static file, asked for many times over one connection: far more
    // than the socket buffers between a peer that reads nothing and the server hold.
    String map = chartJsPath() + ".map";
    long fileBytes = Await.result(Http.get(vertx, node.port(), map)).body().length();
    assertThat(fileBytes).isGreaterThan(500_000);
    int asks = 16;
    RawHttp reader = RawHttp.connect(node.port(), 4096);
    sockets.add(reader);
    long sent = System.nanoTime();
    reader.send(RawHttp.get(map).repeat(asks));
    awaitMetric(node, RESPONSE_TIMEOUT, 1);
    long droppedMs = ms(System.nanoTime() - sent);
    System.out.printf("unread response dropped %d ms after the requests%n", droppedMs);
    assertThat(droppedMs)
        .as("ms to drop the stalled response")
        .isBetween(timeoutMs, timeoutMs + LATE_MS);

    RawHttp.Closed closed = reader.awaitClose(Duration.ofSeconds(10));
    assertThat(closed.bytesRead()).as("bytes that got through").isLessThan(asks * fileBytes);
    awaitMetric(node, OPEN, 0);
    assertThat(node.metric(IDLE) + node.metric(HEADER_TIMEOUT)).isZero();
  }
}
