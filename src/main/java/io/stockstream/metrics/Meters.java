package io.stockstream.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.stockstream.protocol.Disconnect;
import io.stockstream.protocol.Frame;
import io.stockstream.protocol.GuardClose;
import io.stockstream.protocol.Handshake;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The service's own Micrometer meters, named as the contract's metrics table says; every labelled
 * meter is registered up front so that it reads 0 before it first moves.
 */
public final class Meters {

  /** Fan-out latency buckets, 100 us to 10 s. */
  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofNanos(100_000),
    Duration.ofNanos(250_000),
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  private final Map<Handshake, Counter> handshakes = new EnumMap<>(Handshake.class);
  private final Map<Disconnect, Counter> disconnects = new EnumMap<>(Disconnect.class);
  private final Map<Frame, Counter> frames = new EnumMap<>(Frame.class);
  private final Map<GuardClose, Counter> guardCloses = new EnumMap<>(GuardClose.class);
  private final Counter[] ticksPublished;
  private final Counter conflated;
  private final Counter skipped;
  private final Counter quoteRequests;
  private final Timer fanout;
  private final Counter tlsReloadsOk;
  private final Counter tlsReloadsFailed;
  private final MeterRegistry registry;

  public Meters(
      MeterRegistry registry,
      List<String> symbols,
      Supplier<Number> connections,
      Supplier<Number> subscriptions) {
    this.registry = registry;
    Gauge.builder("stockstream.ws.connections", connections)
        .description("Open WebSocket connections")
        .register(registry);
    Gauge.builder("stockstream.ws.subscriptions", subscriptions)
        .description("(connection, symbol) pairs")
        .register(registry);
    for (Handshake h : Handshake.values()) {
      handshakes.put(
          h,
          Counter.builder("stockstream.ws.handshakes")
              .description("WebSocket handshakes by outcome")
              .tag("outcome", label(h))
              .register(registry));
    }
    for (Disconnect d : Disconnect.values()) {
      disconnects.put(
          d,
          Counter.builder("stockstream.ws.disconnects")
              .description("Closed WebSocket connections by reason")
              .tag("reason", label(d))
              .register(registry));
    }
    for (Frame f : Frame.values()) {
      frames.put(
          f,
          Counter.builder("stockstream.ws.frames.sent")
              .description("Frames written to WebSockets by type")
              .tag("type", label(f))
              .register(registry));
    }
    for (GuardClose g : GuardClose.values()) {
      guardCloses.put(
          g,
          Counter.builder("stockstream.http.connections.closed")
              .description(
                  "Public-port HTTP connections the guard closed before any upgrade, by reason")
              .tag("reason", label(g))
              .register(registry));
    }
    ticksPublished = new Counter[symbols.size()];
    for (int i = 0; i < symbols.size(); i++) {
      ticksPublished[i] =
          Counter.builder("stockstream.ticks.published")
              .description("Ticks made by the feed")
              .tag("symbol", symbols.get(i))
              .register(registry);
    }
    conflated =
        Counter.builder("stockstream.ws.ticks.conflated")
            .description("Ticks replaced by a newer one for a slow connection")
            .register(registry);
    skipped =
        Counter.builder("stockstream.fanout.ticks.skipped")
            .description(
                "Ticks a web event loop skipped because it fell behind the feed: it went on from"
                    + " the newest tick of each symbol")
            .register(registry);
    quoteRequests =
        Counter.builder("stockstream.http.quote.requests")
            .description("REST quote requests")
            .register(registry);
    fanout =
        latencyHistogram(
            "stockstream.fanout.latency",
            "From a tick's ts to its frame being written to a socket",
            registry);
    tlsReloadsOk = tlsReloads("ok");
    tlsReloadsFailed = tlsReloads("failed");
  }

  /**
   * Beside the contract's metrics: {@code stockstream_tls_reloads_total}, renewed PEM files that
   * were served ({@code ok}) or refused and the previous certificate kept ({@code failed}).
   */
  private Counter tlsReloads(String outcome) {
    return Counter.builder("stockstream.tls.reloads")
        .description("Renewed TLS certificates served (ok) or refused (failed)")
        .tag("outcome", outcome)
        .register(registry);
  }

  /**
   * Beside the contract's metrics: {@code stockstream_market_open}, 1 while the simulated market is
   * open and 0 while it is closed (no ticks then), so that "no ticks" alerts can tell the two
   * apart.
   */
  public void marketOpen(BooleanSupplier open) {
    Gauge.builder("stockstream.market.open", () -> open.getAsBoolean() ? 1 : 0)
        .description("1 while the simulated market is open, 0 while it is closed")
        .register(registry);
  }

  /**
   * Beside the contract's metrics: {@code stockstream_http_connections}, the public port's open
   * connections that have not upgraded to a WebSocket, which {@code MAX_HTTP_CONNECTIONS} bounds.
   */
  public void httpConnections(Supplier<Number> open) {
    Gauge.builder("stockstream.http.connections", open)
        .description("Open public-port HTTP connections not upgraded to WebSocket")
        .register(registry);
  }

  private static String label(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  public void handshake(Handshake outcome) {
    handshakes.get(outcome).increment();
  }

  public void disconnect(Disconnect reason) {
    disconnects.get(reason).increment();
  }

  public void guardClosed(GuardClose reason) {
    guardCloses.get(reason).increment();
  }

  public void framesSent(Frame type, int count) {
    if (count > 0) {
      frames.get(type).increment(count);
    }
  }

  public void tickPublished(int symbolIndex) {
    ticksPublished[symbolIndex].increment();
  }

  public void conflated() {
    conflated.increment();
  }

  /** A latency histogram with the service's one set of buckets, exported in seconds. */
  public static Timer latencyHistogram(String name, String description, MeterRegistry registry) {
    return Timer.builder(name)
        .description(description)
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .minimumExpectedValue(LATENCY_BUCKETS[0])
        .maximumExpectedValue(LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1])
        .register(registry);
  }

  /**
   * Beside the contract's metrics: {@code stockstream_fanout_ticks_skipped_total}, ticks an event
   * loop that fell behind the feed never delivered to its subscribers.
   */
  public void skipped(long ticks) {
    skipped.increment(ticks);
  }

  public void quoteRequest() {
    quoteRequests.increment();
  }

  public void tlsReload(boolean served) {
    (served ? tlsReloadsOk : tlsReloadsFailed).increment();
  }

  public void fanoutLatency(long nanos) {
    fanout.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  /**
   * A percentile of the fan-out latency since start, in milliseconds, interpolated within the
   * histogram's buckets; 0 before the first measurement.
   */
  public double fanoutPercentileMs(double percentile) {
    HistogramSnapshot snap = fanout.takeSnapshot();
    long total = snap.count();
    if (total == 0) {
      return 0;
    }
    double rank = percentile * total;
    double lowerMs = 0;
    double lowerCount = 0;
    for (CountAtBucket b : snap.histogramCounts()) {
      double upperMs = b.bucket(TimeUnit.MILLISECONDS);
      if (b.count() >= rank) {
        double inBucket = b.count() - lowerCount;
        double fraction = inBucket == 0 ? 1 : (rank - lowerCount) / inBucket;
        return lowerMs + fraction * (upperMs - lowerMs);
      }
      lowerMs = upperMs;
      lowerCount = b.count();
    }
    return snap.max(TimeUnit.MILLISECONDS);
  }
}
