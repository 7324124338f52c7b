package io.stockstream.rest;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.stockstream.http.HttpError;
import io.stockstream.protocol.Symbols;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Fuzzes the parsing of {@code GET /api/quotes/{symbol}?since=} and {@code GET
 * /api/quotes?symbols=}.
 *
 * <p>Invariants: {@link QuoteQuery} returns a value or throws {@link HttpError} with status 400 and
 * error {@code bad_request}, nothing else; a returned symbol is a symbol under {@link
 * Symbols#isSymbol}, upper-case; {@code since} is null exactly when absent, else {@code >= 0}; a
 * symbols set holds 1 to {@code max} such symbols.
 *
 * <p>Input: UTF-8 lines {@code symbol=v} (the decoded path segment), {@code since=v}, {@code
 * symbols=v} (decoded query parameters) and {@code max=N} (the limit, default 200); a key that is
 * absent is not parsed, except that {@code since} is then checked to be null.
 */
class QuoteQueryFuzzTest {

  @FuzzTest(maxDuration = "10m")
  void parse(byte[] input) {
    String symbol = null;
    String since = null;
    String symbols = null;
    int max = 200;
    for (String line : new String(input, StandardCharsets.UTF_8).split("\n", -1)) {
      if (line.startsWith("symbol=")) {
        symbol = line.substring("symbol=".length());
      } else if (line.startsWith("since=")) {
        since = line.substring("since=".length());
      } else if (line.startsWith("symbols=")) {
        symbols = line.substring("symbols=".length());
      } else if (line.startsWith("max=")) {
        max = limit(line.substring("max=".length()));
      }
    }
    if (symbol != null) {
      String raw = symbol;
      String s = orBadRequest(() -> QuoteQuery.symbol(raw));
      if (s != null) {
        checkSymbol(s);
      }
    }
    String sinceParam = since;
    Long seq = orBadRequest(() -> QuoteQuery.since(sinceParam));
    check(sinceParam != null || seq == null, "since without ?since=");
    check(seq == null || seq >= 0, "since < 0: " + seq);
    String symbolsParam = symbols;
    int limit = max;
    Set<String> set = orBadRequest(() -> QuoteQuery.symbols(symbolsParam, limit));
    if (set != null) {
      check(!set.isEmpty() && set.size() <= limit, set.size() + " symbols, limit " + limit);
      set.forEach(QuoteQueryFuzzTest::checkSymbol);
    }
  }

  /** The value, or null after checking that the refusal is a 400 {@code bad_request}. */
  private static <T> T orBadRequest(Supplier<T> parse) {
    try {
      return parse.get();
    } catch (HttpError e) {
      check(e.status() == 400 && "bad_request".equals(e.error()), e.status() + " " + e.error());
      check(e.getMessage() != null && !e.getMessage().isEmpty(), "a 400 without a message");
      return null;
    }
  }

  private static int limit(String text) {
    try {
      return Math.max(1, Integer.parseInt(text.trim()));
    } catch (NumberFormatException e) {
      return 200;
    }
  }

  private static void checkSymbol(String symbol) {
    check(Symbols.isSymbol(symbol), "not a symbol: " + symbol);
    check(symbol.equals(symbol.toUpperCase(Locale.ROOT)), "not upper-case: " + symbol);
    check(symbol.equals(symbol.trim()), "not trimmed: " + symbol);
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError(what);
    }
  }
}
