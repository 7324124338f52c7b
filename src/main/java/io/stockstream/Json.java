package io.stockstream;

import io.stockstream.feed.Tick;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;

/** The one place that encodes the JSON the service sends: WebSocket frames and REST bodies. */
public final class Json {

  public static final int PROTOCOL = 1;

  private Json() {}

  /** A tick as REST returns it: the {@code tick} frame without {@code type}. */
  public static JsonObject quote(Tick t) {
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

  public static JsonObject tick(Tick t) {
    return new JsonObject().put("type", "tick").mergeIn(quote(t));
  }

  public static Buffer tickFrame(Tick t) {
    return tick(t).toBuffer();
  }

  public static Buffer welcome(
      String connectionId, String epoch, long serverTime, List<String> symbols, boolean open) {
    return new JsonObject()
        .put("type", "welcome")
        .put("protocol", PROTOCOL)
        .put("connectionId", connectionId)
        .put("epoch", epoch)
        .put("serverTime", serverTime)
        .put("symbols", new JsonArray(symbols))
        .put("market", marketStatus(open))
        .toBuffer();
  }

  /**
   * The reply to a subscribe.
   *
   * @param gaps null when the request carried no {@code since}
   */
  public static Buffer subscribed(
      Object ref, Collection<String> symbols, List<Tick> snapshot, List<String> gaps) {
    JsonArray snap = new JsonArray();
    snapshot.forEach(t -> snap.add(tick(t)));
    JsonObject f = new JsonObject().put("type", "subscribed");
    putRef(f, ref);
    f.put("symbols", new JsonArray(List.copyOf(symbols))).put("snapshot", snap);
    if (gaps != null) {
      f.put("gaps", new JsonArray(gaps));
    }
    return f.toBuffer();
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
