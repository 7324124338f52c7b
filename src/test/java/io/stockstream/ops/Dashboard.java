package io.stockstream.ops;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Grafana dashboard of grafana/dashboards/, read as Grafana reads it: rows, panels, queries.
 */
record Dashboard(JsonObject json, List<Row> rows) {

  static final Path PATH = Path.of("grafana", "dashboards", "stockstream.json");

  /** The row of the metrics only a node in cluster mode exports ({@link ClusterMetrics}). */
  static final String CLUSTER_ROW = "Cluster";

  /** A panel with the row it sits in (Grafana's rows own the panels below them). */
  record Panel(String row, JsonObject json) {
    String title() {
      return json.getString("title");
    }

    String type() {
      return json.getString("type");
    }

    List<JsonObject> targets() {
      JsonArray targets = json.getJsonArray("targets", new JsonArray());
      List<JsonObject> out = new ArrayList<>();
      targets.forEach(t -> out.add((JsonObject) t));
      return out;
    }
  }

  record Row(String title, List<Panel> panels) {
    List<String> exprs() {
      return panels.stream()
          .flatMap(p -> p.targets().stream())
          .map(t -> t.getString("expr"))
          .toList();
    }
  }

  /** One PromQL expression of the dashboard, with where it comes from. */
  record Query(String row, String panel, String refId, String expr) {}

  static Dashboard read() throws IOException {
    JsonObject json = new JsonObject(Files.readString(PATH));
    List<Row> rows = new ArrayList<>();
    Row current = null;
    for (Object o : json.getJsonArray("panels")) {
      JsonObject p = (JsonObject) o;
      if ("row".equals(p.getString("type"))) {
        current = new Row(p.getString("title"), new ArrayList<>());
        rows.add(current);
        // A collapsed row keeps its panels inside itself.
        for (Object inner : p.getJsonArray("panels", new JsonArray())) {
          current.panels().add(new Panel(current.title(), (JsonObject) inner));
        }
      } else {
        if (current == null) {
          throw new IllegalStateException("panel before the first row: " + p.getString("title"));
        }
        current.panels().add(new Panel(current.title(), p));
      }
    }
    return new Dashboard(json, rows);
  }

  List<Panel> panels() {
    return rows.stream().flatMap(r -> r.panels().stream()).toList();
  }

  List<Query> queries() {
    List<Query> out = new ArrayList<>();
    for (Panel p : panels()) {
      for (JsonObject t : p.targets()) {
        out.add(new Query(p.row(), p.title(), t.getString("refId"), t.getString("expr")));
      }
    }
    return out;
  }

  List<JsonObject> variables() {
    List<JsonObject> out = new ArrayList<>();
    json.getJsonObject("templating").getJsonArray("list").forEach(v -> out.add((JsonObject) v));
    return out;
  }

  JsonObject variable(String name) {
    return variables().stream()
        .filter(v -> name.equals(v.getString("name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no template variable " + name));
  }
}
