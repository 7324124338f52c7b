package io.stockstream.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus, as a child process on a free loopback port, with its storage in a temporary
 * directory. Its configuration is the project's {@code prometheus/prometheus.yml} (job name, path,
 * rule files) with the scrape target, the intervals and the rule files' location made to fit a
 * test.
 */
public final class PrometheusServer implements AutoCloseable {

  public static final Path CONFIG = Path.of("prometheus", "prometheus.yml");

  private final Process process;
  private final int port;
  private final Path log;

  private PrometheusServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts {@code binary} scraping {@code target} (host:port of a management port) every second.
   */
  public static PrometheusServer start(Path binary, String target, Path dir) throws IOException {
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, configFor(target));
    int port = freePort();
    Path log = dir.resolve("prometheus.log");
    Process p =
        new ProcessBuilder(
                binary.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    return new PrometheusServer(p, port, log);
  }

  /** The project's scrape config, pointed at {@code target}, scraping and evaluating every 1 s. */
  @SuppressWarnings("unchecked")
  static String configFor(String target) throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    Map<String, Object> config = yaml.readValue(CONFIG.toFile(), Map.class);
    Map<String, Object> global = (Map<String, Object>) config.get("global");
    global.put("scrape_interval", "1s");
    global.put("evaluation_interval", "1s");
    Path base = CONFIG.toAbsolutePath().getParent();
    config.put(
        "rule_files",
        ((List<String>) config.get("rule_files"))
            .stream().map(f -> base.resolve(f).toString()).toList());
    List<Map<String, Object>> scrapes = (List<Map<String, Object>>) config.get("scrape_configs");
    if (scrapes.size() != 1) {
      throw new IllegalStateException("expected one scrape config in " + CONFIG);
    }
    scrapes.get(0).put("static_configs", List.of(Map.of("targets", List.of(target))));
    return yaml.writeValueAsString(config);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  /** Completes once Prometheus answers {@code /-/ready}; fails after {@code timeoutMs}. */
  public Future<Void> ready(Vertx vertx, long timeoutMs) {
    return Eventually.settle(
            vertx,
            timeoutMs,
            100,
            () -> {
              if (!process.isAlive()) {
                return Future.failedFuture(
                    new IllegalStateException("prometheus exited:\n" + output()));
              }
              return Http.get(vertx, port, "/-/ready").map(Http.Response::status).otherwise(e -> 0);
            },
            status -> status == 200)
        .<Void>map(
            status -> {
              if (status != 200) {
                throw new IllegalStateException("prometheus is not ready:\n" + output());
              }
              return null;
            });
  }

  /**
   * GET of an HTTP API path, e.g. {@code /api/v1/query}, with these query parameters: the whole
   * answer, whose {@code data} is an object or an array depending on the path; fails unless the
   * status is {@code success}.
   */
  public Future<JsonObject> api(Vertx vertx, String path, Map<String, String> params) {
    StringBuilder uri = new StringBuilder(path);
    char sep = '?';
    for (Map.Entry<String, String> e : params.entrySet()) {
      uri.append(sep)
          .append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    return Http.get(vertx, port, uri.toString())
        .timeout(10, TimeUnit.SECONDS)
        .map(
            r -> {
              JsonObject body = r.json();
              if (r.status() != 200 || !"success".equals(body.getString("status"))) {
                throw new IllegalStateException(uri + " answered " + r.status() + ": " + body);
              }
              return body;
            });
  }

  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "<no log: " + e + ">";
    }
  }

  /** SIGTERM, as an operator would stop it; killed if it has not stopped within 10 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
