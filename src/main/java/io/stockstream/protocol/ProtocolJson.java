package io.stockstream.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;

/**
 * The one encoder of the JSON the service sends: every WebSocket frame, every REST body, and the
 * reasons of the probes. Nothing else in the service builds JSON for the wire.
 */
public final class ProtocolJson {

  public static final int PROTOCOL = 1;

  private static final byte[] WELCOME_OPEN =
      ("{\"type\":\"welcome\",\"protocol\":" + PROTOCOL + ",\"connectionId\":")
          .getBytes(StandardCharsets.UTF_8);
  private static final Buffer SNAPSHOT_OPEN = Buffer.buffer(",\"snapshot\":[");

  private ProtocolJson() {}

  /** A tick as REST returns it: the {@code tick} frame without {@code type}. */
  private static JsonObject quote(Tick t) {
    return new JsonObject()
        .put("symbol", t.symbol())
        .put("seq", t.seq())
        .put("price", t.price())
        .put("open", t.open())
        .put("high", t.high())
        .put("low", t.low())
        .put("change", t.change())
        .put("changePct", t.changePct())
        .put("volume", t.volume())
        .put("ts", t.ts());
  }

  private static JsonObject tick(Tick t) {
    return new JsonObject().put("type", "tick").mergeIn(quote(t));
  }

  public static Buffer tickFrame(Tick t) {
    return tick(t).toBuffer();
  }

  /**
   * The start of a {@code welcome} frame, up to its {@code symbols}: the frame is this, then {@link
   * #welcomeSymbols}, then {@link #welcomeTail}. The list of symbols is the same for every
   * connection, so the service encodes it once and sends the same bytes on every handshake.
   */
  public static Buffer welcomeHead(String connectionId, String epoch, long serverTime) {
    // Written out rather than built as an object: it is on every handshake of a storm, and its
    // strings go through the JSON encoder all the same.
    return Buffer.buffer(128)
        .appendBytes(WELCOME_OPEN)
        .appendString(Json.encode(connectionId))
        .appendString(",\"epoch\":")
        .appendString(Json.encode(epoch))
        .appendString(",\"serverTime\":")
        .appendString(Long.toString(serverTime))
        .appendString(",\"symbols\":");
  }

  /** The {@code symbols} of a {@code welcome} frame: see {@link #welcomeHead}. */
  public static Buffer welcomeSymbols(List<String> symbols) {
    return new JsonArray(symbols).toBuffer();
  }

  /** The end of a {@code welcome} frame, after its symbols: see {@link #welcomeHead}. */
  public static Buffer welcomeTail(boolean open) {
    Buffer market = new JsonObject().put("market", marketStatus(open)).toBuffer();
    return Buffer.buffer(",").appendBuffer(market, 1, market.length() - 1);
  }

  /**
   * The reply to a subscribe.
   *
   * @param gaps null when the request carried no {@code since}
   */
  public static Buffer subscribed(
      Object ref, Collection<String> symbols, List<TickEvent> snapshot, List<String> gaps) {
    JsonObject f = new JsonObject().put("type", "subscribed");
    putRef(f, ref);
    f.put("symbols", new JsonArray(List.copyOf(symbols)));
    if (gaps != null) {
      f.put("gaps", new JsonArray(gaps));
    }
    Buffer head = f.toBuffer();
    int size = head.length() + SNAPSHOT_OPEN.length() + snapshot.size() + 1;
    for (TickEvent t : snapshot) {
      size += t.frame().length();
    }
    // The snapshot's ticks are the feed's own encoding of them (a tick frame is a snapshot entry):
    // spliced in, not encoded again on every subscribe of a connection storm.
    Buffer out = Buffer.buffer(size).appendBuffer(head, 0, head.length() - 1);
    out.appendBuffer(SNAPSHOT_OPEN);
    for (int i = 0; i < snapshot.size(); i++) {
      if (i > 0) {
        out.appendByte((byte) ',');
      }
      out.appendBuffer(snapshot.get(i).frame());
    }
    return out.appendString("]}");
  }

  public static Buffer unsubscribed(Object ref, Collection<String> symbols) {
    JsonObject f = new JsonObject().put("type", "unsubscribed");
    putRef(f, ref);
    return f.put("symbols", new JsonArray(List.copyOf(symbols))).toBuffer();
  }

