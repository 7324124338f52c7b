package io.stockstream.bench;

import io.stockstream.support.ServiceProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Measures WebSocket fan-out end to end: the real jar as a separate process, many real client
 * connections in this JVM on loopback, latency from each tick's {@code ts} to its arrival here.
 *
 * <pre>
 * mvn -B -q -DskipTests package test-compile
 * java -cp target/stockstream.jar:target/test-classes io.stockstream.bench.FanoutBenchmark \
 *     [connections=2000] [symbolsPerConnection=5] [tickIntervalMs=100] [seconds=20]
 * </pre>
 *
 * Both processes share this machine's cores, so the figures are a floor for the server alone.
 */
public final class FanoutBenchmark {

  private static final int MAX_MS = 10_000;

  public static void main(String[] args) throws Exception {
    int connections = arg(args, 0, 2000);
    int symbolsPerConnection = arg(args, 1, 5);
    int tickIntervalMs = arg(args, 2, 100);
    int seconds = arg(args, 3, 20);
    List<String> symbols =
        List.of("AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA", "JPM", "V", "WMT");

    try (ServiceProcess server =
        ServiceProcess.start(
            Map.of(
                "STOCKSTREAM_HTTP_PORT", "0",
                "STOCKSTREAM_MANAGEMENT_PORT", "0",
                "STOCKSTREAM_SEED", "1",
                "STOCKSTREAM_SYMBOLS", String.join(",", symbols),
                "STOCKSTREAM_TICK_INTERVAL_MS", String.valueOf(tickIntervalMs),
                "STOCKSTREAM_MAX_CONNECTIONS", String.valueOf(connections + 10),
                "STOCKSTREAM_RATE_LIMIT_BURST", "1000"))) {
      int port = server.publicPort();
      Vertx vertx = Vertx.vertx();
      try {
        run(vertx, port, connections, symbols, symbolsPerConnection, tickIntervalMs, seconds);
      } finally {
        vertx.close().await(10, TimeUnit.SECONDS);
        server.terminate();
        server.waitForExit(Duration.ofSeconds(15));
      }
    }
  }

  private static void run(
      Vertx vertx,
      int port,
      int connections,
      List<String> symbols,
      int perConnection,
      int tickIntervalMs,
      int seconds)
      throws Exception {
    WebSocketClient client =
        vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(connections));
    AtomicLongArray histogram = new AtomicLongArray(MAX_MS + 1);
    LongAdder frames = new LongAdder();
    boolean[] measuring = {false};
    List<Future<?>> opened = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      List<String> mine = new ArrayList<>();
      for (int k = 0; k < perConnection; k++) {
        mine.add(symbols.get((i + k) % symbols.size()));
      }
      WebSocketConnectOptions options =
          new WebSocketConnectOptions()
              .setHost("127.0.0.1")
              .setPort(port)
              .setURI("/ws?symbols=" + String.join(",", mine));
      opened.add(
          client
              .connect(options)
              .onSuccess(
                  ws ->
                      ws.textMessageHandler(
                          text -> {
                            long ts = tickTs(text);
                            if (ts > 0 && measuring[0]) {
                              long ms =
                                  Math.min(MAX_MS, Math.max(0, System.currentTimeMillis() - ts));
                              histogram.incrementAndGet((int) ms);
                              frames.increment();
                            }
                          })));
      if (opened.size() % 200 == 0) {
        Future.all(opened.subList(opened.size() - 200, opened.size())).await(30, TimeUnit.SECONDS);
      }
    }
    Future.all(opened).await(60, TimeUnit.SECONDS);
    System.out.printf(
        "connected %d clients, %d symbols each, %d symbols ticking every %d ms on average%n",
        connections, perConnection, symbols.size(), tickIntervalMs);

    // Warm-up, then measure: the JIT and the connection setup are not what is measured.
    vertx.timer(3, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    vertx.runOnContext(v -> measuring[0] = true);
    long start = System.nanoTime();
    vertx.timer(seconds, TimeUnit.SECONDS).await(seconds + 10L, TimeUnit.SECONDS);
    measuring[0] = false;
    double elapsed = (System.nanoTime() - start) / 1e9;

    HttpClient http = vertx.createHttpClient();
    JsonObject compare =
        http.request(io.vertx.core.http.HttpMethod.GET, port, "127.0.0.1", "/api/compare")
            .compose(req -> req.send())
            .compose(resp -> resp.body())
            .map(Buffer::toJsonObject)
            .await(10, TimeUnit.SECONDS);

    long total = frames.sum();
    System.out.printf(
        "tick frames received: %d in %.1f s = %.0f frames/s%n", total, elapsed, total / elapsed);
    System.out.printf(
        "end-to-end latency (tick ts -> client, ms): p50 %d  p99 %d  p99.9 %d  max %d%n",
        percentile(histogram, total, 0.50),
        percentile(histogram, total, 0.99),
        percentile(histogram, total, 0.999),
        percentile(histogram, total, 1.0));
    System.out.println("server /api/compare: " + compare.getJsonObject("websocket").encode());
  }

  /** The {@code ts} of a tick frame, read without a JSON parser; -1 for other frames. */
  static long tickTs(String frame) {
    if (!frame.startsWith("{\"type\":\"tick\"")) {
      return -1;
    }
    int i = frame.lastIndexOf("\"ts\":");
    long ts = 0;
    for (int k = i + 5; k < frame.length() && Character.isDigit(frame.charAt(k)); k++) {
      ts = ts * 10 + (frame.charAt(k) - '0');
    }
    return ts;
  }

  private static long percentile(AtomicLongArray histogram, long total, double p) {
    long rank = (long) Math.ceil(p * total);
    long seen = 0;
    for (int ms = 0; ms <= MAX_MS; ms++) {
      seen += histogram.get(ms);
      if (seen >= rank && seen > 0) {
        return ms;
      }
    }
    return MAX_MS;
  }

  private static int arg(String[] args, int i, int fallback) {
    return args.length > i ? Integer.parseInt(args[i]) : fallback;
  }
}
