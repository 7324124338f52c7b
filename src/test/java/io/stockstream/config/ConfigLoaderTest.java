package io.stockstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stockstream.market.MarketSchedule;
import io.stockstream.market.SymbolSpec;
import io.stockstream.market.Universe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {

  private static final String[] NO_ARGS = {};

  /** A readable PEM-looking file; only its readability matters to the loader. */
  private static final Path READABLE = tempFile("readable", "-----BEGIN CERTIFICATE-----\n");

  private static final Path MISSING =
      READABLE.resolveSibling("does-not-exist-" + System.nanoTime());

  private static Path tempFile(String prefix, String content) {
    try {
      Path p = Files.createTempFile("stockstream-" + prefix, ".pem");
      Files.writeString(p, content);
      p.toFile().deleteOnExit();
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Config load(Map<String, String> env, String... args) {
    return ConfigLoader.load(env, args);
  }

  private static Map<String, String> env(String... keyValues) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  // ---- defaults -------------------------------------------------------------------------------

  @Test
  void defaultsMatchTheContract() {
    Config c = load(Map.of());

    assertThat(c.httpPort()).isEqualTo(8080);
    assertThat(c.managementPort()).isEqualTo(9000);
    assertThat(c.tickIntervalMs()).isEqualTo(500);
    assertThat(c.maxConnections()).isEqualTo(50_000);
    assertThat(c.maxHttpConnections()).isEqualTo(10_000);
    assertThat(c.httpResponseTimeoutMs()).isEqualTo(60_000);
    assertThat(c.maxSubscriptions()).isEqualTo(200);
    assertThat(c.tls()).isEqualTo(new Config.Tls.Off());
    assertThat(c.jwtSecret()).isEmpty();
    assertThat(c.allowedOrigins()).isEqualTo(Config.Origins.ownOnly());
    assertThat(c.allowedOrigins().any()).isFalse();
    assertThat(c.allowedOrigins().allowed()).isEmpty();
    assertThat(c.marketSchedule()).isEqualTo(new MarketSchedule.Always());
  }

  @Test
  void defaultUniverseHasTwentyFourNamedRealTickers() {
    List<SymbolSpec> symbols = load(Map.of()).symbols();

    assertThat(symbols).hasSize(24).hasSizeGreaterThanOrEqualTo(20);
    assertThat(symbols).isEqualTo(Universe.defaults());
    Set<String> tickers = new HashSet<>();
    for (SymbolSpec s : symbols) {
      assertThat(tickers.add(s.symbol())).as("%s listed once", s.symbol()).isTrue();
      assertThat(s.symbol()).matches("[A-Z][A-Z.]{0,5}");
      assertThat(s.name()).as("name of %s", s.symbol()).isNotBlank().isNotEqualTo(s.symbol());
      assertThat(s.startPrice()).as("start price of %s", s.symbol()).isBetween(1.0, 5_000.0);
      assertThat(s.volatility()).isBetween(0.05, 1.5);
      assertThat(s.meanLot()).isPositive();
    }
    assertThat(tickers).contains("AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "TSLA", "JPM");
    assertThat(symbols.get(0).name()).isEqualTo("Apple Inc.");
  }

  @Test
  void withoutSeedEachLoadPicksARandomSeed() {
    Set<Long> seeds = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      seeds.add(load(Map.of()).seed());
    }
    assertThat(seeds).hasSizeGreaterThan(1);
  }

  // ---- environment and flags ------------------------------------------------------------------

  @Test
  void environmentVariablesAreRead() {
    Config c =
        load(
            env(
                "STOCKSTREAM_HOST", "127.0.0.1",
                "STOCKSTREAM_HTTP_PORT", "8081",
                "STOCKSTREAM_MANAGEMENT_PORT", "0",
                "STOCKSTREAM_SYMBOLS", "AAPL,MSFT",
                "STOCKSTREAM_TICK_INTERVAL_MS", "25",
                "STOCKSTREAM_SEED", "-7",
                "STOCKSTREAM_MARKET_SCHEDULE", "cycle:1000/2000",
                "STOCKSTREAM_ALLOWED_ORIGINS", "https://Example.com, http://localhost:3000",
                "STOCKSTREAM_MAX_CONNECTIONS", "10",
                "STOCKSTREAM_MAX_HTTP_CONNECTIONS", "11",
                "STOCKSTREAM_MAX_SUBSCRIPTIONS", "3",
                "STOCKSTREAM_TLS_SELF_SIGNED", "TRUE",
                "STOCKSTREAM_AUTH_JWT_SECRET", "0123456789abcdef",
                "STOCKSTREAM_WEB_INSTANCES", "3",
                "STOCKSTREAM_RATE_LIMIT_PER_SECOND", "7",
                "STOCKSTREAM_RATE_LIMIT_BURST", "9",
                "STOCKSTREAM_WRITE_QUEUE_BYTES", "4096",
                "STOCKSTREAM_SLOW_CONSUMER_TIMEOUT_MS", "1234",
                "STOCKSTREAM_PING_INTERVAL_MS", "2345",
                "STOCKSTREAM_IDLE_TIMEOUT_MS", "3456",
                "STOCKSTREAM_HTTP_RESPONSE_TIMEOUT_MS", "4567",
                "STOCKSTREAM_DRAIN_SPREAD_MS", "0"));

    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.httpPort()).isEqualTo(8081);
    assertThat(c.managementPort()).isZero();
    assertThat(c.symbols()).extracting(SymbolSpec::symbol).containsExactly("AAPL", "MSFT");
    assertThat(c.tickIntervalMs()).isEqualTo(25);
    assertThat(c.seed()).isEqualTo(-7);
    assertThat(c.marketSchedule()).isInstanceOf(MarketSchedule.Cycle.class);
    MarketSchedule.Cycle cycle = (MarketSchedule.Cycle) c.marketSchedule();
    assertThat(cycle.openMs()).isEqualTo(1000);
    assertThat(cycle.closedMs()).isEqualTo(2000);
    assertThat(c.allowedOrigins().any()).isFalse();
    assertThat(c.allowedOrigins().allowed())
        .containsExactlyInAnyOrder("https://example.com", "http://localhost:3000");
    assertThat(c.maxConnections()).isEqualTo(10);
    assertThat(c.maxHttpConnections()).isEqualTo(11);
    assertThat(c.maxSubscriptions()).isEqualTo(3);
    assertThat(c.tls()).isEqualTo(new Config.Tls.SelfSigned());
    assertThat(c.jwtSecret()).contains("0123456789abcdef");
    assertThat(c.webInstances()).isEqualTo(3);
    assertThat(c.rateLimitPerSecond()).isEqualTo(7);
    assertThat(c.rateLimitBurst()).isEqualTo(9);
    assertThat(c.writeQueueBytes()).isEqualTo(4096);
    assertThat(c.slowConsumerTimeoutMs()).isEqualTo(1234);
    assertThat(c.pingIntervalMs()).isEqualTo(2345);
    assertThat(c.idleTimeoutMs()).isEqualTo(3456);
    assertThat(c.httpResponseTimeoutMs()).isEqualTo(4567);
    assertThat(c.drainSpreadMs()).isZero();
  }

  @Test
  void starOriginAllowsEveryOrigin() {
    Config c = load(env("STOCKSTREAM_ALLOWED_ORIGINS", "*"));
    assertThat(c.allowedOrigins().any()).isTrue();
  }

  @Test
  void flagsWinOverEnvironment() {
    Config c =
        load(
            env(
                "STOCKSTREAM_HTTP_PORT", "1111",
                "STOCKSTREAM_SEED", "1",
                "STOCKSTREAM_SYMBOLS", "AAPL",
                "STOCKSTREAM_TICK_INTERVAL_MS", "100"),
            "--http-port",
            "2222",
            "--seed=2",
            "--symbols",
            "MSFT,TSLA");

    assertThat(c.httpPort()).isEqualTo(2222);
    assertThat(c.seed()).isEqualTo(2);
    assertThat(c.symbols()).extracting(SymbolSpec::symbol).containsExactly("MSFT", "TSLA");
    // Not overridden by a flag: the environment still counts.
    assertThat(c.tickIntervalMs()).isEqualTo(100);
  }

  @Test
  void httpConnectionCapAndResponseTimeoutComeFromTheFlagOverTheEnvironment() {
    Config c =
        load(
            env(
                "STOCKSTREAM_MAX_HTTP_CONNECTIONS", "5",
                "STOCKSTREAM_HTTP_RESPONSE_TIMEOUT_MS", "abc"),
            "--max-http-connections",
            "7",
            "--http-response-timeout-ms=2000");

    assertThat(c.maxHttpConnections()).isEqualTo(7);
    assertThat(c.httpResponseTimeoutMs()).isEqualTo(2000);
  }

  @Test
  void flagOverridesAnUnparsableEnvironmentValue() {
    Config c = load(env("STOCKSTREAM_HTTP_PORT", "not-a-port"), "--http-port=3333");
    assertThat(c.httpPort()).isEqualTo(3333);
  }

  @Test
  void lastFlagWinsWhenRepeated() {
    Config c = load(Map.of(), "--seed=1", "--seed", "5");
    assertThat(c.seed()).isEqualTo(5);
  }

  @Test
  void flagsAcceptBothEqualsAndSeparateValue() {
    Config eq = load(Map.of(), "--http-port=8181", "--max-subscriptions=12");
    Config sep = load(Map.of(), "--http-port", "8181", "--max-subscriptions", "12");

    assertThat(eq.httpPort()).isEqualTo(8181).isEqualTo(sep.httpPort());
    assertThat(eq.maxSubscriptions()).isEqualTo(12).isEqualTo(sep.maxSubscriptions());
  }

  @Test
  void flagValueMayContainEqualsSignsAndNegativeNumbers() {
    Config c = load(Map.of(), "--auth-jwt-secret=abc=def=ghi", "--seed", "-42");
    assertThat(c.jwtSecret()).contains("abc=def=ghi");
    assertThat(c.seed()).isEqualTo(-42);
  }

  @Test
  void tlsSelfSignedFlagAloneMeansTrue() {
    assertThat(load(Map.of(), "--tls-self-signed").tls()).isEqualTo(new Config.Tls.SelfSigned());
    Config followed = load(Map.of(), "--tls-self-signed", "--http-port", "7");
    assertThat(followed.tls()).isEqualTo(new Config.Tls.SelfSigned());
    assertThat(followed.httpPort()).isEqualTo(7);
    assertThat(load(Map.of(), "--tls-self-signed", "false").tls()).isEqualTo(new Config.Tls.Off());
    assertThat(load(Map.of(), "--tls-self-signed=false").tls()).isEqualTo(new Config.Tls.Off());
    assertThat(load(env("STOCKSTREAM_TLS_SELF_SIGNED", "true"), "--tls-self-signed=false").tls())
        .isEqualTo(new Config.Tls.Off());
  }

  @Test
  void certificateAndKeyTogetherTurnTlsOn() {
    Config c =
        load(
            env(
                "STOCKSTREAM_TLS_CERT", READABLE.toString(),
                "STOCKSTREAM_TLS_KEY", READABLE.toString()));
    assertThat(c.tls()).isEqualTo(new Config.Tls.Pem(READABLE, READABLE));
  }

  @Test
  void valuesAreTrimmed() {
    Config c = load(env("STOCKSTREAM_HTTP_PORT", " 8082 "), "--seed", " 9 ");
    assertThat(c.httpPort()).isEqualTo(8082);
    assertThat(c.seed()).isEqualTo(9);
  }

  // ---- symbols --------------------------------------------------------------------------------

  @Test
  void symbolsParseWithStartPricesAndUpperCase() {
    Config c = load(env("STOCKSTREAM_SYMBOLS", "AAPL:189.5,msft"));

    assertThat(c.symbols()).extracting(SymbolSpec::symbol).containsExactly("AAPL", "MSFT");
    SymbolSpec aapl = c.symbols().get(0);
    SymbolSpec msft = c.symbols().get(1);
    SymbolSpec builtInAapl = Universe.lookup("AAPL").orElseThrow();
    assertThat(aapl.startPrice()).isEqualTo(189.5);
    assertThat(aapl.name()).isEqualTo("Apple Inc.");
    assertThat(aapl.volatility()).isEqualTo(builtInAapl.volatility());
    assertThat(msft).isEqualTo(Universe.lookup("MSFT").orElseThrow());
  }

  @Test
  void unknownTickersGetGenericParametersAndTheirOwnStartPrice() {
    Config c = load(env("STOCKSTREAM_SYMBOLS", " xyz : 12.25 , abc.d , aapl:7"));

    assertThat(c.symbols()).extracting(SymbolSpec::symbol).containsExactly("XYZ", "ABC.D", "AAPL");
    assertThat(c.symbols().get(0).startPrice()).isEqualTo(12.25);
    assertThat(c.symbols().get(0).name()).isEqualTo("XYZ");
    assertThat(c.symbols().get(1).startPrice()).isEqualTo(100.0);
    assertThat(c.symbols().get(2).startPrice()).isEqualTo(7.0);
    assertThat(c.symbols().get(2).name()).isEqualTo("Apple Inc.");
  }

  // ---- bad values -----------------------------------------------------------------------------

  static Stream<Arguments> badValues() {
    String cert = READABLE.toString();
    String missing = MISSING.toString();
    return Stream.of(
        bad("non-numeric http port", Setting.HTTP_PORT, env("STOCKSTREAM_HTTP_PORT", "http")),
        bad("http port above 65535", Setting.HTTP_PORT, env("STOCKSTREAM_HTTP_PORT", "65536")),
        bad("negative http port", Setting.HTTP_PORT, env("STOCKSTREAM_HTTP_PORT", "-1")),
        bad("empty http port", Setting.HTTP_PORT, env("STOCKSTREAM_HTTP_PORT", "")),
        bad("fractional http port", Setting.HTTP_PORT, env(), "--http-port=80.5"),
        bad(
            "non-numeric management port",
            Setting.MANAGEMENT_PORT,
            env("STOCKSTREAM_MANAGEMENT_PORT", "nine")),
        bad(
            "management port out of range",
            Setting.MANAGEMENT_PORT,
            env(),
            "--management-port",
            "100000"),
        bad("tick interval 0", Setting.TICK_INTERVAL_MS, env("STOCKSTREAM_TICK_INTERVAL_MS", "0")),
        bad(
            "non-numeric tick interval",
            Setting.TICK_INTERVAL_MS,
            env("STOCKSTREAM_TICK_INTERVAL_MS", "fast")),
        bad("non-numeric seed", Setting.SEED, env("STOCKSTREAM_SEED", "forty-two")),
        bad("fractional seed", Setting.SEED, env(), "--seed=1.5"),
        bad("seed beyond 64 bits", Setting.SEED, env("STOCKSTREAM_SEED", "99999999999999999999")),
        bad("ticker with a space", Setting.SYMBOLS, env("STOCKSTREAM_SYMBOLS", "AA PL")),
        bad("ticker of symbols only", Setting.SYMBOLS, env("STOCKSTREAM_SYMBOLS", "$$$")),
        bad("ticker too long", Setting.SYMBOLS, env("STOCKSTREAM_SYMBOLS", "ABCDEFGHIJKLMN")),
        bad("empty ticker in list", Setting.SYMBOLS, env("STOCKSTREAM_SYMBOLS", "AAPL,,MSFT")),
        bad("empty symbols", Setting.SYMBOLS, env("STOCKSTREAM_SYMBOLS", "")),
        bad("duplicate ticker", Setting.SYMBOLS, env("STOCKSTREAM_SYMBOLS", "AAPL,MSFT,aapl")),
        bad("non-numeric start price", Setting.SYMBOLS, env("STOCKSTREAM_SYMBOLS", "AAPL:abc")),
        bad("zero start price", Setting.SYMBOLS, env("STOCKSTREAM_SYMBOLS", "AAPL:0")),
        bad("negative start price", Setting.SYMBOLS, env("STOCKSTREAM_SYMBOLS", "AAPL:-5")),
        bad("NaN start price", Setting.SYMBOLS, env("STOCKSTREAM_SYMBOLS", "AAPL:NaN")),
        bad("infinite start price", Setting.SYMBOLS, env("STOCKSTREAM_SYMBOLS", "AAPL:Infinity")),
        bad("start price below a cent", Setting.SYMBOLS, env(), "--symbols", "AAPL:0.001"),
        bad(
            "start price with a Java suffix",
            Setting.SYMBOLS,
            env("STOCKSTREAM_SYMBOLS", "AAPL:189.5d")),
        bad(
            "start price in exponent form",
            Setting.SYMBOLS,
            env("STOCKSTREAM_SYMBOLS", "AAPL:1e3")),
        bad("start price in hex", Setting.SYMBOLS, env("STOCKSTREAM_SYMBOLS", "AAPL:0x1p3")),
        bad(
            "unknown schedule",
            Setting.MARKET_SCHEDULE,
            env("STOCKSTREAM_MARKET_SCHEDULE", "sometimes")),
        bad(
            "schedule closing before it opens",
            Setting.MARKET_SCHEDULE,
            env("STOCKSTREAM_MARKET_SCHEDULE", "16:00-09:30")),
        bad(
            "schedule with unknown zone",
            Setting.MARKET_SCHEDULE,
            env("STOCKSTREAM_MARKET_SCHEDULE", "09:30-16:00@Mars/Olympus")),
        bad(
            "cycle with zero open time",
            Setting.MARKET_SCHEDULE,
            env("STOCKSTREAM_MARKET_SCHEDULE", "cycle:0/100")),
        bad(
            "cycle with non-numeric length",
            Setting.MARKET_SCHEDULE,
            env(),
            "--market-schedule=cycle:abc/100"),
        bad("origin without scheme", Setting.ALLOWED_ORIGINS, env(), "--allowed-origins=a.com"),
        bad(
            "origin with a path",
            Setting.ALLOWED_ORIGINS,
            env("STOCKSTREAM_ALLOWED_ORIGINS", "https://example.com/app")),
        bad(
            "empty origin in list",
            Setting.ALLOWED_ORIGINS,
            env("STOCKSTREAM_ALLOWED_ORIGINS", "https://a.com,,https://b.com")),
        bad(
            "star mixed with origins",
            Setting.ALLOWED_ORIGINS,
            env("STOCKSTREAM_ALLOWED_ORIGINS", "https://a.com,*")),
        bad("max connections 0", Setting.MAX_CONNECTIONS, env("STOCKSTREAM_MAX_CONNECTIONS", "0")),
        bad("max subscriptions 0", Setting.MAX_SUBSCRIPTIONS, env(), "--max-subscriptions", "0"),
        bad(
            "max HTTP connections 0",
            Setting.MAX_HTTP_CONNECTIONS,
            env("STOCKSTREAM_MAX_HTTP_CONNECTIONS", "0")),
        bad(
            "max HTTP connections not a number",
            Setting.MAX_HTTP_CONNECTIONS,
            env(),
            "--max-http-connections=lots"),
        bad(
            "max HTTP connections beyond an int",
            Setting.MAX_HTTP_CONNECTIONS,
            env("STOCKSTREAM_MAX_HTTP_CONNECTIONS", "99999999999")),
        bad(
            "HTTP response timeout below 1 s",
            Setting.HTTP_RESPONSE_TIMEOUT_MS,
            env(),
            "--http-response-timeout-ms",
            "999"),
        bad("TLS cert without key", Setting.TLS_KEY, env("STOCKSTREAM_TLS_CERT", cert)),
        bad("TLS key without cert", Setting.TLS_CERT, env(), "--tls-key", cert),
        bad(
            "unreadable TLS cert file",
            Setting.TLS_CERT,
            env("STOCKSTREAM_TLS_CERT", missing, "STOCKSTREAM_TLS_KEY", cert)),
        bad(
            "unreadable TLS key file",
            Setting.TLS_KEY,
            env("STOCKSTREAM_TLS_CERT", cert, "STOCKSTREAM_TLS_KEY", missing)),
        bad(
            "self-signed plus cert",
            Setting.TLS_SELF_SIGNED,
            env("STOCKSTREAM_TLS_CERT", cert, "STOCKSTREAM_TLS_KEY", cert),
            "--tls-self-signed"),
        bad(
            "non-boolean TLS_SELF_SIGNED",
            Setting.TLS_SELF_SIGNED,
            env("STOCKSTREAM_TLS_SELF_SIGNED", "yes")),
        bad(
            "JWT secret shorter than 8",
            Setting.AUTH_JWT_SECRET,
            env("STOCKSTREAM_AUTH_JWT_SECRET", "1234567")),
        bad(
            "JWT secret of spaces",
            Setting.AUTH_JWT_SECRET,
            env("STOCKSTREAM_AUTH_JWT_SECRET", "          ")),
        bad("web instances 0", Setting.WEB_INSTANCES, env("STOCKSTREAM_WEB_INSTANCES", "0")),
        bad("empty host", Setting.HOST, env("STOCKSTREAM_HOST", " ")),
        bad(
            "write queue below 1 KiB",
            Setting.WRITE_QUEUE_BYTES,
            env("STOCKSTREAM_WRITE_QUEUE_BYTES", "100")),
        bad("flag without value", Setting.HTTP_PORT, env(), "--http-port"),
        bad("flag without value at the end", Setting.SEED, env(), "--http-port=1", "--seed"));
  }

  private static Arguments bad(String what, Setting setting, Map<String, String> env, String... a) {
    return Arguments.of(what, setting, env, a);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badValues")
  void badValueThrowsNamingTheEnvVarAndTheFlag(
      String what, Setting setting, Map<String, String> env, String[] args) {
    assertThatThrownBy(() -> load(env, args))
        .as(what)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(setting.env())
        .hasMessageContaining(setting.flag())
        .message()
        .doesNotContain("\n");
  }

  @Test
  void unknownFlagThrowsNamingTheFlag() {
    assertThatThrownBy(() -> load(Map.of(), "--http-port=1", "--colour=blue"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--colour");
    assertThatThrownBy(() -> load(Map.of(), "--frobnicate", "3"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--frobnicate");
  }

  @Test
  void strayArgumentIsRejected() {
    assertThatThrownBy(() -> load(Map.of(), "8080"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("8080");
  }

  @Test
  void unknownEnvironmentVariablesAreIgnored() {
    Config c = load(env("STOCKSTREAM_NOT_A_SETTING", "x", "PATH", "/bin"));
    assertThat(c.httpPort()).isEqualTo(8080);
  }

  @Test
  void everySettingHasAnEnvVarAndAFlagOfTheSameName() {
    for (Setting s : Setting.values()) {
      String stem = s.env().substring("STOCKSTREAM_".length()).toLowerCase().replace('_', '-');
      assertThat(s.flag()).isEqualTo("--" + stem);
      assertThat(s.description()).isNotBlank();
      assertThat(s.defaultText()).isNotBlank();
    }
  }

  // ---- cluster --------------------------------------------------------------------------------

  private static final String MEMBERS = Setting.CLUSTER_MEMBERS.env();
  private static final String DNS = Setting.CLUSTER_DNS.env();
  private static final String SERVICE = "stockstream-headless.default.svc.cluster.local";

  /** Stands in for the lookup of this machine's own address, as a pod's would give it. */
  private static final ClusterSettings.LocalAddress POD_IP = () -> "10.244.1.7";

  private static Config.Cluster cluster(Map<String, String> env, String... args) {
    return ConfigLoader.load(env, POD_IP, args).cluster().orElseThrow();
  }

  private static Config.HostPort member(String host, int port) {
    return new Config.HostPort(host, port);
  }

  @Test
  void withoutMembersOrDnsTheNodeIsAClusterOfOne() {
    assertThat(load(Map.of()).cluster()).isEmpty();
  }

  @Test
  void aMemberListTurnsClusterModeOnWithTheLoopbackHostAndDefaultPorts() {
    Config.Cluster c =
        cluster(env(MEMBERS, " 127.0.0.1:5701 , node-2.example.com:5702,[::1]:5703,LOCALHOST:1"));

    assertThat(c.join())
        .isEqualTo(
            new Config.Join.Members(
                List.of(
                    member("127.0.0.1", 5701),
                    member("node-2.example.com", 5702),
                    member("::1", 5703),
                    member("LOCALHOST", 1))));
    // Written back as a member list writes it, so that an IPv6 port stays apart from the address.
    assertThat(((Config.Join.Members) c.join()).members())
        .extracting(Config.HostPort::toString)
        .containsExactly("127.0.0.1:5701", "node-2.example.com:5702", "[::1]:5703", "LOCALHOST:1");
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(5701);
    assertThat(c.eventBusPort()).isEqualTo(5710);
  }

  @Test
  void dnsTurnsClusterModeOnAndAdvertisesThisMachinesAddress() {
    Config.Cluster c = cluster(env(DNS, " " + SERVICE + " "));
    assertThat(c.join()).isEqualTo(new Config.Join.Dns(SERVICE));
    assertThat(c.host()).isEqualTo("10.244.1.7");
    assertThat(c.port()).isEqualTo(5701);
    assertThat(c.eventBusPort()).isEqualTo(5710);
  }

  @Test
  void dnsModeDefaultHostIsTheLocalHostsAddress() throws Exception {
    Config.Cluster c = load(env(DNS, "stockstream")).cluster().orElseThrow();
    assertThat(c.host()).isEqualTo(InetAddress.getLocalHost().getHostAddress());
  }

  @Test
  void dnsNamesAtTheLengthLimitsAreAccepted() {
    String label63 = "a" + "-".repeat(61) + "z";
    String name253 = String.join(".", label63, label63, label63, "b".repeat(61));
    assertThat(name253).hasSize(253);
    assertThat(cluster(env(DNS, name253)).join()).isEqualTo(new Config.Join.Dns(name253));
    assertThat(cluster(env(DNS, "3com.example")).join())
        .isEqualTo(new Config.Join.Dns("3com.example"));
  }

  @Test
  void givenHostAndPortsAreUsed() {
    Config.Cluster c =
        cluster(
            env(
                MEMBERS,
                "10.0.0.1:6000,10.0.0.2:6000",
                "STOCKSTREAM_CLUSTER_HOST",
                " 10.0.0.1 ",
                "STOCKSTREAM_CLUSTER_PORT",
                "6000",
                "STOCKSTREAM_EVENTBUS_PORT",
                "6001"));
    assertThat(c).isEqualTo(new Config.Cluster(c.join(), "10.0.0.1", 6000, 6001));

    assertThat(
            cluster(env(DNS, "stockstream", "STOCKSTREAM_CLUSTER_HOST", "node-1.internal")).host())
        .isEqualTo("node-1.internal");
    assertThat(cluster(env(DNS, "stockstream", "STOCKSTREAM_CLUSTER_HOST", "[fd00::1]")).host())
        .isEqualTo("fd00::1");
    assertThat(cluster(env(DNS, "stockstream", "STOCKSTREAM_CLUSTER_HOST", "fd00::1")).host())
        .isEqualTo("fd00::1");
  }

  @Test
  void clusterSettingsComeAsFlagsToo() {
    Config.Cluster members =
        cluster(
            env(),
            "--cluster-members=10.0.0.1:5701,10.0.0.2:5701",
            "--cluster-host",
            "10.0.0.2",
            "--cluster-port=5801",
            "--eventbus-port",
            "5811");
    assertThat(members)
        .isEqualTo(
            new Config.Cluster(
                new Config.Join.Members(
                    List.of(member("10.0.0.1", 5701), member("10.0.0.2", 5701))),
                "10.0.0.2",
                5801,
                5811));
    assertThat(cluster(env(), "--cluster-dns", SERVICE).join())
        .isEqualTo(new Config.Join.Dns(SERVICE));
    // A flag replaces the variable of its own setting, as for every setting.
    assertThat(cluster(env(MEMBERS, "a:1"), "--cluster-members=b:2").join())
        .isEqualTo(new Config.Join.Members(List.of(member("b", 2))));
  }

  @Test
  void anUnresolvableLocalAddressInDnsModeIsRefusedSayingWhatToSet() {
    ClusterSettings.LocalAddress failing =
        () -> {
          throw new UnknownHostException("pod-7: Name or service not known");
        };
    assertThatThrownBy(() -> ConfigLoader.load(env(DNS, SERVICE), failing))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "STOCKSTREAM_CLUSTER_HOST (--cluster-host): this machine's own address cannot be"
                + " resolved (pod-7: Name or service not known); set it to this node's IP");
    // Given, or with a member list, the host needs no lookup.
    assertThat(
            ConfigLoader.load(env(DNS, SERVICE, "STOCKSTREAM_CLUSTER_HOST", "10.0.0.9"), failing)
                .cluster()
                .orElseThrow()
                .host())
        .isEqualTo("10.0.0.9");
    assertThat(ConfigLoader.load(env(MEMBERS, "a:1"), failing).cluster()).isPresent();
  }

  static Stream<Arguments> badClusterValues() {
    String label64 = "a".repeat(64);
    String name254 =
        String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(62));
    String host = "STOCKSTREAM_CLUSTER_HOST (--cluster-host): ";
    String members = "STOCKSTREAM_CLUSTER_MEMBERS (--cluster-members): ";
    String dns = "STOCKSTREAM_CLUSTER_DNS (--cluster-dns): ";
    String brackets = " is not host:port; an IPv6 address goes in brackets, as [::1]:5701";
    String needsMode = "needs cluster mode: set CLUSTER_MEMBERS or CLUSTER_DNS too";
    return Stream.of(
        // Cluster mode is one join or the other.
        badCluster(
            env(MEMBERS, "10.0.0.1:5701", DNS, SERVICE),
            dns
                + "cannot be combined with CLUSTER_MEMBERS: a node joins by a member list or by DNS"),
        badCluster(
            env(DNS, SERVICE),
            dns
                + "cannot be combined with CLUSTER_MEMBERS: a node joins by a member list or by DNS",
            "--cluster-members=10.0.0.1:5701"),
        // The rest needs cluster mode.
        badCluster(env("STOCKSTREAM_CLUSTER_HOST", "10.0.0.1"), host + needsMode),
        badCluster(env("STOCKSTREAM_CLUSTER_HOST", ""), host + needsMode),
        badCluster(
            env("STOCKSTREAM_CLUSTER_PORT", "5701"),
            "STOCKSTREAM_CLUSTER_PORT (--cluster-port): " + needsMode),
        badCluster(
            env(),
            "STOCKSTREAM_EVENTBUS_PORT (--eventbus-port): " + needsMode,
            "--eventbus-port=5710"),
        // Member lists.
        badCluster(env(MEMBERS, " "), members + "must not be empty"),
        badCluster(
            env(MEMBERS, "10.0.0.1:5701,,10.0.0.2:5701"),
            members + "'10.0.0.1:5701,,10.0.0.2:5701' has an empty entry"),
        badCluster(env(MEMBERS, "10.0.0.1:5701,"), members + "'10.0.0.1:5701,' has an empty entry"),
        badCluster(
            env(MEMBERS, "10.0.0.1:5701,10.0.0.2"),
            members + "'10.0.0.2' has no port: each member is host:port"),
        badCluster(
            env(MEMBERS, ":5701"), members + "':5701' has no host: each member is host:port"),
        badCluster(
            env(MEMBERS, "10.0.0.1:0"), members + "'10.0.0.1:0': port '0' is not in 1..65535"),
        badCluster(
            env(MEMBERS, "10.0.0.1:65536"),
            members + "'10.0.0.1:65536': port '65536' is not in 1..65535"),
        badCluster(
            env(MEMBERS, "10.0.0.1:http"),
            members + "'10.0.0.1:http': port 'http' is not in 1..65535"),
        badCluster(env(MEMBERS, "10.0.0.1:"), members + "'10.0.0.1:': port '' is not in 1..65535"),
        badCluster(
            env(MEMBERS, "bad_host:5701"),
            members + "'bad_host:5701': 'bad_host' is not a hostname or IPv4 address"),
        badCluster(
            env(MEMBERS, "-node:5701"),
            members + "'-node:5701': '-node' is not a hostname or IPv4 address"),
        badCluster(
            env(MEMBERS, "10.0.0.256:5701"),
            members + "'10.0.0.256:5701': '10.0.0.256' is not a hostname or IPv4 address"),
        badCluster(env(MEMBERS, "::1:5701"), members + "'::1:5701'" + brackets),
        badCluster(env(MEMBERS, "[::1:5701"), members + "'[::1:5701'" + brackets),
        badCluster(
            env(MEMBERS, "[::1]"), members + "'[::1]' has no port: each member is host:port"),
        badCluster(
            env(MEMBERS, "[fe80::1%eth0]:5701"),
            members + "'[fe80::1%eth0]:5701': 'fe80::1%eth0' is not a plain IPv6 address"),
        badCluster(
            env(MEMBERS, "[10.0.0.1]:5701"),
            members + "'[10.0.0.1]:5701': '10.0.0.1' is not a plain IPv6 address"),
        badCluster(
            env(MEMBERS, "10.0.0.1:5701,10.0.0.2:5701,10.0.0.1:5701"),
            members + "10.0.0.1:5701 is listed twice"),
        badCluster(
            env(MEMBERS, "Node-1:5701,node-1:5701"), members + "node-1:5701 is listed twice"),
        badCluster(
            env(MEMBERS, "[::1]:5701,[0:0:0:0:0:0:0:1]:5701"),
            members + "[0:0:0:0:0:0:0:1]:5701 is listed twice"),
        // DNS names.
        badCluster(env(DNS, ""), dns + "must not be empty"),
        badCluster(
            env(DNS, "stockstream_headless"),
            dns
                + "'stockstream_headless' is not a DNS name: labels hold letters, digits and inner"
                + " hyphens only"),
        badCluster(
            env(DNS, "stockstream:5701"),
            dns
                + "'stockstream:5701' is not a DNS name: labels hold letters, digits and inner"
                + " hyphens only"),
        badCluster(
            env(DNS, "stockstream-.default"),
            dns
                + "'stockstream-.default' is not a DNS name: labels hold letters, digits and"
                + " inner hyphens only"),
        badCluster(env(DNS, "a..b"), dns + "'a..b' is not a DNS name: it has an empty label"),
        badCluster(
            env(DNS, "svc.cluster.local."),
            dns + "'svc.cluster.local.' is not a DNS name: it has an empty label"),
        badCluster(
            env(DNS, label64 + ".local"),
            dns
                + "'"
                + label64
                + ".local' is not a DNS name: a label is longer than 63 characters"),
        badCluster(
            env(DNS, name254),
            dns + "'" + name254 + "' is not a DNS name: it is longer than 253 characters"),
        badCluster(
            env(DNS, "10.0.0.1"),
            dns
                + "'10.0.0.1' is not a DNS name: its last label is all digits, as in an IP address"),
        // This node's host.
        badCluster(
            env(MEMBERS, "a:1", "STOCKSTREAM_CLUSTER_HOST", " "), host + "must not be empty"),
        badCluster(
            env(MEMBERS, "a:1", "STOCKSTREAM_CLUSTER_HOST", "10.0.0.5:5701"),
            host + "'10.0.0.5:5701' has a port; this node's port is CLUSTER_PORT"),
        badCluster(
            env(DNS, SERVICE, "STOCKSTREAM_CLUSTER_HOST", "[fd00::1]:5701"),
            host + "'[fd00::1]:5701' has a port; this node's port is CLUSTER_PORT"),
        badCluster(
            env(MEMBERS, "a:1", "STOCKSTREAM_CLUSTER_HOST", "0.0.0.0"),
            host
                + "'0.0.0.0' cannot be advertised to the other nodes; give this node's own address"),
        badCluster(
            env(DNS, SERVICE, "STOCKSTREAM_CLUSTER_HOST", "::"),
            host + "'::' cannot be advertised to the other nodes; give this node's own address"),
        badCluster(
            env(MEMBERS, "a:1", "STOCKSTREAM_CLUSTER_HOST", "node 1"),
            host + "'node 1' is not an IP address or hostname"),
        badCluster(
            env(MEMBERS, "a:1", "STOCKSTREAM_CLUSTER_HOST", "[10.0.0.1]"),
            host + "'[10.0.0.1]' is not an IP address or hostname"),
        // Ports.
        badCluster(
            env(MEMBERS, "a:1", "STOCKSTREAM_CLUSTER_PORT", "0"),
            "STOCKSTREAM_CLUSTER_PORT (--cluster-port): 0 is outside 1..65535"),
        badCluster(
            env(DNS, SERVICE, "STOCKSTREAM_EVENTBUS_PORT", "0"),
            "STOCKSTREAM_EVENTBUS_PORT (--eventbus-port): 0 is outside 1..65535"),
        badCluster(
            env(MEMBERS, "a:1", "STOCKSTREAM_CLUSTER_PORT", "5710"),
            "STOCKSTREAM_EVENTBUS_PORT (--eventbus-port): must differ from CLUSTER_PORT; both are"
                + " 5710"),
        badCluster(
            env(DNS, SERVICE),
            "STOCKSTREAM_EVENTBUS_PORT (--eventbus-port): must differ from CLUSTER_PORT; both are"
                + " 6000",
            "--cluster-port=6000",
            "--eventbus-port=6000"));
  }

  private static Arguments badCluster(Map<String, String> env, String message, String... args) {
    return Arguments.of(env, List.of(args), message);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badClusterValues")
  void badClusterSettingIsOneLineNamingIt(
      Map<String, String> env, List<String> args, String message) {
    assertThatThrownBy(() -> ConfigLoader.load(env, POD_IP, args.toArray(String[]::new)))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }
}