  public static Buffer pong(Object ref, long serverTime) {
    JsonObject f = new JsonObject().put("type", "pong");
    putRef(f, ref);
    return f.put("serverTime", serverTime).toBuffer();
  }

  public static Buffer presence(String symbol, int viewers) {
    return new JsonObject()
        .put("type", "presence")
        .put("symbol", symbol)
        .put("viewers", viewers)
        .toBuffer();
  }

  public static Buffer market(boolean open, long ts) {
    return new JsonObject()
        .put("type", "market")
        .put("status", marketStatus(open))
        .put("ts", ts)
        .toBuffer();
  }

  public static Buffer draining(long reconnectAfterMs) {
    return new JsonObject()
        .put("type", "draining")
        .put("reconnectAfterMs", reconnectAfterMs)
        .toBuffer();
  }

  /**
   * An {@code error} frame; the connection stays open.
   *
   * @param symbols the unknown symbols for {@code unknown_symbol}, else null
   */
  public static Buffer error(String code, String message, Object ref, Collection<String> symbols) {
    JsonObject f = new JsonObject().put("type", "error").put("code", code).put("message", message);
    putRef(f, ref);
    if (symbols != null) {
      f.put("symbols", new JsonArray(List.copyOf(symbols)));
    }
    return f.toBuffer();
  }

  /** One row of {@code GET /api/symbols}; {@code quote} is null before the symbol's first tick. */
  public record Listing(String symbol, String name, Tick quote) {}

  /** {@code GET /api/symbols}. */
  public static Buffer symbols(List<Listing> listings) {
    JsonArray out = new JsonArray();
    for (Listing l : listings) {
      out.add(
          new JsonObject()
              .put("symbol", l.symbol())
              .put("name", l.name())
              .put("quote", l.quote() == null ? null : quote(l.quote())));
    }
    return new JsonObject().put("symbols", out).toBuffer();
  }

  /**
   * {@code GET /api/quotes/{symbol}}.
   *
   * @param missed the ticks a poller with {@code ?since=} never saw, or null without it
   */
  public static Buffer quoteBody(Tick t, Long missed) {
    JsonObject body = quote(t);
    if (missed != null) {
      body.put("missed", missed);
    }
    return body.toBuffer();
  }

  /** {@code GET /api/quotes?symbols=…}. */
  public static Buffer quotes(List<Tick> ticks) {
    JsonArray quotes = new JsonArray();
    ticks.forEach(t -> quotes.add(quote(t)));
    return new JsonObject().put("quotes", quotes).toBuffer();
  }

  /** {@code GET /api/compare}. */
  public static Buffer compare(Comparison c) {
    return new JsonObject()
        .put(
            "http",
            new JsonObject()
                .put("quoteResponses", c.quoteResponses())
                .put("updates", c.httpUpdates())
                .put("avgBytesPerUpdate", round3(c.httpBytesPerUpdate()))
                .put("pollsWithSince", c.pollsWithSince())
                .put("avgMissedPerPoll", round3(c.missedPerPoll())))
        .put(
            "websocket",
            new JsonObject()
                .put("tickFrames", c.tickFrames())
                .put("avgBytesPerUpdate", round3(c.wsBytesPerUpdate()))
                .put("fanoutLatencyP50Ms", round3(c.fanoutP50Ms()))
                .put("fanoutLatencyP99Ms", round3(c.fanoutP99Ms())))
        .toBuffer();
  }

  /** The data of a failed health check, as {@code /health/ready} shows it. */
  public static JsonObject probeReason(String reason) {
    return new JsonObject().put("reason", reason);
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** The body of every REST error. */
  public static Buffer restError(String error, String message) {
    return new JsonObject().put("error", error).put("message", message).toBuffer();
  }

  private static String marketStatus(boolean open) {
    return open ? "open" : "closed";
  }

  private static void putRef(JsonObject frame, Object ref) {
    if (ref != NO_REF) {
      frame.put("ref", ref);
    }
  }

  /** Marks a request that carried no {@code ref}, as distinct from {@code "ref":null}. */
  public static final Object NO_REF = new Object();
}
