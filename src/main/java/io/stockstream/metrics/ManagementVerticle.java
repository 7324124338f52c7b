package io.stockstream.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stockstream.feed.MarketData;
import io.stockstream.rest.Errors;
import io.stockstream.stream.Admission;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
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
  private final MarketData market;
  private final Admission admission;
  private HttpServer server;

  public ManagementVerticle(
      String host,
      int port,
      PrometheusMeterRegistry registry,
      MarketData market,
      Admission admission) {
    this.host = host;
    this.port = port;
    this.registry = registry;
    this.market = market;
    this.admission = admission;
  }

  @Override
  public Future<?> start() {
    HealthChecks live =
        HealthChecks.create(vertx).register("event-loop", p -> p.complete(Status.OK()));
    HealthChecks ready =
        HealthChecks.create(vertx)
            .register(
                "feed",
                p ->
                    p.complete(
                        market.complete()
                            ? Status.OK()
                            : Status.KO(reason("waiting for a first tick of every symbol"))))
            .register(
                "draining",
                p ->
                    p.complete(admission.draining() ? Status.KO(reason("draining")) : Status.OK()));

    Router router = Router.router(vertx);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(live));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(ready));
    Errors errors = new Errors();
    for (int status : new int[] {404, 405}) {
      router.errorHandler(status, errors.forStatus(status));
    }

    server = vertx.createHttpServer().requestHandler(router);
    return server.listen(port, host);
  }

  public int actualPort() {
    return server.actualPort();
  }

  private static JsonObject reason(String reason) {
    return new JsonObject().put("reason", reason);
  }
}
