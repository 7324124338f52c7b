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
    long drainSpreadMs,
    Optional<Cluster> cluster) {

  public Config {
    symbols = List.copyOf(symbols);
  }

  /**
   * Cluster mode: how this node finds the others, and the address and ports it binds and advertises
   * for the cluster manager and the clustered event bus. Absent, the node is a cluster of one.
   */
  public record Cluster(Join join, String host, int port, int eventBusPort) {}

  /** How the members find each other. */
  public sealed interface Join {
    /** TCP join to a fixed list of members. */
    record Members(List<HostPort> members) implements Join {
      public Members {
        members = List.copyOf(members);
      }
    }

    /** The addresses of a headless Kubernetes Service's DNS name are the members. */
    record Dns(String name) implements Join {}
  }

  /** One member's cluster-manager address; an IPv6 host is held without its brackets. */
  public record HostPort(String host, int port) {
    /** As a member list writes it: {@code ::1} in brackets, else its port would read as its own. */
    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
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
