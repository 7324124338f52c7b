package io.stockstream.protocol;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A client frame, parsed and validated; anything else is a {@link BadFrame}. */
public sealed interface ClientRequest {

  /** The request's {@code ref}, or {@link ProtocolJson#NO_REF}. */
  Object ref();

  record Subscribe(Object ref, List<String> symbols, Map<String, Long> since, String epoch)
      implements ClientRequest {}

  record Unsubscribe(Object ref, List<String> symbols) implements ClientRequest {}

  record Ping(Object ref) implements ClientRequest {}

  /** A frame the server answers with an {@code error}; the connection stays open. */
  final class BadFrame extends Exception {
    private final String code;
    private final transient Object ref;

    BadFrame(String code, String message, Object ref) {
      super(message, null, false, false);
      this.code = code;
      this.ref = ref;
    }

    /** The {@code error} frame's {@code code}. */
    public String code() {
      return code;
    }

    /** The {@code ref} of the frame that caused it, or {@link ProtocolJson#NO_REF}. */
    public Object ref() {
      return ref;
    }
  }

  /**
   * The subscribe that {@code /ws?symbols=AAPL,MSFT} stands for, or null when the parameter is
   * absent or empty; its symbols follow the same rule as a frame's.
   */
  static Subscribe fromQuery(String symbolsParam) throws BadFrame {
    if (symbolsParam == null || symbolsParam.isBlank()) {
      return null;
    }
    try {
      return new Subscribe(ProtocolJson.NO_REF, Symbols.parseList(symbolsParam), null, null);
    } catch (Symbols.Malformed e) {
      throw new BadFrame("bad_request", "?symbols=: " + e.getMessage(), ProtocolJson.NO_REF);
    }
  }

  static ClientRequest parse(String text) throws BadFrame {
    Object value;
    try {
      value = io.vertx.core.json.Json.CODEC.fromString(text, Object.class);
    } catch (DecodeException e) {
      throw new BadFrame("bad_request", "frame is not valid JSON", ProtocolJson.NO_REF);
    }
    if (!(value instanceof JsonObject frame)) {
      throw new BadFrame("bad_request", "frame must be a JSON object", ProtocolJson.NO_REF);
    }
    Object ref = frame.containsKey("ref") ? frame.getValue("ref") : ProtocolJson.NO_REF;
    if (!(frame.getValue("op") instanceof String op)) {
      throw new BadFrame("bad_request", "\"op\" must be a string", ref);
    }
    return switch (op) {
      case "subscribe" ->
          new Subscribe(ref, symbols(frame, ref), since(frame, ref), epoch(frame, ref));
      case "unsubscribe" -> new Unsubscribe(ref, symbols(frame, ref));
      case "ping" -> new Ping(ref);
      default ->
          throw new BadFrame(
              "unknown_op", "unknown op \"" + op + "\": use subscribe, unsubscribe or ping", ref);
    };
  }

  private static List<String> symbols(JsonObject frame, Object ref) throws BadFrame {
    if (!(frame.getValue("symbols") instanceof JsonArray array) || array.isEmpty()) {
      throw new BadFrame("bad_request", "\"symbols\" must be a non-empty array of strings", ref);
    }
    List<String> out = new ArrayList<>(array.size());
    for (Object o : array) {
      if (!(o instanceof String s)) {
        throw new BadFrame("bad_request", "\"symbols\" must be a non-empty array of strings", ref);
      }
      out.add(symbol(s, ref));
    }
    return out;
  }

  private static Map<String, Long> since(JsonObject frame, Object ref) throws BadFrame {
    Object value = frame.getValue("since");
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject since)) {
      throw new BadFrame("bad_request", "\"since\" must map symbols to seq numbers", ref);
    }
    Map<String, Long> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : since) {
      String symbol = symbol(e.getKey(), ref);
      long seq = seq(e.getValue());
      if (seq < 0) {
        throw new BadFrame(
            "bad_request", "\"since\"." + symbol + " must be a non-negative integer", ref);
      }
      out.put(symbol, seq);
    }
    return out;
  }

  /** A non-negative whole number, or -1. Doubles only up to 2^53, where every integer is exact. */
  private static long seq(Object value) {
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    if (value instanceof Double d && d == Math.rint(d) && d >= 0 && d <= 0x1p53) {
      return d.longValue();
    }
    return -1;
  }

  private static String symbol(String raw, Object ref) throws BadFrame {
    try {
      return Symbols.normalize(raw);
    } catch (Symbols.Malformed e) {
      throw new BadFrame("bad_request", e.getMessage(), ref);
    }
  }

  private static String epoch(JsonObject frame, Object ref) throws BadFrame {
    Object value = frame.getValue("epoch");
    if (value == null || value instanceof String) {
      return (String) value;
    }
    throw new BadFrame("bad_request", "\"epoch\" must be a string", ref);
  }
}
