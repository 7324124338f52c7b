package io.stockstream;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stockstream.config.Config;
import io.stockstream.config.ConfigException;
import io.stockstream.config.ConfigLoader;
import io.stockstream.config.Setting;
import io.stockstream.feed.FeedVerticle;
import io.stockstream.feed.MarketData;
import io.stockstream.feed.MarketEvent;
import io.stockstream.feed.TickEvent;
import io.stockstream.metrics.ManagementVerticle;
import io.stockstream.metrics.Metrics;
import io.stockstream.metrics.WireStats;
import io.stockstream.stream.Admission;
import io.stockstream.stream.PresenceEvent;
import io.stockstream.stream.PresenceVerticle;
import io.stockstream.stream.Viewers;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
    } catch (ConfigException e) {
      System.err.println("stockstream: " + e.getMessage());
      System.exit(EXIT_CONFIG);
      return;
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx =
        Vertx.builder()
            .with(
                new VertxOptions()
                    .setMetricsOptions(
                        new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)))
            .withMetrics(new MicrometerMetricsFactory(registry))
            .build();
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
    deploy(vertx, config, registry)
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
                log.error("stockstream could not start: {}", e.toString());
                vertx.close().onComplete(v -> System.exit(1));
              }
              // Otherwise a SIGTERM during the start closed Vert.x under it: shutdown() exits.
            });
  }

  /** Drains the node, if it got as far as starting, closes Vert.x and exits 0. */
  private static void shutdown(Vertx vertx, Node node) {
    log.info("shutting down: draining connections");
    Future<Void> drained = node == null ? Future.succeededFuture() : node.drain();
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
      int publicPort, int managementPort, Admission admission, Vertx vertx, String webDeployment) {

    /** Turns not-ready, refuses new handshakes, drains and closes every WebSocket. */
    public Future<Void> drain() {
      admission.startDraining();
      return vertx.undeploy(webDeployment);
    }
  }

  /** Deploys a whole node on {@code vertx}: the feed, the web instances and the management port. */
  public static Future<Node> deploy(Vertx vertx, Config config, PrometheusMeterRegistry registry) {
    registerCodecs(vertx.eventBus());
    MarketData market = new MarketData(config.symbols(), config.tickIntervalMs(), newEpoch());
    Admission admission = new Admission(config.maxConnections());
    Viewers viewers = new Viewers(market.size());
    Metrics metrics =
        new Metrics(registry, market.symbols(), admission::openConnections, viewers::total);
    // The same condition as /health/ready (ManagementVerticle), as the gauge stockstream_ready.
    metrics.readiness(() -> market.complete() && !admission.draining());
    metrics.marketOpen(market::marketOpen);
    WireStats wire = new WireStats();
    wire.bindTo(registry);
    AtomicInteger publicPort = new AtomicInteger();
    ManagementVerticle management =
        new ManagementVerticle(config.host(), config.managementPort(), registry, market, admission);

    return serverOptions(vertx, config)
        .compose(
            options ->
                vertx.deployVerticle(
                    () ->
                        new WebVerticle(
                            config,
                            options,
                            market,
                            viewers,
                            admission,
                            metrics,
                            wire,
                            publicPort::set),
                    new DeploymentOptions().setInstances(config.webInstances())))
        .compose(
            web ->
                vertx
                    .deployVerticle(new PresenceVerticle(market, viewers))
                    .compose(
                        v ->
                            vertx.deployVerticle(
                                new FeedVerticle(
                                    market,
                                    metrics,
                                    config.symbols(),
                                    config.seed(),
                                    config.tickIntervalMs(),
                                    config.marketSchedule())))
                    .compose(v -> vertx.deployVerticle(management))
                    .map(
                        v ->
                            new Node(
                                publicPort.get(), management.actualPort(), admission, vertx, web)));
  }

  private static Future<HttpServerOptions> serverOptions(Vertx vertx, Config config) {
    HttpServerOptions options =
        new HttpServerOptions()
            .setMaxWebSocketFrameSize(64 * 1024)
            .setMaxWebSocketMessageSize(64 * 1024)
            // Ticks are small; compression would cost memory per socket and invite bombs.
            .setPerMessageWebSocketCompressionSupported(false)
            .setPerFrameWebSocketCompressionSupported(false)
            .setWebSocketClosingTimeout(5)
            .setTcpNoDelay(true);
    if (config.tls() instanceof Config.Tls.Pem pem) {
      PemKeyCertOptions keyCert =
          new PemKeyCertOptions()
              .setCertPath(pem.cert().toString())
              .setKeyPath(pem.key().toString());
      return Future.succeededFuture(options.setSsl(true).setKeyCertOptions(keyCert));
    }
    if (config.tls() instanceof Config.Tls.SelfSigned) {
      // Generating the key pair and writing its temporary files blocks: not on an event loop.
      return vertx
          .executeBlocking(() -> SelfSignedCertificate.create("localhost"))
          .map(cert -> options.setSsl(true).setKeyCertOptions(cert.keyCertOptions()));
    }
    return Future.succeededFuture(options);
  }

  private static void registerCodecs(EventBus bus) {
    registerCodec(bus, TickEvent.class);
    registerCodec(bus, MarketEvent.class);
    registerCodec(bus, PresenceEvent.class);
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
      sb.append(
          String.format(
              "  %-28s %-36s %s (default: %s)%n",
              s.flag(), s.env(), s.description(), s.defaultText()));
    }
    return sb.toString();
  }
}
