package io.stockstream.config;

import io.stockstream.market.MarketSchedule;
import io.stockstream.market.SymbolSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The whole configuration of one node, built once at start by {@link ConfigLoader}. */
public record Config(
    String host,
    int httpPort,
    int managementPort,
    List<SymbolSpec> symbols,
    long tickIntervalMs,
    long seed,
    MarketSchedule marketSchedule,
    Origins allowedOrigins,
    int maxConnections,
    int maxHttpConnections,
    int maxSubscriptions,
    Tls tls,
    long tlsReloadIntervalMs,
    Optional<String> jwtSecret,
    int webInstances,
    int rateLimitPerSecond,
    int rateLimitBurst,
    int writeQueueBytes,
    long slowConsumerTimeoutMs,
    long pingIntervalMs,
    long idleTimeoutMs,
    long httpResponseTimeoutMs,
    long drainSpreadMs) {

  public Config {
    symbols = List.copyOf(symbols);
  }

  /** Which browser origins may open {@code /ws}. */
  public record Origins(boolean any, Set<String> allowed) {
    public Origins {
      allowed = Set.copyOf(allowed);
    }

    /** The default: only the origin the request itself was sent to. */
    public static Origins ownOnly() {
      return new Origins(false, Set.of());
    }
  }

  /** How the public port speaks TLS, if at all. */
  public sealed interface Tls {
    record Off() implements Tls {}

    record Pem(Path cert, Path key) implements Tls {}

    record SelfSigned() implements Tls {}
  }
}
