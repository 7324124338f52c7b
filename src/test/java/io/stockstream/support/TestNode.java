package io.stockstream.support;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stockstream.Main;
import io.stockstream.config.Config;
import io.stockstream.config.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;

/**
 * A whole stockstream node deployed in-process on a test's Vert.x, on free ports, with a fixed
 * seed; settings are given as the environment variables a user would set.
 */
public record TestNode(Main.Node node, PrometheusMeterRegistry registry, Config config) {

  public static final long SEED = 42;

  /** Starts a node with test defaults overridden by {@code env}. */
  public static Future<TestNode> start(Vertx vertx, Map<String, String> env) {
    Map<String, String> all = new HashMap<>();
    all.put("STOCKSTREAM_HOST", "127.0.0.1");
    all.put("STOCKSTREAM_HTTP_PORT", "0");
    all.put("STOCKSTREAM_MANAGEMENT_PORT", "0");
    all.put("STOCKSTREAM_SEED", String.valueOf(SEED));
    all.put("STOCKSTREAM_WEB_INSTANCES", "2");
    all.putAll(env);
    Config config = ConfigLoader.load(all);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    return Main.deploy(vertx, config, registry).map(n -> new TestNode(n, registry, config));
  }

  public static Future<TestNode> start(Vertx vertx) {
    return start(vertx, Map.of());
  }

  public int port() {
    return node.publicPort();
  }

  public int managementPort() {
    return node.managementPort();
  }

  /** The Prometheus text exposition, as {@code /metrics} serves it. */
  public String scrape() {
    return registry.scrape();
  }

  /** The value of one sample of the exposition, e.g. {@code stockstream_ws_connections}. */
  public double metric(String sample) {
    return Exposition.value(scrape(), sample);
  }
}
