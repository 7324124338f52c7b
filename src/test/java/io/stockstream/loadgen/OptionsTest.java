package io.stockstream.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OptionsTest {

  private static Options parse(String... args) {
    return Options.parse(args);
  }

  @Test
  void defaultsNeedOnlyTheUrl() {
    Options o = parse("--url", "ws://localhost:8080/ws");
    assertThat(o.target()).isEqualTo(new Target(false, "localhost", 8080, "/ws", null));
    assertThat(o.connections()).isEqualTo(100);
    assertThat(o.subscriptions()).isEqualTo(5);
    assertThat(o.rate()).isEqualTo(1000);
    assertThat(o.warmupMs()).isEqualTo(5000);
    assertThat(o.durationMs()).isEqualTo(15000);
    assertThat(o.threads()).isEqualTo(1);
    assertThat(o.universe()).isEmpty();
    assertThat(o.offeredKnown()).isFalse();
    assertThat(o.token()).isNull();
    assertThat(o.rehearsals()).isZero();
  }

  @Test
  void everyFlagInBothForms() {
    Options o =
        parse(
            "--url=wss://example.test/ws?x=1",
            "--connections",
            "10000",
            "--subscriptions=3",
            "--symbols",
            "aapl, MSFT,brk.b",
            "--rate",
            "5000",
            "--max-inflight",
            "64",
            "--handshake-timeout",
            "3000",
            "--warmup",
            "500ms",
            "--duration",
            "2m",
            "--measure-during-ramp",
            "--tick-interval-ms",
            "100",
            "--slow-fraction",
            "0.1",
            "--slow-factor",
            "20",
            "--token",
            "abc",
            "--token-in",
            "query",
            "--insecure=true",
            "--threads",
            "2",
            "--out",
            "/tmp/x.json",
            "--watch-pid",
            "42",
            "--rehearsals",
            "1");
    assertThat(o.target()).isEqualTo(new Target(true, "example.test", 443, "/ws", "x=1"));
    assertThat(o.connections()).isEqualTo(10000);
    assertThat(o.subscriptions()).isEqualTo(3);
    assertThat(o.universe()).containsExactly("AAPL", "MSFT", "BRK.B");
    assertThat(o.rate()).isEqualTo(5000);
    assertThat(o.maxInflight()).isEqualTo(64);
    assertThat(o.handshakeTimeoutMs()).isEqualTo(3000);
    assertThat(o.warmupMs()).isEqualTo(500);
    assertThat(o.durationMs()).isEqualTo(120_000);
    assertThat(o.measureDuringRamp()).isTrue();
    assertThat(o.tickIntervalMs()).isEqualTo(100);
    assertThat(o.slowFraction()).isEqualTo(0.1);
    assertThat(o.slowFactor()).isEqualTo(20);
    assertThat(o.token()).isEqualTo("abc");
    assertThat(o.tokenInQuery()).isTrue();
    assertThat(o.insecure()).isTrue();
    assertThat(o.threads()).isEqualTo(2);
    assertThat(o.out()).isEqualTo(Path.of("/tmp/x.json"));
    assertThat(o.watchPid()).isEqualTo(42);
    assertThat(o.rehearsals()).isEqualTo(1);
    assertThat(o.offeredKnown()).isTrue();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--connections 10                     | --url: required",
        "--url http://x/ws                    | --url: 'http://x/ws' is not a ws:// or wss:// URL",
        "--url ws://x/ws --conections 3       | --conections: unknown flag",
        "--url ws://x/ws --connections        | --connections: needs a value",
        "--url ws://x/ws --connections ten    | --connections: 'ten' is not a whole number",
        "--url ws://x/ws --connections 0      | --connections: 0 is out of range (1..10000000)",
        "--url ws://x/ws --rate -1            | --rate: -1 is out of range",
        "--url ws://x/ws --warmup soon        | --warmup: 'soon' is not a duration like 15s or 500ms",
        "--url ws://x/ws --token-in cookie    | --token-in: 'cookie' is neither header nor query",
        "--url ws://x/ws --insecure=maybe     | --insecure: 'maybe' is neither true nor false",
        "--url ws://x/ws --symbols A,,B       | --symbols: '' is not a symbol",
        "--url ws://x/ws --symbols A,a        | --symbols: A is listed twice",
        "--url ws://x/ws --slow-fraction 0.1  | --slow-fraction: needs --expected-rate or --tick-interval-ms",
        "--url ws://x/ws stray                | unexpected argument 'stray'",
        "--url ws://x/ws --rehearsals 101     | --rehearsals: 101 is out of range (0..100)",
      })
  void aBadFlagIsOneLineNamingIt(String args, String message) {
    assertThatThrownBy(() -> Options.parse(args.trim().split(" +")))
        .isInstanceOf(Options.Invalid.class)
        .hasMessageStartingWith(message.trim())
        .hasMessageNotContaining("\n");
  }

  @Test
  void controlCharactersInAnEchoedValueAreEscaped() {
    assertThatThrownBy(() -> parse("--url", "ws://x/ws", "--connections", "1\n2"))
        .hasMessage("--connections: '1\\u000A2' is not a whole number");
  }

  @Test
  void badFlagsExitWith2AndOneLineOnStderr() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        LoadGenerator.run(
            new String[] {"--url", "ws://x/ws", "--threads", "0"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(LoadGenerator.EXIT_USAGE);
    assertThat(out.size()).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8).lines().toList())
        .isEqualTo(List.of("loadgen: --threads: 0 is out of range (1..1024)"));
  }

  @Test
  void theRequestTargetCarriesSymbolsAndTheQueryToken() {
    Target t = Target.parse("ws://127.0.0.1:9/ws?v=1");
    assertThat(t.requestTarget("AAPL,MSFT", "a b"))
        .isEqualTo("/ws?v=1&symbols=AAPL,MSFT&access_token=a+b");
    assertThat(Target.parse("ws://h/").requestTarget("", null)).isEqualTo("/");
    assertThat(Target.parse("ws://h").requestTarget("X", null)).isEqualTo("/?symbols=X");
    assertThat(t.hostHeader()).isEqualTo("127.0.0.1:9");
    assertThat(Target.parse("wss://h:443/ws").hostHeader()).isEqualTo("h");
  }
}
