package io.stockstream;

import static java.util.stream.Collectors.joining;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.market.PriceWalk;
import io.stockstream.market.SymbolSpec;
import io.stockstream.market.Universe;
import io.stockstream.support.Await;
import io.stockstream.support.ServiceProcess;
import io.stockstream.support.WsClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real jar as a process: its ports, REST, probes, metrics, SIGTERM drain and seeded prices. */
class ServiceProcessIT {

  private static final Map<String, String> FREE_PORTS =
      Map.of("STOCKSTREAM_HTTP_PORT", "0", "STOCKSTREAM_MANAGEMENT_PORT", "0");

  /** The default of STOCKSTREAM_DRAIN_SPREAD_MS. */
  private static final long DRAIN_SPREAD_MS = 5000;

  /** A line of a Java stack trace, or of its cause chain. */
  private static final Pattern STACK_TRACE =
      Pattern.compile("^\\s+at \\S+\\(.*\\)$|^Caused by: |^Exception in thread ");

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<ServiceProcess> processes = new ArrayList<>();
  private Vertx vertx;
  private Context context;

  @BeforeEach
  void createVertx() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void stopEverything() throws Exception {
    processes.forEach(ServiceProcess::close);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private ServiceProcess start(Map<String, String> env) throws Exception {
    ServiceProcess p = ServiceProcess.start(env);
    processes.add(p);
    return p;
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Runs Vert.x work on the test's one context, where WsClient wants to be used, and waits. */
  private <T> T onVertx(Supplier<Future<T>> work) {
    return Await.onContext(context, work, 20_000);
  }

  private static void assertNoStackTrace(ServiceProcess p) {
    for (String line : p.output().lines().toList()) {
      assertThat(STACK_TRACE.matcher(line).find())
          .as("stack trace in the log: '%s'\n%s", line, p.output())
          .isFalse();
    }
  }

  @Test
  void withOnlyFreePortsItLogsBothPortsAndServesRestProbesAndMetrics() throws Exception {
    ServiceProcess p = start(FREE_PORTS);
    int pub = p.publicPort();
    int mgmt = p.managementPort();
    assertThat(pub).isPositive().isNotEqualTo(mgmt);
    assertThat(mgmt).isPositive();

    HttpResponse<String> quote = get(pub, "/api/quotes/AAPL");
    assertThat(quote.statusCode()).isEqualTo(200);
    assertThat(quote.headers().firstValue("Content-Type"))
        .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
    JsonObject q = new JsonObject(quote.body());
    assertThat(q.getString("symbol")).isEqualTo("AAPL");
    assertThat(q.getLong("seq")).isPositive();
    assertThat(q.getDouble("price")).isPositive();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    HttpResponse<String> ready = get(mgmt, "/health/ready");
    while (ready.statusCode() != 200 && System.nanoTime() < deadline) {
      ready = get(mgmt, "/health/ready");
    }
    assertThat(ready.statusCode()).as("/health/ready: %s", ready.body()).isEqualTo(200);
    assertThat(new JsonObject(ready.body()).getString("status")).isEqualTo("UP");
    assertThat(get(mgmt, "/health/live").statusCode()).isEqualTo(200);

    HttpResponse<String> metrics = get(mgmt, "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("stockstream_ws_connections ")
        .contains("stockstream_ticks_published_total{symbol=\"AAPL\"}")
        .contains("stockstream_http_quote_requests_total ")
        .containsPattern("(?m)^vertx_\\w+")
        .containsPattern("(?m)^jvm_\\w+");

    p.terminate();
    assertThat(p.waitForExit(Duration.ofSeconds(10))).isZero();
    assertNoStackTrace(p);
  }

  /** What one client saw of a shutdown. */
  private record Drain(JsonObject draining, short closeCode, JsonObject lastFrame) {}

  @Test
  void sigtermSendsDrainingThenCloses1001AndExits0() throws Exception {
    ServiceProcess p = start(FREE_PORTS);
    int pub = p.publicPort();
    List<WsClient> clients = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      clients.add(
          onVertx(
              () ->
                  WsClient.connect(vertx, pub, "/ws?symbols=AAPL,MSFT")
                      .compose(c -> c.next("welcome").compose(w -> c.next("subscribed")).map(c))));
    }
    // Wait for what the shutdown will send, from now on.
    List<CompletableFuture<Drain>> drains = new ArrayList<>();
    for (WsClient c : clients) {
      drains.add(
          onVertx(
              () -> {
                Future<JsonObject> draining = c.next("draining");
                Future<Drain> drain =
                    draining.compose(
                        d ->
                            c.closed()
                                .map(
                                    code ->
                                        new Drain(
                                            d, code, c.received().get(c.received().size() - 1))));
                return Future.succeededFuture(drain.toCompletionStage().toCompletableFuture());
              }));
    }

    long terminated = System.nanoTime();
    p.terminate();
    for (CompletableFuture<Drain> f : drains) {
      Drain d = f.get(10, TimeUnit.SECONDS);
      long after = d.draining().getLong("reconnectAfterMs");
      assertThat(after).isBetween(0L, DRAIN_SPREAD_MS);
      assertThat(d.closeCode()).isEqualTo((short) 1001);
      // Nothing came after the notice: it is the last word before the close.
      assertThat(d.lastFrame().getString("type")).isEqualTo("draining");
    }
    int code = p.waitForExit(Duration.ofSeconds(10));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - terminated);
    assertThat(code).as("exit code; output:\n%s", p.output()).isZero();
    assertThat(tookMs).as("ms from SIGTERM to exit").isLessThan(10_000);
    assertNoStackTrace(p);
    assertThat(p.output()).contains(" Main - stopped");
    // A stopped node accepts nothing any more.
    boolean refused =
        onVertx(
            () ->
                WsClient.connect(vertx, pub, "/ws")
                    .transform(ar -> Future.succeededFuture(ar.failed())));
    assertThat(refused).isTrue();
  }

  @Test
  void sigtermWithNoConnectionRunsTheWholeShutdownAndExits0() throws Exception {
    ServiceProcess p = start(FREE_PORTS);
    p.publicPort();
    p.terminate();
    int code = p.waitForExit(Duration.ofSeconds(10));
    assertThat(code).as("exit code; output:\n%s", p.output()).isZero();
    // The last step of the shutdown ran, rather than the JVM ending when its threads did.
    assertThat(p.output()).contains(" Main - stopped");
    assertNoStackTrace(p);
  }

  @Test
  void sameSeedGivesSamePricesInTwoProcesses() throws Exception {
    Map<String, String> seeded = new HashMap<>(FREE_PORTS);
    seeded.put("STOCKSTREAM_SEED", "7");
    seeded.put("STOCKSTREAM_TICK_INTERVAL_MS", "20");
    ServiceProcess a = start(seeded);
    ServiceProcess b = start(seeded);
    int k = 15;
    Map<Long, JsonObject> pathA = firstTicks(a.publicPort(), "AAPL", k);
    Map<Long, JsonObject> pathB = firstTicks(b.publicPort(), "AAPL", k);
    assertThat(pathA.keySet()).containsExactlyElementsOf(pathB.keySet());
    for (long seq = 1; seq <= k; seq++) {
      for (String field : List.of("price", "open", "high", "low", "volume")) {
        assertThat(pathB.get(seq).getValue(field))
            .as("AAPL %s at seq %d", field, seq)
            .isEqualTo(pathA.get(seq).getValue(field));
      }
    }
    // The controls: the path is the walk of seed 7, which another seed does not take.
    assertThat(prices(pathA)).isEqualTo(walk(7, 20, k)).isNotEqualTo(walk(8, 20, k));
  }

  /**
   * A heap too small for the larger history (10,000 ticks a symbol at 5 ms, 40 MB for 50 symbols)
   * keeps the smaller one, 1000 ticks, says so, and a client resuming over a socket gets exactly
   * that: a replay from 900 ticks back, a gap from 1050 back.
   */
  @Test
  void aHeapTooSmallForTheLargerHistoryKeepsAThousandTicksAndSaysSo() throws Exception {
    Map<String, String> env = new HashMap<>(FREE_PORTS);
    env.put("JAVA_TOOL_OPTIONS", "-Xmx64m");
    env.put("STOCKSTREAM_TICK_INTERVAL_MS", "5");
    env.put(
        "STOCKSTREAM_SYMBOLS",
        Stream.concat(
                Universe.defaults().stream().map(SymbolSpec::symbol),
                IntStream.range(0, 26).mapToObj(i -> "S" + i))
            .collect(joining(",")));
    ServiceProcess p = start(env);
    int port = p.publicPort();
    assertThat(p.output()).contains("history: keeping 1000 ticks of each symbol");

    long latest =
        onVertx(
                () ->
                    WsClient.connect(vertx, port, "/ws?symbols=AAPL")
                        .compose(
                            c ->
                                c.next(
                                        f ->
                                            "tick".equals(f.getString("type"))
                                                && f.getLong("seq") > 1100)
                                    .eventually(c::close)))
            .getLong("seq");

    JsonObject replayed = resume(port, latest - 900);
    assertThat(replayed.getJsonArray("gaps")).as("900 ticks back").isEmpty();
    JsonObject gapped = resume(port, latest - 1050);
    assertThat(gapped.getJsonArray("gaps")).as("1050 ticks back").containsExactly("AAPL");
  }

  /** The {@code subscribed} a client resuming AAPL from {@code since} gets. */
  private JsonObject resume(int port, long since) {
    return onVertx(
        () ->
            WsClient.connect(vertx, port, "/ws")
                .compose(
                    c ->
                        c.next("welcome")
                            .compose(
                                w ->
                                    c.send(
                                        new JsonObject()
                                            .put("op", "subscribe")
                                            .put("symbols", List.of("AAPL"))
                                            .put("since", new JsonObject().put("AAPL", since))
                                            .put("epoch", w.getString("epoch"))))
                            .compose(v -> c.next("subscribed"))
                            .eventually(c::close)));
  }

  private static List<Double> prices(Map<Long, JsonObject> path) {
    return path.values().stream().map(t -> t.getDouble("price")).toList();
  }

  /** AAPL's prices at seq 1..k for a seed, as the feed's model computes them. */
  private static List<Double> walk(long seed, long tickIntervalMs, int k) {
    PriceWalk w = new PriceWalk(Universe.lookup("AAPL").orElseThrow(), seed, tickIntervalMs);
    List<Double> out = new ArrayList<>();
    out.add(w.first(0).price());
    while (out.size() < k) {
      out.add(w.next(0).price());
    }
    return out;
  }

  /** Ticks 1..k of a symbol, recovered from the start with {@code since: 0}, then live. */
  private Map<Long, JsonObject> firstTicks(int port, String symbol, int k) throws Exception {
    return onVertx(
        () ->
            WsClient.connect(vertx, port, "/ws")
                .compose(
                    c ->
                        c.next("welcome")
                            .compose(
                                w ->
                                    c.send(
                                        new JsonObject()
                                            .put("op", "subscribe")
                                            .put("symbols", List.of(symbol))
                                            .put("since", new JsonObject().put(symbol, 0))))
                            .compose(v -> c.next("subscribed"))
                            .compose(s -> collect(c, symbol, k, new TreeMap<>()))
                            .eventually(c::close)));
  }

  private static Future<Map<Long, JsonObject>> collect(
      WsClient c, String symbol, int k, TreeMap<Long, JsonObject> path) {
    if (path.size() >= k) {
      return Future.succeededFuture(new TreeMap<>(path.headMap((long) k, true)));
    }
    return c.nextTick(symbol)
        .compose(
            t -> {
              path.put(t.getLong("seq"), t);
              return collect(c, symbol, k, path);
            });
  }
}
