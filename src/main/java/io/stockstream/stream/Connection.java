package io.stockstream.stream;

import io.stockstream.feed.TickEvent;
import io.stockstream.metrics.Metrics;
import io.vertx.core.http.ServerWebSocket;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** The state of one WebSocket, owned by the event loop that accepted it. */
final class Connection {

  final ServerWebSocket ws;
  final String id;

  /** Slot in each symbol's {@link Subscribers}, or -1 when not subscribed. */
  final int[] slots;

  int subscriptions;

  /** The newest unsent tick of each symbol while the write queue is full; null until needed. */
  TickEvent[] pending;

  int pendingCount;

  /** When the write queue became full (System.nanoTime), or 0 while it has room. */
  long slowSince;

  long lastHeard;

  /** Ticks at or below these seqs were already seen by the client (rare: see StreamHub). */
  Map<Integer, Long> seenUpTo;

  private final double ratePerNano;
  private final int burst;
  private double tokens;
  private long tokensAt;
  int strikes;

  /** Set once the server or the client started closing; null while open. */
  Metrics.Disconnect closeReason;

  boolean released;

  Connection(ServerWebSocket ws, String id, int symbols, int ratePerSecond, int burst, long now) {
    this.ws = ws;
    this.id = id;
    this.slots = new int[symbols];
    Arrays.fill(slots, -1);
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.tokensAt = now;
    this.lastHeard = now;
  }

  boolean subscribed(int symbol) {
    return slots[symbol] >= 0;
  }

  /** Token bucket: true when the client may send one more frame now. */
  boolean allow(long now) {
    tokens = Math.min(burst, tokens + (now - tokensAt) * ratePerNano);
    tokensAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      strikes = 0;
      return true;
    }
    strikes++;
    return false;
  }

  /** True after {@code burst} refused frames in a row: the client ignores {@code rate_limited}. */
  boolean abusive() {
    return strikes >= burst;
  }

  void seenUpTo(int symbol, long seq) {
    if (seenUpTo == null) {
      seenUpTo = new HashMap<>();
    }
    seenUpTo.put(symbol, seq);
  }

  boolean alreadySeen(int symbol, long seq) {
    Long seen = seenUpTo.get(symbol);
    if (seen == null) {
      return false;
    }
    if (seq > seen) {
      seenUpTo.remove(symbol);
      if (seenUpTo.isEmpty()) {
        seenUpTo = null;
      }
      return false;
    }
    return true;
  }
}
