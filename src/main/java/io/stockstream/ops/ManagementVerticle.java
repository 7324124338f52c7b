package io.stockstream.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stockstream.http.JsonErrors;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

/** The management port: Prometheus metrics and the Kubernetes liveness and readiness probes. */
public final class ManagementVerticle extends VerticleBase {

  private final String host;
  private final int port;
  private final PrometheusMeterRegistry registry;
  private final Readiness readiness;
  private HttpServer server;

  public ManagementVerticle(
      String host, int port, PrometheusMeterRegistry registry, Readiness readiness) {
    this.host = host;
    this.port = port;
    this.registry = registry;
    this.readiness = readiness;
  }

  @Override
  public Future<?> start() {
    HealthChecks live =
        HealthChecks.create(vertx).register("event-loop", p -> p.complete(Status.OK()));
    HealthChecks ready = readiness.healthChecks(vertx);

    Router router = Router.router(vertx);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(live));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(ready));
    JsonErrors errors = new JsonErrors();
    for (int status : new int[] {404, 405}) {
      router.errorHandler(status, errors.forStatus(status));
    }

    server = vertx.createHttpServer().requestHandler(router);
    return server.listen(port, host);
  }

  public int actualPort() {
    return server.actualPort();
  }
}
