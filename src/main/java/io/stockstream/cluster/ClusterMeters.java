package io.stockstream.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.stockstream.metrics.Meters;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The metrics a node exports only in a cluster: who leads, who is here, and how late ticks come.
 */
public final class ClusterMeters {

  private final MeterRegistry registry;
  private final Counter failovers;
  private final Timer busLag;

  public ClusterMeters(MeterRegistry registry) {
    this.registry = registry;
    this.failovers =
        Counter.builder("stockstream.feed.failovers")
            .description("Times this node took the feed over")
            .register(registry);
    this.busLag =
        Meters.latencyHistogram(
            "stockstream.cluster.bus.lag",
            "From a tick being made on the feed leader to its arrival on this node",
            registry);
  }

  void bind(BooleanSupplier leads, IntSupplier members, IntSupplier expected) {
    Gauge.builder("stockstream.feed.leader", () -> leads.getAsBoolean() ? 1 : 0)
        .description("1 on the node whose feed publishes now, 0 on the others")
        .register(registry);
    Gauge.builder("stockstream.cluster.members", members::getAsInt)
        .description("Members this node sees")
        .register(registry);
    Gauge.builder("stockstream.cluster.members.expected", expected::getAsInt)
        .description("Members the join settings name: the member list or the DNS name's addresses")
        .register(registry);
  }

  void failover() {
    failovers.increment();
  }

  void busLag(long nanos) {
    busLag.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }
}
