package io.stockstream.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

/** Builds client frames and reads server frames of the WebSocket protocol, for tests. */
public final class Frames {

  private Frames() {}

  public static JsonObject subscribe(Object ref, String... symbols) {
    return new JsonObject()
        .put("op", "subscribe")
        .put("symbols", new JsonArray(List.of((Object[]) symbols)))
        .put("ref", ref);
  }

  public static JsonObject unsubscribe(Object ref, String... symbols) {
    return new JsonObject()
        .put("op", "unsubscribe")
        .put("symbols", new JsonArray(List.of((Object[]) symbols)))
        .put("ref", ref);
  }

  public static JsonObject ping(Object ref) {
    return new JsonObject().put("op", "ping").put("ref", ref);
  }

  public static boolean isTick(JsonObject f, String symbol) {
    return "tick".equals(f.getString("type")) && symbol.equals(f.getString("symbol"));
  }

  /** Waits for the tick of {@code symbol} whose seq reaches {@code seq}. */
  public static Future<JsonObject> tickAtLeast(WsClient c, String symbol, long seq) {
    return c.next(f -> isTick(f, symbol) && f.getLong("seq") >= seq);
  }

  /**
   * The seqs of {@code symbol} that arrived after {@code frame}, once a tick of it with seq at
   * least {@code upTo} has arrived.
   */
  public static Future<List<Long>> seqsAfter(
      WsClient c, JsonObject frame, String symbol, long upTo) {
    return tickAtLeast(c, symbol, upTo)
        .map(
            t -> {
              List<JsonObject> all = c.received();
              return seqs(all.subList(indexOf(all, frame), all.size()), symbol);
            });
  }

  public static List<Long> seqs(List<JsonObject> frames, String symbol) {
    List<Long> out = new ArrayList<>();
    for (JsonObject f : frames) {
      if (isTick(f, symbol)) {
        out.add(f.getLong("seq"));
      }
    }
    return out;
  }

  public static List<String> types(List<JsonObject> frames) {
    return frames.stream().map(f -> f.getString("type")).toList();
  }

  public static int indexOf(List<JsonObject> frames, JsonObject frame) {
    for (int i = 0; i < frames.size(); i++) {
      if (frames.get(i) == frame) {
        return i;
      }
    }
    throw new AssertionError("frame not received: " + frame);
  }

  public static List<String> snapshotSymbols(JsonObject subscribed) {
    List<String> out = new ArrayList<>();
    for (Object t : subscribed.getJsonArray("snapshot")) {
      out.add(((JsonObject) t).getString("symbol"));
    }
    return out;
  }

  public static long snapshotSeq(JsonObject subscribed, String symbol) {
    for (Object t : subscribed.getJsonArray("snapshot")) {
      if (symbol.equals(((JsonObject) t).getString("symbol"))) {
        return ((JsonObject) t).getLong("seq");
      }
    }
    throw new AssertionError("no " + symbol + " in snapshot of " + subscribed);
  }

  /** The seqs are exactly first, first+1, ...: no hole, no duplicate, no reordering. */
  public static void assertConsecutive(List<Long> seqs, long first) {
    assertThat(seqs).isNotEmpty();
    assertThat(seqs)
        .containsExactlyElementsOf(LongStream.range(first, first + seqs.size()).boxed().toList());
  }
}
