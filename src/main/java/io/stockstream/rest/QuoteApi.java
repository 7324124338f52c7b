package io.stockstream.rest;

import io.stockstream.Json;
import io.stockstream.feed.MarketData;
import io.stockstream.feed.TickEvent;
import io.stockstream.metrics.Metrics;
import io.stockstream.metrics.WireStats;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The request-response version of the feed: the same ticks as the WebSocket, read from {@link
 * MarketData}, with the bytes each exchange costs on the wire counted for {@code /api/compare}.
 */
public final class QuoteApi {

  private final MarketData market;
  private final Metrics metrics;
  private final WireStats wire;
  private final int maxSymbols;

  public QuoteApi(MarketData market, Metrics metrics, WireStats wire, int maxSymbols) {
    this.market = market;
    this.metrics = metrics;
    this.wire = wire;
    this.maxSymbols = maxSymbols;
  }

  /** {@code GET /api/symbols}. */
  public void symbols(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    for (int i = 0; i < market.size(); i++) {
      TickEvent latest = market.latest(i);
      out.add(
          new JsonObject()
              .put("symbol", market.spec(i).symbol())
              .put("name", market.spec(i).name())
              .put("quote", latest == null ? null : Json.quote(latest.tick())));
    }
    json(ctx, new JsonObject().put("symbols", out).toBuffer());
  }

  /** {@code GET /api/quotes/{symbol}[?since=seq]}. */
  public void quote(RoutingContext ctx) {
    metrics.quoteRequest();
    String symbol = ctx.pathParam("symbol").toUpperCase(Locale.ROOT);
    Long since = since(param(ctx, "since"));
    int i = market.indexOf(symbol);
    if (i < 0) {
      throw ApiException.unknownSymbol("unknown symbol: " + symbol);
    }
    TickEvent latest = latest(i);
    JsonObject body = Json.quote(latest.tick());
    if (since != null) {
      long missed = Math.max(0, latest.seq() - since - 1);
      body.put("missed", missed);
      wire.httpMissed(missed);
    }
    countExchange(ctx, 1);
    json(ctx, body.toBuffer());
  }

  /** {@code GET /api/quotes?symbols=AAPL,MSFT}. */
  public void quotes(RoutingContext ctx) {
    metrics.quoteRequest();
    String param = param(ctx, "symbols");
    if (param == null || param.isBlank()) {
      throw ApiException.badRequest("query parameter symbols is required, e.g. ?symbols=AAPL,MSFT");
    }
    Set<String> symbols = new LinkedHashSet<>();
    for (String s : param.split(",")) {
      if (!s.isBlank()) {
        symbols.add(s.trim().toUpperCase(Locale.ROOT));
      }
    }
    if (symbols.isEmpty() || symbols.size() > maxSymbols) {
      throw ApiException.badRequest("symbols must name 1 to " + maxSymbols + " symbols");
    }
    List<String> unknown = symbols.stream().filter(s -> market.indexOf(s) < 0).toList();
    if (!unknown.isEmpty()) {
      throw ApiException.unknownSymbol("unknown symbols: " + String.join(",", unknown));
    }
    JsonArray quotes = new JsonArray();
    for (String s : symbols) {
      quotes.add(Json.quote(latest(market.indexOf(s)).tick()));
    }
    countExchange(ctx, quotes.size());
    json(ctx, new JsonObject().put("quotes", quotes).toBuffer());
  }

  /** {@code GET /api/compare}. */
  public void compare(RoutingContext ctx) {
    json(
        ctx,
        wire.toJson(metrics.fanoutPercentileMs(0.50), metrics.fanoutPercentileMs(0.99)).toBuffer());
  }

  private TickEvent latest(int index) {
    TickEvent latest = market.latest(index);
    if (latest == null) {
      throw new ApiException(
          503, "unavailable", "no tick yet for " + market.spec(index).symbol(), 1);
    }
    return latest;
  }

  /** A query parameter; a query string that cannot be decoded is the client's mistake. */
  private static String param(RoutingContext ctx, String name) {
    try {
      return ctx.request().getParam(name);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("the query string is not validly percent-encoded");
    }
  }

  private static Long since(String param) {
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
    throw ApiException.badRequest("since must be a non-negative integer seq, got '" + param + "'");
  }

  private static void json(RoutingContext ctx, Buffer body) {
    ctx.response().putHeader("Content-Type", "application/json").end(body);
  }

  /** Counts the whole exchange once the response is on the wire: both heads and both bodies. */
  private void countExchange(RoutingContext ctx, int updates) {
    HttpServerRequest req = ctx.request();
    HttpServerResponse resp = ctx.response();
    resp.bodyEndHandler(
        v -> {
          long requestBytes =
              utf8(req.method().name() + " " + req.uri() + " " + "HTTP/1.1\r\n")
                  + headerBytes(req.headers())
                  + req.bytesRead();
          long responseBytes =
              utf8("HTTP/1.1 " + resp.getStatusCode() + " " + resp.getStatusMessage() + "\r\n")
                  + headerBytes(resp.headers())
                  + resp.bytesWritten();
          wire.httpExchange(updates, requestBytes + responseBytes);
        });
  }

  private static long headerBytes(MultiMap headers) {
    long n = 2; // the blank line that ends the head
    for (Map.Entry<String, String> h : headers) {
      n += utf8(h.getKey()) + 2 + utf8(h.getValue()) + 2;
    }
    return n;
  }

  private static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
