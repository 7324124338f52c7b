package io.stockstream.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.stockstream.lifecycle.Lifecycle;
import io.stockstream.market.MarketData;
import io.stockstream.protocol.ProtocolJson;
import io.vertx.core.Vertx;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The one definition of "ready" (every symbol has ticked, and the node is not draining), served
 * both as {@code /health/ready} and as the gauge {@code stockstream_ready}, so the two cannot
 * disagree.
 */
public final class Readiness {

  /** One named condition of readiness, with the reason shown while it does not hold. */
  private record Check(String name, BooleanSupplier ok, String reason) {}

  private final List<Check> checks;

  public Readiness(MarketData market, Lifecycle lifecycle) {
    this.checks =
        List.of(
            new Check("feed", market::complete, "waiting for a first tick of every symbol"),
            new Check("draining", () -> !lifecycle.draining(), "draining"));
  }

  /** In a cluster, the node must also have joined and copied a peer's history. */
  public Readiness(MarketData market, Lifecycle lifecycle, BooleanSupplier joined) {
    this.checks =
        List.of(
            new Check("cluster", joined, "joining the cluster and copying its history"),
            new Check("feed", market::complete, "waiting for the latest tick of every symbol"),
            new Check("draining", () -> !lifecycle.draining(), "draining"));
  }

  public boolean ready() {
    return checks.stream().allMatch(c -> c.ok().getAsBoolean());
  }

  /**
   * Beside the contract's metrics: {@code stockstream_ready}, 1 while {@code /health/ready} answers
   * 200 and 0 otherwise, so that alerts and dashboards see readiness without probing.
   */
  public void register(MeterRegistry registry) {
    Gauge.builder("stockstream.ready", () -> ready() ? 1 : 0)
        .description("1 when the node is ready (every symbol has ticked, not draining), else 0")
        .register(registry);
  }

  HealthChecks healthChecks(Vertx vertx) {
    HealthChecks health = HealthChecks.create(vertx);
    for (Check c : checks) {
      health.register(
          c.name(),
          p ->
              p.complete(
                  c.ok().getAsBoolean()
                      ? Status.OK()
                      : Status.KO(ProtocolJson.probeReason(c.reason()))));
    }
    return health;
  }
}
