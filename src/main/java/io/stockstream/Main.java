package io.stockstream;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stockstream.cluster.ClusterBootstrap;
import io.stockstream.cluster.ClusterNode;
import io.stockstream.cluster.ClusterServices;
import io.stockstream.cluster.MarketIdentity;
import io.stockstream.config.Config;
import io.stockstream.config.ConfigException;
import io.stockstream.config.ConfigLoader;
import io.stockstream.config.Setting;
import io.stockstream.lifecycle.Lifecycle;
import io.stockstream.market.FeedOutput;
import io.stockstream.market.FeedVerticle;
import io.stockstream.market.LocalFeedOutput;
import io.stockstream.market.MarketData;
import io.stockstream.metrics.Meters;
import io.stockstream.metrics.WireComparison;
import io.stockstream.ops.ManagementVerticle;
import io.stockstream.ops.Readiness;
import io.stockstream.protocol.LocalCodec;
import io.stockstream.protocol.MarketEvent;
import io.stockstream.protocol.PresenceBatch;
import io.stockstream.protocol.TickBatch;
import io.stockstream.stream.ConnectionSlots;
import io.stockstream.stream.PresenceVerticle;
import io.stockstream.stream.SubscriptionCounts;
import io.stockstream.stream.TickFanout;
import io.stockstream.stream.VertxInternals;
import io.stockstream.stream.WebSocketEndpoint;
import io.stockstream.web.CertificateReloader;
import io.stockstream.web.PublicServerOptions;
import io.stockstream.web.WebVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** The composition root: reads the configuration, builds Vert.x and deploys the verticles. */
public final class Main {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  /** Exit code for a configuration that cannot be used. */
  static final int EXIT_CONFIG = 2;

  private Main() {}

