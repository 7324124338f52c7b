package io.stockstream.config;

import java.util.Locale;
import java.util.Optional;

/** Every setting of the service, each read from an environment variable and a flag. */
public enum Setting {
  HTTP_PORT(NumberRange.port(8080), "public port: dashboard, /ws and /api; 0 picks a free port"),
  MANAGEMENT_PORT(
      NumberRange.port(9000), "management port: /metrics and /health; 0 picks a free port"),
  HOST("0.0.0.0", "address both ports bind to"),
  SYMBOLS(
      "built-in universe",
      "symbols to simulate, `AAPL,MSFT` or with start prices `AAPL:189.5,MSFT:420`"),
  TICK_INTERVAL_MS(
      NumberRange.of(500, 1, 3_600_000),
      "mean time between two ticks of one symbol, in milliseconds"),
  SEED("random", "random seed; the same seed and settings give the same price paths"),
  MARKET_SCHEDULE(
      "always",
      "`always`, trading hours `09:30-16:00@America/New_York` (Monday to Friday),"
          + " or `cycle:OPEN_MS/CLOSED_MS`"),
  ALLOWED_ORIGINS(
      "own origin", "comma list of browser origins allowed to open /ws; `*` allows all"),
  MAX_CONNECTIONS(NumberRange.of(50_000, 1, 10_000_000), "WebSocket connections one node holds"),
  MAX_HTTP_CONNECTIONS(
      NumberRange.of(10_000, 1, 10_000_000),
      "public-port connections not upgraded to WebSocket one node holds; more are closed at once"),
  MAX_SUBSCRIPTIONS(NumberRange.of(200, 1, 100_000), "symbols one connection may subscribe to"),
  TLS_CERT("unset", "PEM certificate chain; with TLS_KEY the public port speaks only https/wss"),
  TLS_KEY("unset", "PEM private key for TLS_CERT"),
  TLS_SELF_SIGNED("false", "`true`: generate a self-signed certificate at start (development)"),
  TLS_RELOAD_INTERVAL_MS(
      NumberRange.of(10_000, 100, 30_000),
      "how often TLS_CERT and TLS_KEY are read for a renewed certificate, in milliseconds"),
  AUTH_JWT_SECRET(
      "unset", "HS256 secret; when set, /ws and /api need a valid JWT (header or access_token)"),
  WEB_INSTANCES(
      NumberRange.computed(() -> Runtime.getRuntime().availableProcessors(), "cores", 1, 1024),
      "web verticle instances, one event loop each"),
  RATE_LIMIT_PER_SECOND(
      NumberRange.of(20, 1, 1_000_000),
      "client frames per second one connection may send, on average"),
  RATE_LIMIT_BURST(
      NumberRange.of(40, 1, 1_000_000), "client frames one connection may send at once"),
  WRITE_QUEUE_BYTES(
      NumberRange.of(256 * 1024, 1024, 64 * 1024 * 1024),
      "bytes queued for one connection before it counts as slow"),
  SLOW_CONSUMER_TIMEOUT_MS(
      NumberRange.of(10_000, 1, 3_600_000),
      "how long a connection may stay slow before it is closed"),
  PING_INTERVAL_MS(
      NumberRange.of(30_000, 10, 3_600_000), "how often the server pings every connection"),
  IDLE_TIMEOUT_MS(
      NumberRange.of(60_000, 10, 3_600_000), "silence after which a connection is closed"),
  HTTP_RESPONSE_TIMEOUT_MS(
      NumberRange.of(60_000, 1_000, 3_600_000),
      "how long one HTTP response may take from its request head to its last byte"),
  DRAIN_SPREAD_MS(
      NumberRange.of(5_000, 0, 600_000),
      "reconnectAfterMs in `draining` frames is spread over this range"),
  CLUSTER_MEMBERS(
      "unset", "comma list of `host:port` cluster members to join by TCP; turns cluster mode on"),
  CLUSTER_DNS(
      "unset",
      "DNS name of a headless Kubernetes Service whose addresses are the members;"
          + " turns cluster mode on"),
  CLUSTER_HOST(
      "127.0.0.1 with a member list; the pod's IP on Kubernetes",
      "address the cluster and event-bus ports bind to and advertise"),
  CLUSTER_PORT(NumberRange.advertisedPort(5701), "cluster-manager port"),
  EVENTBUS_PORT(NumberRange.advertisedPort(5710), "clustered event-bus port");

  private final String defaultText;
  private final NumberRange range;
  private final String description;

  /**
   * A setting that is not a number. For HOST and TLS_SELF_SIGNED the text is the default value
   * itself, read like a given one; for the others it says what happens when the setting is unset.
   */
  Setting(String defaultText, String description) {
    this.defaultText = defaultText;
    this.range = null;
    this.description = description;
  }

  /** A whole-number setting: its bounds and its default are the range's. */
  Setting(NumberRange range, String description) {
    this.defaultText = null;
    this.range = range;
    this.description = description;
  }

  /** The environment variable, e.g. {@code STOCKSTREAM_HTTP_PORT}. */
  public String env() {
    return "STOCKSTREAM_" + name();
  }

  /** The command-line flag, e.g. {@code --http-port}. */
  public String flag() {
    return "--" + name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** What the setting is when unset, as README and {@code --help} show it. */
  public String defaultText() {
    return range == null ? defaultText : range.fallbackText();
  }

  /** The bounds and typed default of a number setting; empty for the others. */
  public Optional<NumberRange> range() {
    return Optional.ofNullable(range);
  }

  public String description() {
    return description;
  }

  static Optional<Setting> byFlag(String flag) {
    for (Setting s : values()) {
      if (s.flag().equals(flag)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
