package io.stockstream.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

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

  // ASCII only, before upper-casing: Locale.ROOT would turn "ı" into "I" and "ß" into "SS".
  private static final Pattern TICKER =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9.\\-]{0," + (MAX_LENGTH - 1) + "}");

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
    if (!TICKER.matcher(s).matches()) {
      throw new Malformed("'" + abbreviate(s) + "' is not a symbol: " + RULE);
    }
    return s.toUpperCase(Locale.ROOT);
  }

  /** True when {@code raw} is a ticker under the rule. */
  public static boolean isSymbol(String raw) {
    return TICKER.matcher(raw.trim()).matches();
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
