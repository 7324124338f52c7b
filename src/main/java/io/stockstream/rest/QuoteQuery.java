package io.stockstream.rest;

import io.stockstream.http.HttpError;
import io.stockstream.protocol.Symbols;
import java.util.LinkedHashSet;
import java.util.Set;

/** The pure parsing of a quote request's path and query: a value, or a 400 {@link HttpError}. */
public final class QuoteQuery {

  private QuoteQuery() {}

  /**
   * The symbol of {@code /api/quotes/{symbol}}, normalised.
   *
   * @throws HttpError 400 when it is not a symbol
   */
  public static String symbol(String raw) {
    try {
      return Symbols.normalize(raw);
    } catch (Symbols.Malformed e) {
      throw HttpError.badRequest(e.getMessage());
    }
  }

  /**
   * The {@code ?since=} seq, or null when the parameter is absent.
   *
   * @throws HttpError 400 when it is not a non-negative integer
   */
  public static Long since(String param) {
    if (param == null) {
      return null;
    }
    try {
      long since = Long.parseLong(param.trim());
      if (since >= 0) {
        return since;
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw HttpError.badRequest("since must be a non-negative integer seq, got '" + param + "'");
  }

  /**
   * The symbols of {@code ?symbols=AAPL,MSFT}, normalised, in order, without duplicates.
   *
   * @throws HttpError 400 when the parameter is missing or blank, an entry is not a symbol, or it
   *     names more than {@code maxSymbols}
   */
  public static Set<String> symbols(String param, int maxSymbols) {
    if (param == null || param.isBlank()) {
      throw HttpError.badRequest("query parameter symbols is required, e.g. ?symbols=AAPL,MSFT");
    }
    Set<String> symbols;
    try {
      symbols = new LinkedHashSet<>(Symbols.parseList(param));
    } catch (Symbols.Malformed e) {
      throw HttpError.badRequest("symbols: " + e.getMessage());
    }
    if (symbols.size() > maxSymbols) {
      throw HttpError.badRequest("symbols must name 1 to " + maxSymbols + " symbols");
    }
    return symbols;
  }
}