  public static void main(String[] args) {
    if (Arrays.asList(args).contains("--help")) {
      System.out.println(usage());
      return;
    }
    Config config;
    try {
      config = ConfigLoader.load(System.getenv(), args);
      historyCapacity(config);
    } catch (ConfigException e) {
      System.err.println("stockstream: " + e.getMessage());
      System.exit(EXIT_CONFIG);
      return;
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxOptions options =
        new VertxOptions()
            // Netty's epoll transport where it loads (Linux): fewer copies and cheaper writes per
            // syscall than NIO's; NIO elsewhere, said on one line at start.
            .setPreferNativeTransport(true)
            .setMetricsOptions(
                new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true));
    config.cluster().ifPresent(c -> options.setEventBusOptions(ClusterBootstrap.eventBus(c)));
    VertxBuilder builder =
        Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry));
    ClusterNode cluster = null;
    Vertx vertx;
    if (config.cluster().isPresent()) {
      try {
        // The main thread waits for the join: there is nothing to serve before it.
        cluster =
            ClusterBootstrap.start(builder, config.cluster().get())
                .toCompletionStage()
                .toCompletableFuture()
                .join();
      } catch (RuntimeException e) {
        log.error("stockstream could not join the cluster: {}", e.toString());
        System.exit(1);
        return;
      }
      vertx = cluster.vertx();
      log.info("cluster: joined as {} ({} members)", cluster.id(), cluster.members().size());
    } else {
      vertx = builder.build();
    }
    if (!vertx.isNativeTransportEnabled()) {
      log.info("transport: NIO (epoll unavailable: {})", vertx.unavailableNativeTransportCause());
    }
    // Handlers first: a SIGTERM that comes while the node starts must still end in a clean exit.
    CompletableFuture<Node> started = new CompletableFuture<>();
    AtomicBoolean stopping = new AtomicBoolean();
    Handler<Signal> stop =
        sig -> {
          if (stopping.compareAndSet(false, true)) {
            shutdown(vertx, started.getNow(null));
          }
        };
    Signal.handle(new Signal("TERM"), stop::handle);
    Signal.handle(new Signal("INT"), stop::handle);
    deploy(vertx, config, registry, cluster)
        .onSuccess(
            node -> {
              started.complete(node);
              // The documented port lines: tests and scripts read them from stdout.
              System.out.println("public port: " + node.publicPort());
              System.out.println("management port: " + node.managementPort());
            })
        .onFailure(
            e -> {
              if (stopping.compareAndSet(false, true)) {
                // A setting the cluster refuses (another market) is a bad setting like any other.
                boolean badSetting = e instanceof ConfigException;
                if (badSetting) {
                  System.err.println("stockstream: " + e.getMessage());
                } else {
                  log.error("stockstream could not start: {}", e.toString());
                }
                vertx.close().onComplete(v -> System.exit(badSetting ? EXIT_CONFIG : 1));
              }
              // Otherwise a SIGTERM during the start closed Vert.x under it: shutdown() exits.
            });
  }

  /** Drains the node, if it got as far as starting, closes Vert.x and exits 0. */
  private static void shutdown(Vertx vertx, Node node) {
    // Not ready first, then the log line: whoever reads the line may rely on it.
    Future<Void> drained = node == null ? Future.succeededFuture() : node.drain();
    log.info("shutting down: draining connections");
    drained.onComplete(
        ar -> {
          if (ar.failed()) {
            log.warn("drain: {}", ar.cause().toString());
          }
          // Not chained on the drain's future: that one calls back on an event loop, and close()
          // stops them all. close()'s own future calls back on a thread of its own.
          vertx
              .close()
              .onComplete(
                  closed -> {
                    log.info("stopped");
                    System.exit(0);
                  });
        });
  }

  /** What a running node tells its owner. */
  public record Node(
      int publicPort, int managementPort, Lifecycle lifecycle, Vertx vertx, String webDeployment) {

    /** Turns not-ready, refuses new handshakes, drains and closes every WebSocket. */
    public Future<Void> drain() {
      lifecycle.startDraining();
      return vertx.undeploy(webDeployment);
    }
  }

  /**
   * How many recent ticks of each symbol the node keeps for recovery on this JVM's heap (see {@link
   * MarketData#historyCapacity(long, int, long)}); a heap that cannot hold the protocol's least
   * history for every symbol makes the symbols a bad setting.
   */
  static int historyCapacity(Config config) {
    int symbols = config.symbols().size();
    long heap = Runtime.getRuntime().maxMemory();
    int capacity = MarketData.historyCapacity(config.tickIntervalMs(), symbols, heap);
    if (capacity == 0) {
      int least = MarketData.leastHistory(config.tickIntervalMs());
      throw ConfigException.of(
          Setting.SYMBOLS,
          String.format(
              "%d symbols need %d MiB of heap to keep %d ticks of each for recovery, more than half"
                  + " of this JVM's %d MiB: give it more memory (-Xmx or the container's limit) or"
                  + " list fewer symbols",
              symbols, MarketData.historyBytes(symbols, least) >> 20, least, heap >> 20));
    }
    return capacity;
  }

  /** Deploys a single node on {@code vertx}. */
  public static Future<Node> deploy(Vertx vertx, Config config, PrometheusMeterRegistry registry) {
    return deploy(vertx, config, registry, null);
  }

  /**
   * Deploys a whole node on {@code vertx}: the feed, the web instances and the management port, and
   * with {@code cluster} (null for a single node) the cluster's parts.
   */
  public static Future<Node> deploy(
      Vertx vertx, Config config, PrometheusMeterRegistry registry, ClusterNode cluster) {
    try {
      VertxInternals.check();
    } catch (IllegalStateException e) {
      return Future.failedFuture(e);
    }
    registerCodecs(vertx.eventBus());
    Future<MarketIdentity> identity =
        cluster == null
            ? Future.succeededFuture(new MarketIdentity(newEpoch(), config.seed()))
            : MarketIdentity.join(cluster, config, newEpoch());
    return identity.compose(id -> deploy(vertx, config, registry, cluster, id));
  }

  private static Future<Node> deploy(
      Vertx vertx,
      Config config,
      PrometheusMeterRegistry registry,
      ClusterNode cluster,
      MarketIdentity identity) {
    int history = historyCapacity(config);
    int preferred = MarketData.historyCapacity(config.tickIntervalMs());
    if (history < preferred) {
      log.warn(
          "history: keeping {} ticks of each symbol for recovery (60 s or 1000 ticks, whichever is"
              + " fewer), not {}: those would take {} MiB, more than half of the {} MiB heap",
          history,
          preferred,
          MarketData.historyBytes(config.symbols().size(), preferred) >> 20,
          Runtime.getRuntime().maxMemory() >> 20);
    }
    MarketData market = MarketData.withHistory(config.symbols(), history, identity.epoch());
    Lifecycle lifecycle = new Lifecycle();
    ConnectionSlots slots = new ConnectionSlots(config.maxConnections());
    SubscriptionCounts counts = new SubscriptionCounts(market.size());
    Meters meters = new Meters(registry, market.symbols(), slots::open, counts::total);
    meters.marketOpen(market::marketOpen);
    ConnectionSlots httpCapacity = new ConnectionSlots(config.maxHttpConnections());
    meters.httpConnections(httpCapacity::open);
    AtomicReference<ClusterServices> clustered = new AtomicReference<>();
    Readiness readiness =
        cluster == null
            ? new Readiness(market, lifecycle)
            : new Readiness(
                market, lifecycle, () -> clustered.get() != null && clustered.get().ready());
    readiness.register(registry);
    WireComparison wire = new WireComparison();
    wire.bindTo(registry);
    TickFanout fanout = new TickFanout();
    WebSocketEndpoint.Shared shared =
        new WebSocketEndpoint.Shared(
            config, market, counts, slots, lifecycle, meters, wire, fanout);
    AtomicInteger publicPort = new AtomicInteger();
    ManagementVerticle management =
        new ManagementVerticle(config.host(), config.managementPort(), registry, readiness);

    List<WebVerticle> webInstances = new CopyOnWriteArrayList<>();
    return PublicServerOptions.of(vertx, config)
        .compose(
            options ->
                vertx
                    .deployVerticle(
                        () -> {
                          WebVerticle instance =
                              new WebVerticle(options, shared, httpCapacity, publicPort::set);
                          webInstances.add(instance);
                          return instance;
                        },
                        new DeploymentOptions().setInstances(config.webInstances()))
                    .compose(
                        web ->
                            reloadCertificates(
                                    vertx, config, options, webInstances, meters, lifecycle)
                                .map(web)))
        .compose(
            web ->
                vertx
                    .deployVerticle(fanout)
                    .compose(
                        v ->
                            cluster == null
                                ? Future.succeededFuture((ClusterServices) null)
                                : ClusterServices.deploy(
                                    cluster, market, meters, registry, counts::of))
                    .compose(
                        services -> {
                          clustered.set(services);
                          IntUnaryOperator viewers =
                              services == null ? counts::of : services::viewers;
                          FeedOutput output =
                              services == null
                                  ? new LocalFeedOutput(market, meters, vertx.eventBus())
                                  : services.feedOutput();
                          return vertx
                              .deployVerticle(new PresenceVerticle(market, viewers))
                              .compose(
                                  p ->
                                      vertx.deployVerticle(
                                          new FeedVerticle(
                                              market,
                                              output,
                                              config.symbols(),
                                              identity.seed(),
                                              config.tickIntervalMs(),
                                              config.marketSchedule())));
                        })
                    .compose(v -> vertx.deployVerticle(management))
                    .map(
                        v ->
                            new Node(
                                publicPort.get(), management.actualPort(), lifecycle, vertx, web)));
  }

  /** With PEM files, a renewed certificate written over them is served without a restart. */
  private static Future<?> reloadCertificates(
      Vertx vertx,
      Config config,
      HttpServerOptions options,
      List<WebVerticle> webInstances,
      Meters meters,
      Lifecycle lifecycle) {
    if (!(config.tls() instanceof Config.Tls.Pem pem)) {
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(
        new CertificateReloader(
            pem.cert(),
            pem.key(),
            config.tlsReloadIntervalMs(),
            options.getSslOptions(),
            webInstances.stream().map(WebVerticle::server).toList(),
            meters,
            lifecycle::draining));
  }

  private static void registerCodecs(EventBus bus) {
    registerCodec(bus, TickBatch.class);
    registerCodec(bus, MarketEvent.class);
    registerCodec(bus, PresenceBatch.class);
  }

  private static <T> void registerCodec(EventBus bus, Class<T> type) {
    try {
      bus.registerDefaultCodec(type, new LocalCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // Another node on the same Vert.x (tests do this) registered it: the codec is stateless.
    }
  }

  /** A new numbering of seq: a node that starts afresh has none of the old history. */
  private static String newEpoch() {
    byte[] bytes = new byte[8];
    ThreadLocalRandom.current().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  static String usage() {
    StringBuilder sb =
        new StringBuilder("usage: java -jar stockstream.jar [--flag value | --flag=value]...\n\n");
    for (Setting s : Setting.values()) {
      String range = s.range().map(r -> r.text() + ", ").orElse("");
      sb.append(
          String.format(
              "  %-28s %-36s %s (%sdefault: %s)%n",
              s.flag(), s.env(), s.description(), range, s.defaultText()));
    }
    return sb.toString();
  }
}
