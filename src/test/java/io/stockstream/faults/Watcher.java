package io.stockstream.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A client connected straight to the node (no proxy) that keeps up: it records every tick of one
 * symbol with its {@code ts} and its arrival time, so that a test can show that a fault on another
 * connection cost this one neither a seq nor time.
 */
final class Watcher {

  /** One tick as the watcher saw it; {@code arrived} is epoch ms, like {@code ts}. */
  record Seen(long seq, long ts, long arrived) {
    long latencyMs() {
      return arrived - ts;
    }
  }

  final WsClient client;
  final String symbol;
  private final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());

  private Watcher(WsClient client, String symbol) {
    this.client = client;
    this.symbol = symbol;
  }

  /** Connects to {@code port}, subscribed to {@code symbol}; completes once subscribed. */
  static Future<Watcher> connect(Vertx vertx, int port, String symbol) {
    return WsClient.connect(vertx, port, "/ws?symbols=" + symbol)
        .compose(
            c -> {
              Watcher w = new Watcher(c, symbol);
              // Arrival times are taken as frames arrive, beside WsClient's own bookkeeping.
              c.socket()
                  .frameHandler(
                      f -> {
                        if (f.isText() && f.isFinal()) {
                          long now = System.currentTimeMillis();
                          JsonObject m = new JsonObject(f.textData());
                          if ("tick".equals(m.getString("type"))
                              && symbol.equals(m.getString("symbol"))) {
                            w.seen.add(new Seen(m.getLong("seq"), m.getLong("ts"), now));
                          }
                        }
                      });
              return c.next("subscribed").map(w);
            });
  }

  /** Completes once a tick made at or after {@code ts} (epoch ms) has arrived. */
  Future<JsonObject> tickMadeFrom(long ts) {
    return client.next(
        f ->
            "tick".equals(f.getString("type"))
                && symbol.equals(f.getString("symbol"))
                && f.getLong("ts") >= ts);
  }

  List<Seen> seen() {
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  /** The ticks made in {@code [from, to]} (epoch ms). */
  List<Seen> madeBetween(long from, long to) {
    return seen().stream().filter(s -> s.ts() >= from && s.ts() <= to).toList();
  }

  /** Every seq from the first seen to the last, each once, in order: no gap, no duplicate. */
  void assertNoGap() {
    List<Seen> all = seen();
    assertThat(all).as("%s ticks seen by the watcher", symbol).isNotEmpty();
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).seq())
          .as("%s seq after %d", symbol, all.get(i - 1).seq())
          .isEqualTo(all.get(i - 1).seq() + 1);
    }
  }

  Future<Void> close() {
    return client.close();
  }

  /** The p-th percentile (0 to 100) of the latencies of {@code ticks}, nearest rank. */
  static long percentile(List<Seen> ticks, double p) {
    List<Long> ms = new ArrayList<>(ticks.stream().map(Seen::latencyMs).toList());
    Collections.sort(ms);
    if (ms.isEmpty()) {
      throw new AssertionError("no ticks to take a percentile of");
    }
    int rank = (int) Math.ceil(p / 100.0 * ms.size());
    return ms.get(Math.max(0, Math.min(ms.size() - 1, rank - 1)));
  }
}
