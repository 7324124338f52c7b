package io.stockstream.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Fuzzes the client-frame parser with arbitrary text frames, and the {@code ?symbols=} list with
 * the same text.
 *
 * <p>Invariants of {@link ClientRequest#parse}: it returns a request or throws {@link
 * ClientRequest.BadFrame}, nothing else; a BadFrame's code is {@code bad_request} or {@code
 * unknown_op} and it has a message; a Subscribe or Unsubscribe has one or more symbols, each a
 * symbol under {@link Symbols#isSymbol} and already upper-case; {@code since} maps such symbols to
 * values {@code >= 0} that are exactly the integers the frame wrote; {@code epoch} is null or the
 * frame's string. Invariants of {@link ClientRequest#fromQuery}: null exactly for a blank
 * parameter, else a Subscribe of one symbol per comma entry, or a BadFrame {@code bad_request}.
 *
 * <p>Input: the bytes of one text frame, as UTF-8 (what a WebSocket text message carries).
 */
class ClientRequestFuzzTest {

  private static final Set<String> FRAME_CODES = Set.of("bad_request", "unknown_op");

  @FuzzTest(maxDuration = "10m")
  void parse(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    checkFrame(text);
    checkQuery(text);
  }

  private static void checkFrame(String text) {
    ClientRequest request;
    try {
      request = ClientRequest.parse(text);
    } catch (ClientRequest.BadFrame e) {
      check(FRAME_CODES.contains(e.code()), "code " + e.code());
      check(e.getMessage() != null && !e.getMessage().isEmpty(), "a BadFrame without a message");
      return;
    }
    check(request != null, "parse returned null");
    check(request.ref() != null, "ref is null (NO_REF stands for no ref)");
    if (request instanceof ClientRequest.Subscribe s) {
      checkSymbols(s.symbols());
      JsonObject frame = new JsonObject(text);
      if (s.since() != null) {
        checkSince(s.since(), frame.getJsonObject("since"));
      }
      check(
          s.epoch() == null || s.epoch().equals(frame.getString("epoch")), "epoch not the frame's");
    } else if (request instanceof ClientRequest.Unsubscribe u) {
      checkSymbols(u.symbols());
    } else {
      check(request instanceof ClientRequest.Ping, "unexpected " + request);
    }
  }

  private static void checkQuery(String param) {
    ClientRequest.Subscribe s;
    try {
      s = ClientRequest.fromQuery(param);
    } catch (ClientRequest.BadFrame e) {
      check("bad_request".equals(e.code()), "?symbols= code " + e.code());
      return;
    }
    if (param.isBlank()) {
      check(s == null, "a blank ?symbols= subscribed");
      return;
    }
    check(s != null, "?symbols=" + param + " gave no subscribe");
    check(s.symbols().size() == param.split(",", -1).length, "one symbol per entry");
    checkSymbols(s.symbols());
  }

  private static void checkSymbols(List<String> symbols) {
    check(symbols != null && !symbols.isEmpty(), "no symbols");
    for (String symbol : symbols) {
      checkSymbol(symbol);
    }
  }

  private static void checkSymbol(String symbol) {
    check(Symbols.isSymbol(symbol), "not a symbol: " + symbol);
    check(symbol.equals(symbol.toUpperCase(Locale.ROOT)), "not upper-case: " + symbol);
    check(symbol.equals(symbol.trim()), "not trimmed: " + symbol);
  }

  /** Compares with the frame itself: a later duplicate (after normalising) wins, as in a map. */
  private static void checkSince(Map<String, Long> since, JsonObject written) {
    Map<String, Object> expected = new HashMap<>();
    for (Map.Entry<String, Object> e : written) {
      expected.put(Symbols.normalize(e.getKey()), e.getValue());
    }
    check(since.keySet().equals(expected.keySet()), "since keys " + since.keySet());
    for (Map.Entry<String, Long> e : since.entrySet()) {
      checkSymbol(e.getKey());
      check(e.getValue() != null && e.getValue() >= 0, "since." + e.getKey() + " < 0");
      BigDecimal exact = new BigDecimal(expected.get(e.getKey()).toString());
      check(
          exact.compareTo(BigDecimal.valueOf(e.getValue())) == 0,
          "since." + e.getKey() + " is " + e.getValue() + " but the frame wrote " + exact);
    }
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError(what);
    }
  }
}
