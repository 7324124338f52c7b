package io.stockstream.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Fuzzes the settings parser with arbitrary environments and command lines.
 *
 * <p>Invariants: {@link ConfigLoader#load} returns a {@link Config} or throws {@link
 * ConfigException}, nothing else; the exception's message starts with the env var and flag of a
 * setting ({@code STOCKSTREAM_TICK_INTERVAL_MS (--tick-interval-ms): }) or is the unknown-flag
 * message ({@code unknown flag X (see --help)}), and is one line: no line break of any kind, since
 * the process prints it as its one line before exit 2.
 *
 * <p>Input: UTF-8 lines; {@code $NAME=value} is an environment variable, every other line is one
 * command-line argument ({@code --seed}, {@code 42}, or {@code --seed=42}).
 */
class ConfigLoaderFuzzTest {

  private static final Pattern NAMED = namedSetting();

  private static final Pattern UNKNOWN_FLAG = Pattern.compile("unknown flag .* \\(see --help\\)");

  /** Line breaks to a terminal or a log collector: LF, CR, NEL, LS, PS, VT, FF. */
  private static final Pattern LINE_BREAK =
      Pattern.compile("[\\n\\r\\u0085\\u2028\\u2029\\u000B\\f]");

  @FuzzTest(maxDuration = "10m")
  void load(byte[] input) {
    Map<String, String> env = new HashMap<>();
    List<String> args = new ArrayList<>();
    for (String line : new String(input, StandardCharsets.UTF_8).split("\n")) {
      int eq = line.indexOf('=');
      if (line.startsWith("$") && eq > 0) {
        env.put(line.substring(1, eq), line.substring(eq + 1));
      } else {
        args.add(line);
      }
    }
    try {
      Config config = ConfigLoader.load(env, args.toArray(String[]::new));
      check(config != null, "load returned null");
    } catch (ConfigException e) {
      String message = e.getMessage();
      check(message != null, "no message");
      check(!LINE_BREAK.matcher(message).find(), "message is not one line: " + message);
      check(
          NAMED.matcher(message).lookingAt() || UNKNOWN_FLAG.matcher(message).matches(),
          "message names no setting: " + message);
    }
  }

  private static Pattern namedSetting() {
    StringBuilder alternatives = new StringBuilder();
    for (Setting s : Setting.values()) {
      if (alternatives.length() > 0) {
        alternatives.append('|');
      }
      alternatives.append(Pattern.quote(s.env() + " (" + s.flag() + "): "));
    }
    return Pattern.compile("(?:" + alternatives + ")");
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError(what);
    }
  }
}
