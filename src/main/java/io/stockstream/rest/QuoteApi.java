package io.stockstream.rest;

import io.stockstream.http.HttpError;
import io.stockstream.market.MarketData;
import io.stockstream.market.SymbolSpec;
import io.stockstream.metrics.Meters;
import io.stockstream.metrics.WireComparison;
import io.stockstream.protocol.ProtocolJson;
import io.stockstream.protocol.Tick;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The request-response version of the feed: the same ticks as the WebSocket, read from {@link
 * MarketData}, with the bytes each exchange costs on the wire counted for {@code /api/compare}.
 */
public final class QuoteApi {

  private final MarketData market;
  private final Meters meters;
  private final WireComparison wire;
  private final int maxSymbols;

  public QuoteApi(MarketData market, Meters meters, WireComparison wire, int maxSymbols) {
    this.market = market;
    this.meters = meters;
    this.wire = wire;
    this.maxSymbols = maxSymbols;
  }

  /** {@code GET /api/symbols}. */
  public void symbols(RoutingContext ctx) {
    List<ProtocolJson.Listing> listings = new ArrayList<>(market.size());
    for (int i = 0; i < market.size(); i++) {
      SymbolSpec spec = market.spec(i);
      listings.add(new ProtocolJson.Listing(spec.symbol(), spec.name(), market.latestTick(i)));
    }
    json(ctx, ProtocolJson.symbols(listings));
  }

  /** {@code GET /api/quotes/{symbol}[?since=seq]}. */
  public void quote(RoutingContext ctx) {
    meters.quoteRequest();
    String symbol = QuoteQuery.symbol(ctx.pathParam("symbol"));
    Long since = QuoteQuery.since(param(ctx, "since"));
    int i = market.indexOf(symbol);
    if (i < 0) {
      throw HttpError.unknownSymbol("unknown symbol: " + symbol);
    }
    Tick latest = latest(i);
    Long missed = null;
    if (since != null) {
      missed = Math.max(0, latest.seq() - since - 1);
      wire.httpMissed(missed);
    }
    countExchange(ctx, 1);
    json(ctx, ProtocolJson.quoteBody(latest, missed));
  }

  /** {@code GET /api/quotes?symbols=AAPL,MSFT}. */
  public void quotes(RoutingContext ctx) {
    meters.quoteRequest();
    Set<String> symbols = QuoteQuery.symbols(param(ctx, "symbols"), maxSymbols);
    List<String> unknown = symbols.stream().filter(s -> market.indexOf(s) < 0).toList();
    if (!unknown.isEmpty()) {
      throw HttpError.unknownSymbol("unknown symbols: " + String.join(",", unknown));
    }
    List<Tick> quotes = new ArrayList<>(symbols.size());
    for (String s : symbols) {
      quotes.add(latest(market.indexOf(s)));
    }
    countExchange(ctx, quotes.size());
    json(ctx, ProtocolJson.quotes(quotes));
  }

  /** {@code GET /api/compare}. */
  public void compare(RoutingContext ctx) {
    json(
        ctx,
        ProtocolJson.compare(
            wire.snapshot(meters.fanoutPercentileMs(0.50), meters.fanoutPercentileMs(0.99))));
  }

  private Tick latest(int index) {
    Tick latest = market.latestTick(index);
    if (latest == null) {
      throw new HttpError(503, "unavailable", "no tick yet for " + market.spec(index).symbol(), 1);
    }
    return latest;
  }

  /** A query parameter; a query string that cannot be decoded is the client's mistake. */
  private static String param(RoutingContext ctx, String name) {
    try {
      return ctx.request().getParam(name);
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("the query string is not validly percent-encoded");
    }
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
