package io.stockstream.stream;

import io.stockstream.protocol.Disconnect;
import io.vertx.core.http.ServerWebSocket;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One WebSocket and all of its state, owned by the event loop that accepted it: its subscriptions,
 * its outbox, its rate limit, when it was last heard from and how far along closing it is.
 */
final class Connection {

  final ServerWebSocket ws;
  final String id;
  final Outbox outbox;
  final TokenBucket rateLimit;

  /** Slot in each symbol's {@link Subscribers}, or -1 when not subscribed. */
  private final int[] slots;

  private int subscriptions;
  private long lastHeard;

  /** Ticks at or below these seqs were already seen by the client (rare: see ResumePlanner). */
  private Map<Integer, Long> seenUpTo;

  /** Set once the server or the client started closing; null while open. */
  private Disconnect closeReason;

  private boolean released;

  Connection(
      ServerWebSocket ws, String id, int symbols, int ratePerSecond, int burst, long nowNanos) {
    this.ws = ws;
    this.id = id;
    this.outbox = new Outbox(ws, symbols);
    this.rateLimit = new TokenBucket(ratePerSecond, burst, nowNanos);
    this.slots = new int[symbols];
    Arrays.fill(slots, -1);
    this.lastHeard = nowNanos;
  }

  boolean subscribed(int symbol) {
    return slots[symbol] >= 0;
  }

  int subscriptions() {
    return subscriptions;
  }

  /** This connection's position in the symbol's {@link Subscribers}, or -1. */
  int slot(int symbol) {
    return slots[symbol];
  }

  /** Called by {@link Subscribers} only, as it moves or removes this connection. */
  void slot(int symbol, int slot) {
    if (slots[symbol] < 0 && slot >= 0) {
      subscriptions++;
    } else if (slots[symbol] >= 0 && slot < 0) {
      subscriptions--;
      outbox.drop(symbol);
    }
    slots[symbol] = slot;
  }

  /** The symbols this connection is subscribed to, for unsubscribing them all. */
  int[] subscribedSymbols() {
    int[] out = new int[subscriptions];
    int n = 0;
    for (int i = 0; i < slots.length && n < out.length; i++) {
      if (slots[i] >= 0) {
        out[n++] = i;
      }
    }
    return out;
  }

  void heard(long nowNanos) {
    lastHeard = nowNanos;
  }

  boolean silentFor(long limitNanos, long nowNanos) {
    return nowNanos - lastHeard > limitNanos;
  }

  /** Remembers that the client already saw this symbol up to {@code seq}. */
  void seenUpTo(int symbol, long seq) {
    if (seenUpTo == null) {
      seenUpTo = new HashMap<>();
    }
    seenUpTo.put(symbol, seq);
  }

  /** True for a tick the client already saw; the first newer one ends the hold-back. */
  boolean alreadySeen(int symbol, long seq) {
    if (seenUpTo == null) {
      return false;
    }
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

  boolean closing() {
    return closeReason != null;
  }

  /**
   * Marks the connection as closing for {@code why}.
   *
   * @return true the first time, when the caller starts the close
   */
  boolean startClosing(Disconnect why) {
    if (closeReason != null) {
      return false;
    }
    closeReason = why;
    return true;
  }

  /**
   * Marks the connection as gone.
   *
   * @return the reason to count it under the first time, null after that
   */
  Disconnect release() {
    if (released) {
      return null;
    }
    released = true;
    return closeReason == null ? Disconnect.CLIENT : closeReason;
  }

  boolean released() {
    return released;
  }
}
