package io.stockstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.stockstream.config.Setting;
import io.stockstream.support.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real jar refuses a configuration it cannot use: exit code 2 and one line naming the setting,
 * before it binds anything. {@code --help} lists every setting.
 */
class ConfigExitIT {

  private static final Duration EXIT_WITHIN = Duration.ofSeconds(30);

  @TempDir static Path dir;

  static Stream<Arguments> badSettings() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "not really a certificate\n");
    return Stream.of(
        arguments(Map.of("STOCKSTREAM_HTTP_PORT", "abc"), List.of(), Setting.HTTP_PORT),
        arguments(Map.of("STOCKSTREAM_HTTP_PORT", "70000"), List.of(), Setting.HTTP_PORT),
        arguments(Map.of("STOCKSTREAM_MANAGEMENT_PORT", "-1"), List.of(), Setting.MANAGEMENT_PORT),
        arguments(Map.of("STOCKSTREAM_TICK_INTERVAL_MS", "0"), List.of(), Setting.TICK_INTERVAL_MS),
        arguments(Map.of("STOCKSTREAM_SYMBOLS", "AA$PL"), List.of(), Setting.SYMBOLS),
        arguments(Map.of("STOCKSTREAM_SYMBOLS", "AAPL,AAPL"), List.of(), Setting.SYMBOLS),
        arguments(Map.of("STOCKSTREAM_SEED", "x"), List.of(), Setting.SEED),
        arguments(
            Map.of("STOCKSTREAM_MARKET_SCHEDULE", "never"), List.of(), Setting.MARKET_SCHEDULE),
        arguments(
            Map.of("STOCKSTREAM_ALLOWED_ORIGINS", "not an origin"),
            List.of(),
            Setting.ALLOWED_ORIGINS),
        arguments(Map.of("STOCKSTREAM_MAX_CONNECTIONS", "0"), List.of(), Setting.MAX_CONNECTIONS),
        arguments(
            Map.of("STOCKSTREAM_MAX_HTTP_CONNECTIONS", "many"),
            List.of(),
            Setting.MAX_HTTP_CONNECTIONS),
        arguments(Map.of(), List.of("--max-http-connections=0"), Setting.MAX_HTTP_CONNECTIONS),
        arguments(Map.of("STOCKSTREAM_TLS_CERT", cert.toString()), List.of(), Setting.TLS_KEY),
        arguments(
            Map.of("STOCKSTREAM_TLS_SELF_SIGNED", "maybe"), List.of(), Setting.TLS_SELF_SIGNED),
        arguments(
            Map.of("STOCKSTREAM_AUTH_JWT_SECRET", "short"), List.of(), Setting.AUTH_JWT_SECRET),
        arguments(Map.of(), List.of("--http-port=abc"), Setting.HTTP_PORT),
        arguments(Map.of(), List.of("--seed", "x"), Setting.SEED),
        arguments(Map.of(), List.of("--tick-interval-ms"), Setting.TICK_INTERVAL_MS),
        // Flags win over the environment, for bad values too.
        arguments(
            Map.of("STOCKSTREAM_MAX_SUBSCRIPTIONS", "10"),
            List.of("--max-subscriptions", "lots"),
            Setting.MAX_SUBSCRIPTIONS),
        // Cluster mode joins by a member list or by DNS, never both; each member has its port.
        arguments(
            Map.of(
                "STOCKSTREAM_CLUSTER_MEMBERS", "127.0.0.1:5701",
                "STOCKSTREAM_CLUSTER_DNS", "stockstream-headless"),
            List.of(),
            Setting.CLUSTER_DNS),
        arguments(Map.of(), List.of("--cluster-members=127.0.0.1"), Setting.CLUSTER_MEMBERS),
        // 500 symbols at 50 ms keep 1000 ticks each (40 MB) at the least: more than half of 64 MB.
        arguments(
            Map.of(
                "JAVA_TOOL_OPTIONS", "-Xmx64m",
                "STOCKSTREAM_TICK_INTERVAL_MS", "50",
                "STOCKSTREAM_SYMBOLS", symbols(500)),
            List.of(),
            Setting.SYMBOLS),
        arguments(Map.of(), List.of("--nope"), null));
  }

  private static String symbols(int n) {
    return IntStream.rangeClosed(1, n)
        .mapToObj(i -> String.format("S%03d", i))
        .collect(Collectors.joining(","));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badSettings")
  void badSettingExitsWithCode2AndOneLineNamingIt(
      Map<String, String> bad, List<String> args, Setting setting) throws Exception {
    Map<String, String> env = new HashMap<>();
    // Should the setting be accepted after all, the process must not clash on a fixed port.
    env.put("STOCKSTREAM_HTTP_PORT", "0");
    env.put("STOCKSTREAM_MANAGEMENT_PORT", "0");
    env.putAll(bad);
    try (ServiceProcess p = ServiceProcess.start(env, args.toArray(String[]::new))) {
      int code = p.waitForExit(EXIT_WITHIN);
      List<String> lines = outputLines(p);
      assertThat(code).as("exit code; output:\n%s", p.output()).isEqualTo(2);
      assertThat(lines).as("output").hasSize(1);
      String line = lines.get(0);
      if (setting == null) {
        assertThat(line).contains("--nope");
      } else {
        assertThat(line.contains(setting.env()) || line.contains(setting.flag()))
            .as("'%s' names %s or %s", line, setting.env(), setting.flag())
            .isTrue();
      }
      assertThat(line).doesNotContain("Exception").doesNotContain("\tat ");
    }
  }

  @Test
  void helpExitsWithCode0AndListsEverySetting() throws Exception {
    try (ServiceProcess p = ServiceProcess.start(Map.of(), "--help")) {
      int code = p.waitForExit(EXIT_WITHIN);
      // It exits without ever listening: outputLines checks that no port line came.
      outputLines(p);
      String out = p.output();
      assertThat(code).as("exit code; output:\n%s", out).isZero();
      for (Setting s : Setting.values()) {
        assertThat(out).as("--help").contains(s.env()).contains(s.flag());
      }
    }
  }

  /** Every line the process printed, once it has closed its output. */
  private static List<String> outputLines(ServiceProcess p) throws Exception {
    // The port futures fail only when the output reached its end: every line has been read.
    assertThatThrownBy(p::publicPort).isInstanceOf(ExecutionException.class);
    return p.output()
        .lines()
        .filter(l -> !l.isBlank())
        // The JVM's own notice when the environment sets JVM options, not the service's.
        .filter(l -> !l.startsWith("Picked up "))
        .toList();
  }
}
