package io.stockstream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.stockstream.support.Promql;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard provisions without import-time inputs and has the rows the issue asks for;
 * that every query returns data is {@link PrometheusIT}'s part.
 */
class GrafanaDashboardTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern METRIC = Pattern.compile("\\bstockstream_[a-z_]+");

  private final Dashboard dashboard;

  GrafanaDashboardTest() throws Exception {
    dashboard = Dashboard.read();
  }

  @Test
  void picksItsDataSourceWithAVariableNotWithImportInputs() throws Exception {
    String text = Files.readString(Dashboard.PATH);
    assertThat(text)
        .doesNotContain("__inputs")
        .doesNotContain("__requires")
        .doesNotContain("${DS_");
    JsonObject ds = dashboard.variable("datasource");
    assertThat(ds.getString("type")).isEqualTo("datasource");
    assertThat(ds.getString("query")).isEqualTo("prometheus");
    JsonObject viaVariable = new JsonObject().put("type", "prometheus").put("uid", "${datasource}");
    for (Dashboard.Panel p : dashboard.panels()) {
      assertThat(p.json().getJsonObject("datasource")).as(p.title()).isEqualTo(viaVariable);
      for (JsonObject t : p.targets()) {
        assertThat(t.getJsonObject("datasource")).as(p.title()).isEqualTo(viaVariable);
        assertThat(t.getString("expr")).as(p.title()).isNotBlank();
      }
    }
    assertThat(dashboard.variable("instance").getJsonObject("datasource")).isEqualTo(viaVariable);
  }

  @Test
  void hasTheTrafficLatencyHealthComparisonAndClusterRows() {
    assertThat(dashboard.rows().stream().map(Dashboard.Row::title))
        .containsExactly(
            "Traffic",
            "Latency",
            "Health",
            "Comparison: REST polling vs WebSocket push",
            Dashboard.CLUSTER_ROW);
    assertThat(String.join("\n", dashboard.rows().get(0).exprs()))
        .contains("stockstream_ws_connections")
        .contains("sum by (outcome) (rate(stockstream_ws_handshakes_total")
        .contains("stockstream_ws_subscriptions")
        .contains("sum by (type) (rate(stockstream_ws_frames_sent_total");
    Dashboard.Row latency = dashboard.rows().get(1);
    assertThat(String.join("\n", latency.exprs()))
        .contains("histogram_quantile(0.5, sum by (le) (rate(stockstream_fanout_latency")
        .contains("histogram_quantile(0.9, sum by (le) (rate(stockstream_fanout_latency")
        .contains("histogram_quantile(0.99, sum by (le) (rate(stockstream_fanout_latency");
    Dashboard.Panel heatmap =
        latency.panels().stream().filter(p -> p.type().equals("heatmap")).findFirst().orElseThrow();
    assertThat(heatmap.targets())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.getString("format")).isEqualTo("heatmap");
              assertThat(t.getString("expr")).contains("stockstream_fanout_latency_seconds_bucket");
            });
    assertThat(String.join("\n", dashboard.rows().get(2).exprs()))
        .contains("stockstream_ws_ticks_conflated_total")
        .contains("sum by (reason) (rate(stockstream_ws_disconnects_total")
        .contains("vertx_eventbus_")
        .contains("jvm_memory_used_bytes")
        .contains("jvm_gc_");
    assertThat(String.join("\n", dashboard.rows().get(3).exprs()))
        .contains("stockstream_http_quote_requests_total")
        .contains("stockstream_ws_frames_sent_total{instance=~\"$instance\", type=\"tick\"}")
        .contains("stockstream_http_quote_bytes_total")
        .contains("stockstream_ws_tick_bytes_total");
  }

  @Test
  void clusterRowShowsLeaderMembersFailoversAndBusLag() {
    Dashboard.Row cluster = dashboard.rows().get(4);
    assertThat(String.join("\n", cluster.exprs()))
        .contains("max by (instance) (stockstream_feed_leader{instance=~\"$instance\"})")
        .contains("min by (instance) (stockstream_cluster_members{instance=~\"$instance\"})")
        .contains("max(stockstream_cluster_members_expected{instance=~\"$instance\"})")
        .contains(
            "sum by (instance) (increase(stockstream_feed_failovers_total{instance=~\"$instance\"}"
                + "[$__range]))")
        .contains("histogram_quantile(0.5, sum by (le) (rate(stockstream_cluster_bus_lag_seconds")
        .contains("histogram_quantile(0.99, sum by (le) (rate(stockstream_cluster_bus_lag_seconds");
    Dashboard.Panel leader = panel(cluster, "stockstream_feed_leader");
    assertThat(leader.type()).isEqualTo("state-timeline");
    assertThat(leader.json().getJsonObject("fieldConfig").encode())
        .contains("\"1\":{\"text\":\"leader\"")
        .contains("\"0\":{\"text\":\"follower\"");
    // Over the range picked, not per interval: the number of failovers is what one reads there.
    Dashboard.Panel failovers = panel(cluster, "stockstream_feed_failovers_total");
    assertThat(failovers.type()).isEqualTo("stat");
    assertThat(failovers.targets())
        .singleElement()
        .satisfies(t -> assertThat(t.getBoolean("instant")).isTrue());
  }

  private static Dashboard.Panel panel(Dashboard.Row row, String metric) {
    return row.panels().stream()
        .filter(p -> p.targets().stream().anyMatch(t -> t.getString("expr").contains(metric)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no panel of " + metric + " in " + row.title()));
  }

  /**
   * The cluster row queries the cluster metrics and only them, and no other row does: {@link
   * PrometheusIT} scrapes a single node, which exports none, and leaves out exactly this row.
   */
  @Test
  void onlyTheClusterRowQueriesClusterMetricsAndItQueriesEachOfThem() {
    Set<String> inClusterRow = new HashSet<>();
    for (Dashboard.Row row : dashboard.rows()) {
      for (String expr : row.exprs()) {
        List<String> metrics = ClusterMetrics.in(expr);
        if (row.title().equals(Dashboard.CLUSTER_ROW)) {
          assertThat(metrics).as(expr).isNotEmpty();
          assertThat(ClusterMetrics.NAMES).as(expr).containsAll(metrics);
          inClusterRow.addAll(metrics);
        } else {
          assertThat(metrics)
              .as("%s, in row %s", expr, row.title())
              .noneMatch(ClusterMetrics.NAMES::contains);
        }
      }
    }
    assertThat(inClusterRow).containsExactlyInAnyOrderElementsOf(ClusterMetrics.NAMES);
  }

  @Test
  void panelsHaveUniqueIdsAndDoNotOverlap() {
    Set<Integer> ids = new HashSet<>();
    List<JsonObject> all =
        dashboard.json().getJsonArray("panels").stream().map(o -> (JsonObject) o).toList();
    boolean[][] grid = new boolean[200][24];
    for (JsonObject p : all) {
      assertThat(ids.add(p.getInteger("id"))).as("id of %s", p.getString("title")).isTrue();
      JsonObject g = p.getJsonObject("gridPos");
      int x = g.getInteger("x");
      int w = g.getInteger("w");
      assertThat(x + w).as("width of %s", p.getString("title")).isLessThanOrEqualTo(24);
      for (int y = g.getInteger("y"); y < g.getInteger("y") + g.getInteger("h"); y++) {
        for (int c = x; c < x + w; c++) {
          assertThat(grid[y][c]).as("%s overlaps another panel", p.getString("title")).isFalse();
          grid[y][c] = true;
        }
      }
    }
  }

  @Test
  void everyStockstreamMetricOfTheDashboardAndTheAlertsIsInTheReadme() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    String used =
        Files.readString(Dashboard.PATH)
            + Files.readString(Path.of("prometheus", "rules", "stockstream.yml"));
    Matcher m = METRIC.matcher(used);
    Set<String> names = new HashSet<>();
    while (m.find()) {
      names.add(m.group().replaceAll("_(bucket|count|sum)$", ""));
    }
    assertThat(names).isNotEmpty();
    for (String name : names) {
      assertThat(readme).as("README documents %s", name).contains("`" + name + "`");
    }
  }

  @Test
  void everyQueryHasSelectorsAndOnlyKnownVariables() {
    Map<String, String> vars =
        Map.of(
            "__rate_interval",
            "4s",
            "__interval",
            "1s",
            "__range",
            "1h",
            "instance",
            ".*",
            "datasource",
            "x");
    for (Dashboard.Query q : dashboard.queries()) {
      String expr = Promql.substitute(q.expr(), vars);
      assertThat(Promql.selectors(expr)).as(q.panel()).isNotEmpty();
      for (String selector : Promql.selectors(expr)) {
        assertThat(selector)
            .as("%s filters on the instance variable", q.panel())
            .contains("instance=~");
      }
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void provisioningFilesPointAtPrometheusAndAtTheDashboardsFolder() throws Exception {
    Map<String, Object> datasources =
        YAML.readValue(
            Path.of("grafana", "provisioning", "datasources", "prometheus.yml").toFile(),
            Map.class);
    assertThat(datasources).containsEntry("apiVersion", 1);
    List<Map<String, Object>> list = (List<Map<String, Object>>) datasources.get("datasources");
    assertThat(list)
        .singleElement()
        .satisfies(d -> assertThat(d).containsEntry("type", "prometheus"));

    Map<String, Object> dashboards =
        YAML.readValue(
            Path.of("grafana", "provisioning", "dashboards", "stockstream.yml").toFile(),
            Map.class);
    assertThat(dashboards).containsEntry("apiVersion", 1);
    Map<String, Object> provider = ((List<Map<String, Object>>) dashboards.get("providers")).get(0);
    assertThat(provider).containsEntry("type", "file");
    String path = (String) ((Map<String, Object>) provider.get("options")).get("path");
    // The README's command mounts the dashboards and the provisioning where these files say.
    String readme = Files.readString(Path.of("README.md"));
    assertThat(readme)
        .contains("\"$PWD/grafana/dashboards:" + path + ":ro\"")
        .contains("\"$PWD/grafana/provisioning:/etc/grafana/provisioning:ro\"");
  }
}
