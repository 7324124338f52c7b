package io.stockstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The typed defaults and bounds of {@link Setting} are the ones {@link ConfigLoader} applies. */
class SettingDefaultsTest {

  /** Where each number setting lands in {@link Config}; a new number setting must be added. */
  private static final Map<Setting, ToLongFunction<Config>> FIELD = new EnumMap<>(Setting.class);

  static {
    FIELD.put(Setting.HTTP_PORT, Config::httpPort);
    FIELD.put(Setting.MANAGEMENT_PORT, Config::managementPort);
    FIELD.put(Setting.TICK_INTERVAL_MS, Config::tickIntervalMs);
    FIELD.put(Setting.MAX_CONNECTIONS, Config::maxConnections);
    FIELD.put(Setting.MAX_HTTP_CONNECTIONS, Config::maxHttpConnections);
    FIELD.put(Setting.MAX_SUBSCRIPTIONS, Config::maxSubscriptions);
    FIELD.put(Setting.TLS_RELOAD_INTERVAL_MS, Config::tlsReloadIntervalMs);
    FIELD.put(Setting.WEB_INSTANCES, Config::webInstances);
    FIELD.put(Setting.RATE_LIMIT_PER_SECOND, Config::rateLimitPerSecond);
    FIELD.put(Setting.RATE_LIMIT_BURST, Config::rateLimitBurst);
    FIELD.put(Setting.WRITE_QUEUE_BYTES, Config::writeQueueBytes);
    FIELD.put(Setting.SLOW_CONSUMER_TIMEOUT_MS, Config::slowConsumerTimeoutMs);
    FIELD.put(Setting.PING_INTERVAL_MS, Config::pingIntervalMs);
    FIELD.put(Setting.IDLE_TIMEOUT_MS, Config::idleTimeoutMs);
    FIELD.put(Setting.HTTP_RESPONSE_TIMEOUT_MS, Config::httpResponseTimeoutMs);
    FIELD.put(Setting.DRAIN_SPREAD_MS, Config::drainSpreadMs);
    FIELD.put(Setting.CLUSTER_PORT, c -> c.cluster().orElseThrow().port());
    FIELD.put(Setting.EVENTBUS_PORT, c -> c.cluster().orElseThrow().eventBusPort());
  }

  /** The cluster ports are refused outside cluster mode: a member list turns it on for them. */
  private static Map<String, String> needed(Setting s) {
    return s == Setting.CLUSTER_PORT || s == Setting.EVENTBUS_PORT
        ? Map.of(Setting.CLUSTER_MEMBERS.env(), "127.0.0.1:5701")
        : Map.of();
  }

  static Stream<Setting> numberSettings() {
    return Arrays.stream(Setting.values()).filter(s -> s.range().isPresent());
  }

  private static NumberRange range(Setting s) {
    return s.range().orElseThrow();
  }

  private static long loaded(Setting s, long value) {
    Map<String, String> env = new HashMap<>(needed(s));
    env.put(s.env(), Long.toString(value));
    return FIELD.get(s).applyAsLong(ConfigLoader.load(env));
  }

  @Test
  void everyNumberSettingHasAConfigField() {
    assertThat(FIELD.keySet()).containsExactlyInAnyOrderElementsOf(numberSettings().toList());
  }

  @ParameterizedTest
  @MethodSource("numberSettings")
  void defaultLiesWithinTheBounds(Setting s) {
    NumberRange r = range(s);
    assertThat(r.fallbackValue()).as(s.env()).isBetween(r.min(), r.max());
  }

  @ParameterizedTest
  @MethodSource("numberSettings")
  void fixedDefaultTextIsTheNumber(Setting s) {
    if (s == Setting.WEB_INSTANCES) {
      assertThat(s.defaultText()).isEqualTo("cores");
      assertThat(range(s).fallbackValue()).isEqualTo(Runtime.getRuntime().availableProcessors());
    } else {
      assertThat(s.defaultText()).isEqualTo(Long.toString(range(s).fallbackValue()));
    }
  }

  @Test
  void emptyEnvironmentGivesExactlyTheTypedDefaults() {
    Config c = ConfigLoader.load(Map.of());
    numberSettings()
        .forEach(
            s ->
                assertThat(FIELD.get(s).applyAsLong(ConfigLoader.load(needed(s))))
                    .as(s.env())
                    .isEqualTo(range(s).fallbackValue()));
    assertThat(c.host()).isEqualTo(Setting.HOST.defaultText()).isEqualTo("0.0.0.0");
    assertThat(c.tls()).isEqualTo(new Config.Tls.Off());
    assertThat(c.cluster()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("numberSettings")
  void minAndMaxLoad(Setting s) {
    NumberRange r = range(s);
    assertThat(loaded(s, r.min())).as("%s at its min", s.env()).isEqualTo(r.min());
    assertThat(loaded(s, r.max())).as("%s at its max", s.env()).isEqualTo(r.max());
  }

  @ParameterizedTest
  @MethodSource("numberSettings")
  void oneBelowMinAndOneAboveMaxFailNamingTheSetting(Setting s) {
    NumberRange r = range(s);
    for (long outside : new long[] {r.min() - 1, r.max() + 1}) {
      assertThatThrownBy(() -> loaded(s, outside))
          .isInstanceOf(ConfigException.class)
          .hasMessage(
              s.env()
                  + " ("
                  + s.flag()
                  + "): "
                  + outside
                  + " is outside "
                  + r.min()
                  + ".."
                  + r.max());
    }
  }

  @ParameterizedTest
  @MethodSource("numberSettings")
  void flagsAreBoundToo(Setting s) {
    NumberRange r = range(s);
    assertThatThrownBy(() -> ConfigLoader.load(needed(s), s.flag() + "=" + (r.max() + 1)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(s.flag())
        .hasMessageEndingWith(" is outside " + r.text());
  }

  @Test
  void rangeReadsAsMinDotDotMax() {
    assertThat(range(Setting.TICK_INTERVAL_MS).text()).isEqualTo("1..3600000");
    assertThat(range(Setting.HTTP_PORT).text()).isEqualTo("0..65535");
    // Told to the other nodes, so "any free port" (0) is no cluster port.
    assertThat(range(Setting.CLUSTER_PORT).text()).isEqualTo("1..65535");
    assertThat(range(Setting.EVENTBUS_PORT).text()).isEqualTo("1..65535");
  }

  @Test
  void settingsThatAreNotNumbersHaveNoRange() {
    for (Setting s :
        new Setting[] {
          Setting.HOST,
          Setting.SEED,
          Setting.SYMBOLS,
          Setting.TLS_SELF_SIGNED,
          Setting.CLUSTER_MEMBERS,
          Setting.CLUSTER_DNS,
          Setting.CLUSTER_HOST
        }) {
      assertThat(s.range()).as(s.env()).isEmpty();
    }
  }

  @Test
  void anEmptyRangeIsRefused() {
    assertThatThrownBy(() -> NumberRange.of(5, 10, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
