package io.stockstream.cluster;

import io.stockstream.market.PriceWalk;
import io.stockstream.market.Universe;
import io.stockstream.protocol.Tick;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every tick any client of a test received from any node, by (symbol, seq): the first content seen
 * is kept and any other content for the same pair is a conflict, the one thing a cluster must never
 * do (two leaders, or a deposed one, numbering different ticks alike). It also checks the contents
 * against the seeded walk a single node would have published: the prices by seq do not depend on
 * which node made the tick.
 */
final class TickLedger {

  private final Map<String, JsonObject> bySymbolSeq = new HashMap<>();
  private final List<String> conflicts = new ArrayList<>();
  private long frames;

  /** Records a tick frame (or a snapshot's tick) that {@code client} received. */
  synchronized void record(JsonObject tick, String client) {
    frames++;
    JsonObject content = tick.copy();
    content.remove("type");
    String key = content.getString("symbol") + "#" + content.getLong("seq");
    JsonObject held = bySymbolSeq.putIfAbsent(key, content);
    if (held != null && !held.equals(content)) {
      conflicts.add(key + ": " + held.encode() + " and, at " + client + ", " + content.encode());
    }
  }

  /**
   * Writes every tick held, as symbol, seq, ts, price, ordered by when it was made: what the
   * cluster delivered around a fault, for a reader of a failure.
   */
  synchronized void writeCsv(Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    bySymbolSeq.values().stream()
        .sorted(
            Comparator.comparingLong((JsonObject t) -> t.getLong("ts"))
                .thenComparing(t -> t.getString("symbol"))
                .thenComparingLong(t -> t.getLong("seq")))
        .forEach(
            t ->
                lines.add(
                    t.getString("symbol")
                        + ","
                        + t.getLong("seq")
                        + ","
                        + Instant.ofEpochMilli(t.getLong("ts"))
                        + ","
                        + t.getValue("price")));
    Files.createDirectories(file.getParent());
    lines.add(0, "symbol,seq,made,price");
    Files.write(file, lines);
  }

  synchronized List<String> conflicts() {
    return List.copyOf(conflicts);
  }

  synchronized int size() {
    return bySymbolSeq.size();
  }

  synchronized long frames() {
    return frames;
  }

  /**
   * The ticks whose fields differ from the walk of {@code seed} at their seq: what a single node
   * with that seed would have published (all but {@code ts}, the time it was made).
   */
  synchronized List<String> offTheSeededWalk(long seed, long tickIntervalMs) {
    Map<String, List<Tick>> walks = new HashMap<>();
    List<String> off = new ArrayList<>();
    for (JsonObject t : bySymbolSeq.values()) {
      String symbol = t.getString("symbol");
      int seq = Math.toIntExact(t.getLong("seq"));
      List<Tick> walk = walks.computeIfAbsent(symbol, s -> new ArrayList<>());
      extend(walk, symbol, seed, tickIntervalMs, seq);
      Tick w = walk.get(seq - 1);
      JsonObject expected =
          new JsonObject()
              .put("symbol", symbol)
              .put("seq", t.getLong("seq"))
              .put("price", w.price())
              .put("open", w.open())
              .put("high", w.high())
              .put("low", w.low())
              .put("change", w.change())
              .put("changePct", w.changePct())
              .put("volume", w.volume());
      JsonObject actual = t.copy();
      actual.remove("ts");
      if (!sameNumbers(expected, actual)) {
        off.add(symbol + "#" + seq + ": " + actual.encode() + ", the walk: " + expected.encode());
      }
    }
    return off;
  }

  /** Equal field by field, numbers by value (JSON gives 190.0 back as 190). */
  private static boolean sameNumbers(JsonObject expected, JsonObject actual) {
    if (!expected.fieldNames().equals(actual.fieldNames())) {
      return false;
    }
    for (String f : expected.fieldNames()) {
      Object e = expected.getValue(f);
      Object a = actual.getValue(f);
      boolean same =
          e instanceof Number en && a instanceof Number an
              ? en.doubleValue() == an.doubleValue()
              : e.equals(a);
      if (!same) {
        return false;
      }
    }
    return true;
  }

  /**
   * Grows {@code walk} (ticks 1..n of one symbol, index seq - 1) to {@code seq}. A fresh walk for
   * each ledger: the walk keeps state from one tick to the next.
   */
  private static void extend(List<Tick> walk, String symbol, long seed, long interval, int seq) {
    if (walk.size() >= seq) {
      return;
    }
    PriceWalk w = new PriceWalk(Universe.lookup(symbol).orElseThrow(), seed, interval);
    walk.clear();
    walk.add(w.first(0));
    while (walk.size() < seq + 500) {
      walk.add(w.next(0));
    }
  }
}
