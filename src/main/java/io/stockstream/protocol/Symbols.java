package io.stockstream.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one rule for what a symbol is, wherever one comes in (a WebSocket frame, {@code ?symbols=}, a
 * REST path or the settings): trimmed, case-insensitive in, upper-case out, and a ticker of 1 to
 * {@value #MAX_LENGTH} ASCII letters, digits, dots or dashes that starts with a letter or digit.
 */
public final class Symbols {

  public static final int MAX_LENGTH = 12;

  /** The rule in words, for error messages. */
  public static final String RULE =
      "a symbol is 1 to "
          + MAX_LENGTH
          + " letters, digits, '.' or '-', starting with a letter or digit";

  /**
   * The rule as a loop, not a regular expression: it runs for every symbol of every handshake's
   * {@code ?symbols=}, where a matcher per symbol showed in the profile of a connection storm.
   */
  private static boolean isTicker(String s) {
    int n = s.length();
    if (n == 0 || n > MAX_LENGTH || !letterOrDigit(s.charAt(0))) {
      return false;
    }
    for (int i = 1; i < n; i++) {
      char c = s.charAt(i);
      if (!letterOrDigit(c) && c != '.' && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean letterOrDigit(char c) {
    // ASCII only, before upper-casing: Locale.ROOT would turn "ı" into "I" and "ß" into "SS".
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  private Symbols() {}

  /** A malformed symbol or list; the message says which entry and why. */
  public static final class Malformed extends IllegalArgumentException {
    Malformed(String message) {
      super(message, null);
    }
  }

  /**
   * The symbol in its canonical form.
   *
   * @throws Malformed when {@code raw} is not a ticker
   */
  public static String normalize(String raw) {
    String s = raw.trim();
    if (!isTicker(s)) {
      throw new Malformed("'" + abbreviate(s) + "' is not a symbol: " + RULE);
    }
    return s.toUpperCase(Locale.ROOT);
  }

  /** True when {@code raw} is a ticker under the rule. */
  public static boolean isSymbol(String raw) {
    return isTicker(raw.trim());
  }

  /**
   * The trimmed entries of a comma list, in order, duplicates kept: {@code "AAPL, msft"}. An empty
   * list or an empty entry ({@code "AAPL,,MSFT"}, a trailing comma) is malformed.
   */
  public static List<String> entries(String commaList) {
    List<String> out = new ArrayList<>();
    for (String entry : commaList.split(",", -1)) {
      String e = entry.trim();
      if (e.isEmpty()) {
        throw new Malformed("'" + abbreviate(commaList) + "' has an empty entry");
      }
      out.add(e);
    }
    return out;
  }

  /** A comma list of symbols, each normalised, in order, duplicates kept. */
  public static List<String> parseList(String commaList) {
    List<String> out = new ArrayList<>();
    for (String e : entries(commaList)) {
      out.add(normalize(e));
    }
    return out;
  }

  /** Echoes at most a few dozen characters of the client's input in an error. */
  private static String abbreviate(String s) {
    if (s.length() <= 40) {
      return s;
    }
    int cut = Character.isHighSurrogate(s.charAt(39)) ? 39 : 40;
    return s.substring(0, cut) + "…";
  }
}
