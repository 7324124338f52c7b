package io.stockstream.config;

import io.stockstream.market.MarketSchedule;
import io.stockstream.market.SymbolSpec;
import io.stockstream.market.Universe;
import io.stockstream.protocol.Symbols;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Builds a {@link Config} from environment variables and command-line flags; flags win. */
public final class ConfigLoader {

  private static final Pattern PRICE = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,6})?");

  private final Map<Setting, String> raw;
  private final ClusterSettings.LocalAddress localAddress;

  private ConfigLoader(Map<Setting, String> raw, ClusterSettings.LocalAddress localAddress) {
    this.raw = raw;
    this.localAddress = localAddress;
  }

  /**
   * Reads every setting.
   *
   * @throws ConfigException naming the setting, for unknown flags and values that do not parse
   */
  public static Config load(Map<String, String> env, String... args) {
    return load(env, ClusterSettings.SYSTEM, args);
  }

  /** As {@link #load(Map, String...)}; tests stand in for the lookup of this machine's address. */
  static Config load(
      Map<String, String> env, ClusterSettings.LocalAddress localAddress, String... args) {
    Map<Setting, String> raw = new EnumMap<>(Setting.class);
    for (Setting s : Setting.values()) {
      String v = env.get(s.env());
      if (v != null) {
        raw.put(s, v);
      }
    }
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      int eq = arg.indexOf('=');
      String flag = eq < 0 ? arg : arg.substring(0, eq);
      Setting s =
          Setting.byFlag(flag)
              .orElseThrow(() -> new ConfigException("unknown flag " + flag + " (see --help)"));
      String value;
      if (eq >= 0) {
        value = arg.substring(eq + 1);
      } else if (s == Setting.TLS_SELF_SIGNED
          && (i + 1 >= args.length || args[i + 1].startsWith("--"))) {
        value = "true";
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw ConfigException.of(s, "the flag needs a value");
      }
      raw.put(s, value);
    }
    return new ConfigLoader(raw, localAddress).build();
  }

  private Config build() {
    Config.Tls tls = tls();
    return new Config(
        text(Setting.HOST),
        intIn(Setting.HTTP_PORT),
        intIn(Setting.MANAGEMENT_PORT),
        symbols(),
        longIn(Setting.TICK_INTERVAL_MS),
        seed(),
        schedule(),
        origins(),
        intIn(Setting.MAX_CONNECTIONS),
        intIn(Setting.MAX_HTTP_CONNECTIONS),
        intIn(Setting.MAX_SUBSCRIPTIONS),
        tls,
        longIn(Setting.TLS_RELOAD_INTERVAL_MS),
        secret(),
        intIn(Setting.WEB_INSTANCES),
        intIn(Setting.RATE_LIMIT_PER_SECOND),
        intIn(Setting.RATE_LIMIT_BURST),
        intIn(Setting.WRITE_QUEUE_BYTES),
        longIn(Setting.SLOW_CONSUMER_TIMEOUT_MS),
        longIn(Setting.PING_INTERVAL_MS),
        longIn(Setting.IDLE_TIMEOUT_MS),
        longIn(Setting.HTTP_RESPONSE_TIMEOUT_MS),
        longIn(Setting.DRAIN_SPREAD_MS),
        cluster());
  }

  private Optional<String> value(Setting s) {
    return Optional.ofNullable(raw.get(s)).map(String::trim);
  }

  private String text(Setting s) {
    String v = value(s).orElse(s.defaultText());
    if (v.isEmpty()) {
      throw ConfigException.of(s, "must not be empty");
    }
    return v;
  }

  private int intIn(Setting s) {
    // Fails only if a setting read as an int got bounds beyond an int: a bug, not a bad value.
    return Math.toIntExact(longIn(s));
  }

  private long longIn(Setting s) {
    NumberRange range =
        s.range().orElseThrow(() -> new IllegalStateException(s + " is not a number setting"));
    Optional<String> v = value(s);
    if (v.isEmpty()) {
      return range.fallbackValue();
    }
    long n;
    try {
      n = Long.parseLong(v.get());
    } catch (NumberFormatException e) {
      throw ConfigException.of(s, "'" + v.get() + "' is not a whole number");
    }
    if (!range.contains(n)) {
      throw ConfigException.of(s, n + " is outside " + range.text());
    }
    return n;
  }

  private boolean bool(Setting s) {
    String v = value(s).orElse(s.defaultText()).toLowerCase(Locale.ROOT);
    return switch (v) {
      case "true" -> true;
      case "false" -> false;
      default -> throw ConfigException.of(s, "'" + v + "' is not true or false");
    };
  }

  private long seed() {
    Optional<String> v = value(Setting.SEED);
    if (v.isEmpty()) {
      return new SecureRandom().nextLong();
    }
    try {
      return Long.parseLong(v.get());
    } catch (NumberFormatException e) {
      throw ConfigException.of(Setting.SEED, "'" + v.get() + "' is not a 64-bit integer");
    }
  }

  private List<SymbolSpec> symbols() {
    Optional<String> v = value(Setting.SYMBOLS);
    if (v.isEmpty()) {
      return Universe.defaults();
    }
    List<SymbolSpec> specs = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    List<String> entries;
    try {
      entries = Symbols.entries(v.get());
    } catch (Symbols.Malformed e) {
      throw ConfigException.of(Setting.SYMBOLS, e.getMessage());
    }
    for (String e : entries) {
      int colon = e.indexOf(':');
      String symbol;
      try {
        symbol = Symbols.normalize(colon < 0 ? e : e.substring(0, colon));
      } catch (Symbols.Malformed bad) {
        throw ConfigException.of(Setting.SYMBOLS, bad.getMessage());
      }
      if (!seen.add(symbol)) {
        throw ConfigException.of(Setting.SYMBOLS, symbol + " is listed twice");
      }
      Optional<SymbolSpec> known = Universe.lookup(symbol);
      if (colon < 0) {
        specs.add(known.orElseGet(() -> Universe.generic(symbol, 100.0)));
        continue;
      }
      String priceText = e.substring(colon + 1).trim();
      if (!PRICE.matcher(priceText).matches()) {
        throw ConfigException.of(Setting.SYMBOLS, "'" + e + "' has no valid start price");
      }
      double price = Double.parseDouble(priceText);
      if (!(price >= 0.01 && price < 1e9)) {
        throw ConfigException.of(Setting.SYMBOLS, "start price of " + symbol + " is out of range");
      }
      specs.add(
          known.map(k -> k.withStartPrice(price)).orElseGet(() -> Universe.generic(symbol, price)));
    }
    return specs;
  }

  private MarketSchedule schedule() {
    Optional<String> v = value(Setting.MARKET_SCHEDULE);
    if (v.isEmpty()) {
      return new MarketSchedule.Always();
    }
    try {
      return MarketSchedule.parse(v.get(), System.currentTimeMillis());
    } catch (RuntimeException e) {
      throw ConfigException.of(
          Setting.MARKET_SCHEDULE, "'" + v.get() + "' is not a schedule: " + e.getMessage());
    }
  }

  private Config.Origins origins() {
    Optional<String> v = value(Setting.ALLOWED_ORIGINS);
    if (v.isEmpty()) {
      return Config.Origins.ownOnly();
    }
    if (v.get().equals("*")) {
      return new Config.Origins(true, Set.of());
    }
    Set<String> allowed = new LinkedHashSet<>();
    for (String o : v.get().split(",", -1)) {
      String origin = o.trim();
      allowed.add(normalizeOrigin(origin));
    }
    return new Config.Origins(false, allowed);
  }

  private static String normalizeOrigin(String origin) {
    try {
      URI uri = new URI(origin);
      if (uri.getScheme() == null
          || uri.getHost() == null
          || !(uri.getPath() == null || uri.getPath().isEmpty())) {
        throw new IllegalArgumentException();
      }
      return origin.toLowerCase(Locale.ROOT);
    } catch (Exception e) {
      throw ConfigException.of(
          Setting.ALLOWED_ORIGINS, "'" + origin + "' is not an origin like https://example.com");
    }
  }

  private Config.Tls tls() {
    Optional<String> cert = value(Setting.TLS_CERT);
    Optional<String> key = value(Setting.TLS_KEY);
    boolean selfSigned = bool(Setting.TLS_SELF_SIGNED);
    if (cert.isPresent() != key.isPresent()) {
      Setting missing = cert.isPresent() ? Setting.TLS_KEY : Setting.TLS_CERT;
      throw ConfigException.of(missing, "TLS_CERT and TLS_KEY go together");
    }
    if (cert.isPresent()) {
      if (selfSigned) {
        throw ConfigException.of(Setting.TLS_SELF_SIGNED, "cannot be combined with TLS_CERT");
      }
      return new Config.Tls.Pem(
          readable(Setting.TLS_CERT, cert.get()), readable(Setting.TLS_KEY, key.get()));
    }
    return selfSigned ? new Config.Tls.SelfSigned() : new Config.Tls.Off();
  }

  private static Path readable(Setting s, String file) {
    Path p;
    try {
      p = Path.of(file);
    } catch (InvalidPathException e) {
      // A name the file system cannot hold (a NUL) is as unreadable as a missing file.
      throw ConfigException.of(s, "cannot read " + file);
    }
    if (!Files.isReadable(p)) {
      throw ConfigException.of(s, "cannot read " + file);
    }
    return p;
  }

  private Optional<Config.Cluster> cluster() {
    return ClusterSettings.read(this::value, this::intIn, localAddress);
  }

  private Optional<String> secret() {
    Optional<String> v = value(Setting.AUTH_JWT_SECRET);
    if (v.isPresent() && v.get().length() < 8) {
      throw ConfigException.of(Setting.AUTH_JWT_SECRET, "must be at least 8 characters");
    }
    return v;
  }
}
