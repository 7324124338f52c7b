package io.stockstream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.stockstream.support.Await;
import io.stockstream.support.Eventually;
import io.stockstream.support.ExternalTool;
import io.stockstream.support.Http;
import io.stockstream.support.PrometheusServer;
import io.stockstream.support.Promql;
import io.stockstream.support.ServiceProcess;
import io.stockstream.support.WsClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus scrapes the real jar (started with the image's command) while WebSocket clients
 * are subscribed, REST clients poll and a foreign page is refused: every query of the Grafana
 * dashboard returns data, every series selector of the alert rules matches series that exist, and
 * every rule evaluates. Needs Debian's prometheus: skipped without it, failed under CI=true.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PrometheusIT {

  private static final Path RULES = Path.of("prometheus", "rules", "stockstream.yml");

  /** Prometheus scrapes every second (PrometheusServer), so a rate needs a few seconds. */
  private static final String RATE_INTERVAL = "4s";

  private static final long DEADLINE_MS = 90_000;
  private static final long EVERY_MS = 250;

  private Vertx vertx;
  private Context context;
  private ServiceProcess service;
  private PrometheusServer prometheus;
  private final List<WsClient> clients = new ArrayList<>();
  private String instance;
  private long poller;

  /**
   * Starts everything; whatever started before a step failed is stopped again at once, so that a
   * failed start leaks neither the jar nor Prometheus, whether or not {@code @AfterAll} runs.
   */
  @BeforeAll
  void startTheServiceClientsAndPrometheus(@TempDir Path dir) throws Exception {
    Path binary = ExternalTool.require("prometheus", "prometheus");
    try {
      start(binary, dir);
    } catch (Throwable e) {
      try {
        stopEverything();
      } catch (Throwable stop) {
        e.addSuppressed(stop);
      }
      throw e;
    }
  }

  private void start(Path binary, Path dir) throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    service =
        ServiceProcess.start(
            Map.of(
                "STOCKSTREAM_HOST", "127.0.0.1",
                "STOCKSTREAM_HTTP_PORT", "0",
                "STOCKSTREAM_MANAGEMENT_PORT", "0",
                "STOCKSTREAM_TICK_INTERVAL_MS", "50"));
    int pub = service.publicPort();
    int management = service.managementPort();
    instance = "127.0.0.1:" + management;

    // Subscribers, so that ticks are fanned out and frames of several types are sent.
    for (int i = 0; i < 3; i++) {
      clients.add(
          onVertx(
              () ->
                  WsClient.connect(vertx, pub, "/ws?symbols=AAPL,MSFT,NVDA")
                      .compose(c -> c.next("subscribed").compose(s -> c.nextTick("AAPL")).map(c))));
    }
    // A page from a foreign origin: refused with 403 and counted as rejected_origin.
    boolean refused =
        onVertx(
            () ->
                WsClient.connect(
                        vertx,
                        new WebSocketConnectOptions()
                            .setHost("127.0.0.1")
                            .setPort(pub)
                            .setURI("/ws")
                            .addHeader("Origin", "http://evil.example"),
                        false)
                    .transform(ar -> Future.succeededFuture(ar.failed())));
    assertThat(refused).isTrue();
    // Pollers, all the time the test runs, so that rates over the last seconds are not 0/0.
    onVertx(
        () -> {
          poller =
              vertx.setPeriodic(
                  100,
                  id ->
                      Http.get(vertx, pub, "/api/quotes/AAPL?since=1")
                          .compose(r -> Http.get(vertx, pub, "/api/quotes?symbols=AAPL,MSFT")));
          return Future.succeededFuture();
        });

    prometheus = PrometheusServer.start(binary, instance, dir);
    onVertx(() -> prometheus.ready(vertx, DEADLINE_MS));
  }

  /**
   * Stops what is running, each step even when an earlier one threw (the first failure is thrown,
   * the others suppressed in it); running twice is harmless.
   */
  @AfterAll
  void stopEverything() throws Exception {
    Vertx v = vertx;
    PrometheusServer p = prometheus;
    ServiceProcess s = service;
    vertx = null;
    prometheus = null;
    service = null;
    Throwable failure = null;
    if (v != null) {
      failure = guarded(failure, () -> v.cancelTimer(poller));
    }
    if (p != null) {
      failure = guarded(failure, p::close);
    }
    if (s != null) {
      failure =
          guarded(
              failure,
              () -> {
                try {
                  s.terminate();
                  s.waitForExit(Duration.ofSeconds(15));
                } finally {
                  s.close();
                }
              });
    }
    if (v != null) {
      failure = guarded(failure, () -> v.close().await(10, TimeUnit.SECONDS));
    }
    if (failure instanceof Exception e) {
      throw e;
    } else if (failure instanceof Error e) {
      throw e;
    }
  }

  /** A step of {@link #stopEverything}. */
  private interface Step {
    void run() throws Exception;
  }

  private static Throwable guarded(Throwable first, Step step) {
    try {
      step.run();
      return first;
    } catch (Throwable e) {
      if (first == null) {
        return e;
      }
      first.addSuppressed(e);
      return first;
    }
  }

  /** Runs Vert.x work on the test's one context, where WsClient wants to be used, and waits. */
  private <T> T onVertx(Supplier<Future<T>> work) {
    return Await.onContext(context, work, DEADLINE_MS + 30_000);
  }

  private Map<String, String> variables() {
    return Map.of(
        "__rate_interval",
        RATE_INTERVAL,
        "__interval",
        "1s",
        "__range",
        "1m",
        "datasource",
        "prometheus",
        "instance",
        instance);
  }

  /** What is wrong with the answer to an instant query: empty, not a number, failed. */
  private Future<String> problem(String expr) {
    return prometheus
        .api(vertx, "/api/v1/query", Map.of("query", expr))
        .map(
            body -> {
              JsonArray result = body.getJsonObject("data").getJsonArray("result");
              if (result.isEmpty()) {
                return "no data";
              }
              for (Object o : result) {
                String value = ((JsonObject) o).getJsonArray("value").getString(1);
                if (!Double.isFinite(Double.parseDouble(value))) {
                  return "value " + value + " for " + ((JsonObject) o).getJsonObject("metric");
                }
              }
              return null;
            })
        .otherwise(Throwable::toString);
  }

  /** The queries that do not (yet) give data, each with its problem. */
  private Future<Map<String, String>> problems(List<Dashboard.Query> queries) {
    List<Future<String>> answers = new ArrayList<>();
    for (Dashboard.Query q : queries) {
      answers.add(problem(Promql.substitute(q.expr(), variables())));
    }
    return Future.join(answers)
        .transform(
            all -> {
              Map<String, String> out = new LinkedHashMap<>();
              for (int i = 0; i < queries.size(); i++) {
                String problem = answers.get(i).result();
                if (problem != null) {
                  Dashboard.Query q = queries.get(i);
                  out.put(q.panel() + " / " + q.refId() + ": " + q.expr(), problem);
                }
              }
              return Future.succeededFuture(out);
            });
  }

  @Test
  void everyDashboardQueryReturnsDataFromTheScrapedService() throws Exception {
    // A single node exports no cluster metric (GrafanaDashboardTest keeps them in their own row).
    List<Dashboard.Query> queries =
        Dashboard.read().queries().stream()
            .filter(q -> !q.row().equals(Dashboard.CLUSTER_ROW))
            .toList();
    assertThat(queries).hasSizeGreaterThan(20);
    // Data comes as soon as Prometheus has scraped a few times; a broken query never gives any.
    Map<String, String> problems =
        onVertx(
            () ->
                Eventually.settle(
                    vertx, DEADLINE_MS, EVERY_MS, () -> problems(queries), Map::isEmpty));
    assertThat(problems).as("dashboard queries without data").isEmpty();
  }

  @Test
  void instanceVariableListsTheScrapedNode() throws Exception {
    JsonObject variable = Dashboard.read().variable("instance");
    String query = variable.getJsonObject("query").getString("query");
    // label_values(METRIC, LABEL) is what Grafana asks /api/v1/label/LABEL/values for.
    var m = java.util.regex.Pattern.compile("label_values\\((\\w+),\\s*(\\w+)\\)").matcher(query);
    assertThat(m.matches()).as(query).isTrue();
    JsonArray values =
        onVertx(
            () ->
                Eventually.settle(
                    vertx,
                    DEADLINE_MS,
                    EVERY_MS,
                    () ->
                        prometheus
                            .api(
                                vertx,
                                "/api/v1/label/" + m.group(2) + "/values",
                                Map.of("match[]", m.group(1)))
                            .map(b -> b.getJsonArray("data")),
                    a -> !a.isEmpty()));
    assertThat(values.getList()).containsExactly(instance);
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyAlertRuleSelectsExistingSeriesAndEvaluates() throws Exception {
    Map<String, Object> file =
        new ObjectMapper(new YAMLFactory()).readValue(RULES.toFile(), Map.class);
    List<String> alerts = new ArrayList<>();
    List<String> selectors = new ArrayList<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        alerts.add((String) rule.get("alert"));
        for (String s : Promql.selectors((String) rule.get("expr"))) {
          // A single node exports no cluster metric: those rules select nothing here.
          if (!selectors.contains(s) && !ClusterMetrics.selects(s)) {
            selectors.add(s);
          }
        }
      }
    }
    assertThat(selectors).contains("up{job=\"stockstream\"}");
    for (String selector : selectors) {
      JsonArray series =
          onVertx(
              () ->
                  Eventually.settle(
                      vertx,
                      DEADLINE_MS,
                      EVERY_MS,
                      () ->
                          prometheus
                              .api(vertx, "/api/v1/series", Map.of("match[]", selector))
                              .map(b -> b.getJsonArray("data")),
                      a -> !a.isEmpty()));
      assertThat(series).as("series of %s", selector).isNotEmpty();
    }
    // Prometheus loaded every rule of the file and evaluated each without an error.
    JsonArray groups =
        onVertx(
            () ->
                Eventually.settle(
                    vertx,
                    DEADLINE_MS,
                    EVERY_MS,
                    () ->
                        prometheus
                            .api(vertx, "/api/v1/rules", Map.of())
                            .map(b -> b.getJsonObject("data").getJsonArray("groups")),
                    g -> allRules(g).stream().allMatch(r -> "ok".equals(r.getString("health")))));
    assertThat(allRules(groups).stream().map(r -> r.getString("name")))
        .containsExactlyInAnyOrderElementsOf(alerts);
    for (JsonObject rule : allRules(groups)) {
      assertThat(rule.getString("health")).as("%s", rule).isEqualTo("ok");
    }
    // The node is up, ready and ticking, and not in cluster mode: none of these alerts is on its
    // way. (The others depend on load and timing, which a test must not.)
    JsonArray active =
        onVertx(
            () ->
                prometheus
                    .api(vertx, "/api/v1/alerts", Map.of())
                    .map(b -> b.getJsonObject("data").getJsonArray("alerts")));
    assertThat(
            active.stream()
                .map(a -> ((JsonObject) a).getJsonObject("labels").getString("alertname")))
        .doesNotContain(
            "StockstreamNodeDown",
            "StockstreamNodeNotReady",
            "StockstreamNoTicksPublished",
            "StockstreamFeedLeaderMissing",
            "StockstreamFeedSplitBrain",
            "StockstreamClusterMembersMissing",
            "StockstreamClusterBusLagHigh");
  }

  private static List<JsonObject> allRules(JsonArray groups) {
    List<JsonObject> out = new ArrayList<>();
    for (Object g : groups) {
      for (Object r : ((JsonObject) g).getJsonArray("rules")) {
        out.add((JsonObject) r);
      }
    }
    return out;
  }

  @Test
  void scrapedTargetIsUpUnderTheShippedJobName() throws Exception {
    String config = Files.readString(PrometheusServer.CONFIG);
    assertThat(config).contains("job_name: stockstream");
    JsonArray up =
        onVertx(
            () ->
                Eventually.settle(
                    vertx,
                    DEADLINE_MS,
                    EVERY_MS,
                    () ->
                        prometheus
                            .api(vertx, "/api/v1/query", Map.of("query", "up{job=\"stockstream\"}"))
                            .map(b -> b.getJsonObject("data").getJsonArray("result")),
                    r -> !r.isEmpty()));
    assertThat(up.getJsonObject(0).getJsonArray("value").getString(1)).isEqualTo("1");
    assertThat(up.getJsonObject(0).getJsonObject("metric").getString("instance"))
        .isEqualTo(instance);
  }
}
