package io.stockstream.loadgen;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The load generator's command line, parsed once into an immutable record; a bad flag is an {@link
 * Invalid} whose message is the one line printed before exit code 2.
 *
 * @param universe the symbols to spread subscriptions over; empty: read them from a welcome
 * @param expectedRate the frames/s the server offers, 0 when not given
 * @param tickIntervalMs the server's mean tick interval per symbol, 0 when not given
 * @param watchPid a local process whose CPU and RSS the summary reports, 0 for none
 * @param rehearsals whole runs made first in this process and not reported, 0 for none
 */
public record Options(
    Target target,
    String token,
    boolean tokenInQuery,
    boolean insecure,
    int connections,
    int subscriptions,
    double rate,
    int maxInflight,
    long handshakeTimeoutMs,
    long warmupMs,
    long durationMs,
    boolean measureDuringRamp,
    List<String> universe,
    double expectedRate,
    long tickIntervalMs,
    double slowFraction,
    int slowFactor,
    int threads,
    Path out,
    long watchPid,
    int rehearsals) {

  public static final String USAGE =
      """
      usage: java -cp stockstream.jar io.stockstream.loadgen.LoadGenerator --url ws://host:8080/ws [flags]
        --url URL                 ws:// or wss:// endpoint (required)
        --connections N           connections to open (100)
        --subscriptions K         symbols per connection, sent as ?symbols= (5; 0: idle connections)
        --symbols A,B,...         the universe to spread subscriptions over (default: the welcome's)
        --rate R                  connections opened per second (1000)
        --max-inflight N          handshakes in flight at most (500)
        --handshake-timeout MS    a connect plus upgrade slower than this fails as timeout (10000)
        --warmup D                left out of the figures, counted from the end of the ramp (5s)
        --duration D              measured window (15s); D is 15, 15s, 1500ms or 2m
        --measure-during-ramp     start the window at the first connection, not after the ramp
        --expected-rate F         frames/s the server offers, for the delivery ratio
        --tick-interval-ms MS     or: the server's mean tick interval; offered = subscriptions / interval
        --slow-fraction X         this fraction of the connections reads slowly (0)
        --slow-factor F           ... at 1/F of the offered rate, by pausing reads (10)
        --token JWT               sent as Authorization: Bearer
        --token-in header|query   or as ?access_token= (header)
        --insecure                wss:// without checking the server's certificate
        --threads N               event loops (1: pin the process to one core to measure it)
        --out PATH                also write the JSON summary to PATH
        --watch-pid PID           report this local process's CPU and RSS (a server on this machine)
        --rehearsals N            make the whole run N times first, unreported: a cold JVM spends a
                                  connection storm compiling its own code, and its core is the limit (0)
      Progress goes to stderr once a second; the JSON summary to stdout.""";

  private static final Set<String> BOOLEAN_FLAGS =
      Set.of("--measure-during-ramp", "--insecure", "--help");

  private static final Set<String> VALUE_FLAGS =
      Set.of(
          "--url",
          "--connections",
          "--subscriptions",
          "--symbols",
          "--rate",
          "--max-inflight",
          "--handshake-timeout",
          "--warmup",
          "--duration",
          "--expected-rate",
          "--tick-interval-ms",
          "--slow-fraction",
          "--slow-factor",
          "--token",
          "--token-in",
          "--threads",
          "--out",
          "--watch-pid",
          "--rehearsals");

  /** A flag that cannot be used; the message is one line naming it. */
  public static final class Invalid extends RuntimeException {
    Invalid(String message) {
      super(oneLine(message), null, false, false);
    }

    // A flag's value is echoed: a control character in it must not break or forge the line.
    private static String oneLine(String message) {
      StringBuilder out = new StringBuilder(message.length());
      message
          .chars()
          .forEach(
              c ->
                  out.append(
                      Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
                          ? String.format("\\u%04X", c)
                          : String.valueOf((char) c)));
      return out.toString();
    }
  }

  /** True when the offered rate is known, from either flag. */
  public boolean offeredKnown() {
    return expectedRate > 0 || tickIntervalMs > 0;
  }

  /** Whether {@code args} asks for the usage text. */
  public static boolean wantsHelp(String[] args) {
    return List.of(args).contains("--help") || List.of(args).contains("-h");
  }

  /** Parses {@code --flag value} and {@code --flag=value}; flags given twice: the last wins. */
  public static Options parse(String[] args) {
    Map<String, String> flags = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new Invalid("unexpected argument '" + a + "'");
      }
      int eq = a.indexOf('=');
      String name = eq < 0 ? a : a.substring(0, eq);
      if (!VALUE_FLAGS.contains(name) && !BOOLEAN_FLAGS.contains(name)) {
        throw new Invalid(name + ": unknown flag");
      }
      if (eq >= 0) {
        flags.put(name, a.substring(eq + 1));
      } else if (BOOLEAN_FLAGS.contains(name)) {
        flags.put(name, "true");
      } else if (i + 1 < args.length) {
        flags.put(name, args[++i]);
      } else {
        throw new Invalid(name + ": needs a value");
      }
    }
    Reader r = new Reader(flags);
    String url = flags.get("--url");
    if (url == null) {
      throw new Invalid("--url: required, e.g. --url ws://localhost:8080/ws");
    }
    Target target = r.get("--url", Target::parse, null);
    String tokenIn = flags.getOrDefault("--token-in", "header").toLowerCase(Locale.ROOT);
    if (!tokenIn.equals("header") && !tokenIn.equals("query")) {
      throw new Invalid("--token-in: '" + tokenIn + "' is neither header nor query");
    }
    double slowFraction = r.decimal("--slow-fraction", 0, 0, 1);
    double expectedRate = r.decimal("--expected-rate", 0, 0, 1e12);
    long tickIntervalMs = r.whole("--tick-interval-ms", 0, 1, 3_600_000);
    if (slowFraction > 0 && expectedRate == 0 && tickIntervalMs == 0) {
      throw new Invalid("--slow-fraction: needs --expected-rate or --tick-interval-ms to pace");
    }
    return new Options(
        target,
        flags.get("--token"),
        tokenIn.equals("query"),
        r.bool("--insecure"),
        (int) r.whole("--connections", 100, 1, 10_000_000),
        (int) r.whole("--subscriptions", 5, 0, 100_000),
        r.decimal("--rate", 1000, 0.001, 1e9),
        (int) r.whole("--max-inflight", 500, 1, 10_000_000),
        r.whole("--handshake-timeout", 10_000, 1, 3_600_000),
        r.duration("--warmup", 5_000, 0),
        r.duration("--duration", 15_000, 1),
        r.bool("--measure-during-ramp"),
        r.get("--symbols", Options::symbolList, List.of()),
        expectedRate,
        tickIntervalMs,
        slowFraction,
        (int) r.whole("--slow-factor", 10, 1, 1_000_000),
        (int) r.whole("--threads", 1, 1, 1024),
        r.get("--out", Path::of, null),
        r.whole("--watch-pid", 0, 1, Long.MAX_VALUE),
        (int) r.whole("--rehearsals", 0, 0, 100));
  }

  private static List<String> symbolList(String csv) {
    List<String> out = new ArrayList<>();
    for (String s : csv.split(",", -1)) {
      String t = s.trim().toUpperCase(Locale.ROOT);
      if (!t.matches("[A-Z0-9][A-Z0-9.\\-]{0,31}")) {
        throw new IllegalArgumentException("'" + s + "' is not a symbol");
      }
      if (out.contains(t)) {
        throw new IllegalArgumentException(t + " is listed twice");
      }
      out.add(t);
    }
    return List.copyOf(out);
  }

  /** Typed access to the raw flags, each error naming its flag. */
  private record Reader(Map<String, String> flags) {

    <T> T get(String flag, Function<String, T> parse, T fallback) {
      String v = flags.get(flag);
      if (v == null) {
        return fallback;
      }
      try {
        return parse.apply(v);
      } catch (RuntimeException e) {
        throw new Invalid(flag + ": " + e.getMessage());
      }
    }

    long whole(String flag, long fallback, long min, long max) {
      long v =
          get(
              flag,
              s -> {
                try {
                  return Long.parseLong(s.trim());
                } catch (NumberFormatException e) {
                  throw new IllegalArgumentException("'" + s + "' is not a whole number");
                }
              },
              fallback);
      return checked(flag, v, fallback, min, max);
    }

    double decimal(String flag, double fallback, double min, double max) {
      double v =
          get(
              flag,
              s -> {
                try {
                  return Double.parseDouble(s.trim());
                } catch (NumberFormatException e) {
                  throw new IllegalArgumentException("'" + s + "' is not a number");
                }
              },
              fallback);
      if (flags.containsKey(flag) && !(v >= min && v <= max)) {
        throw new Invalid(
            flag + ": " + flags.get(flag) + " is out of range (" + min + ".." + max + ")");
      }
      return v;
    }

    /** Milliseconds from {@code 15}, {@code 15s}, {@code 1500ms} or {@code 2m}. */
    long duration(String flag, long fallbackMs, long minMs) {
      long v = get(flag, Reader::millis, fallbackMs);
      return checked(flag, v, fallbackMs, minMs, 86_400_000L);
    }

    boolean bool(String flag) {
      String v = flags.getOrDefault(flag, "false").toLowerCase(Locale.ROOT);
      if (!v.equals("true") && !v.equals("false")) {
        throw new Invalid(flag + ": '" + v + "' is neither true nor false");
      }
      return v.equals("true");
    }

    private long checked(String flag, long v, long fallback, long min, long max) {
      if (flags.containsKey(flag) && (v < min || v > max)) {
        throw new Invalid(
            flag + ": " + flags.get(flag) + " is out of range (" + min + ".." + max + ")");
      }
      return v;
    }

    private static long millis(String s) {
      String t = s.trim().toLowerCase(Locale.ROOT);
      double factor = 1000;
      if (t.endsWith("ms")) {
        factor = 1;
        t = t.substring(0, t.length() - 2);
      } else if (t.endsWith("s")) {
        t = t.substring(0, t.length() - 1);
      } else if (t.endsWith("m")) {
        factor = 60_000;
        t = t.substring(0, t.length() - 1);
      }
      try {
        double v = Double.parseDouble(t) * factor;
        if (!(v >= 0) || Double.isInfinite(v)) {
          throw new NumberFormatException();
        }
        return Math.round(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + s + "' is not a duration like 15s or 500ms");
      }
    }
  }
}
