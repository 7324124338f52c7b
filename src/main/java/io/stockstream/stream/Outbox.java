package io.stockstream.stream;

import io.stockstream.protocol.TickEvent;
import io.vertx.core.http.ServerWebSocket;
import java.util.function.Consumer;

/**
 * The ticks on their way to one connection. While the socket's write queue has room a tick is
 * written at once; while it is full only the newest tick of each symbol is kept (conflation), and
 * they go out, oldest symbol slot first, when the queue drains.
 */
final class Outbox {

  /** What became of a tick offered to the outbox. */
  enum Offer {
    WRITTEN,
    KEPT,
    /** Kept in place of an older pending tick of the same symbol, which is dropped. */
    REPLACED
  }

  private final ServerWebSocket ws;
  private final int symbols;

  /** The newest unsent tick of each symbol while the write queue is full; null until needed. */
  private TickEvent[] pending;

  private int pendingCount;

  /** When the write queue became full (System.nanoTime), or 0 while it has room. */
  private long slowSince;

  Outbox(ServerWebSocket ws, int symbols) {
    this.ws = ws;
    this.symbols = symbols;
  }

  /** Writes the tick, or keeps it as the newest pending one of its symbol. */
  Offer offer(TickEvent e, long nowNanos) {
    if (pendingCount == 0 && !writeQueueFull()) {
      VertxInternals.writeText(ws, e.frame());
      return Offer.WRITTEN;
    }
    if (pending == null) {
      pending = new TickEvent[symbols];
    }
    Offer result = pending[e.index()] != null ? Offer.REPLACED : Offer.KEPT;
    if (result == Offer.KEPT) {
      pendingCount++;
    }
    pending[e.index()] = e;
    if (slowSince == 0) {
      slowSince = nowNanos;
    }
    return result;
  }

  /** Writes pending ticks while the queue has room, telling {@code written} of each. */
  void flush(Consumer<TickEvent> written) {
    for (int i = 0; pendingCount > 0 && i < pending.length; i++) {
      TickEvent e = pending[i];
      if (e == null) {
        continue;
      }
      if (writeQueueFull()) {
        return;
      }
      pending[i] = null;
      pendingCount--;
      VertxInternals.writeText(ws, e.frame());
      written.accept(e);
    }
    slowSince = 0;
  }

  /** Forgets the pending tick of an unsubscribed symbol. */
  void drop(int symbol) {
    if (pending != null && pending[symbol] != null) {
      pending[symbol] = null;
      if (--pendingCount == 0) {
        slowSince = 0;
      }
    }
  }

  void clear() {
    pending = null;
    pendingCount = 0;
  }

  /** True while ticks wait for the write queue: the connection is being conflated. */
  boolean backlogged() {
    return pendingCount > 0;
  }

  /** True when the connection has been slow for longer than {@code limitNanos}. */
  boolean slowFor(long limitNanos, long nowNanos) {
    return slowSince != 0 && nowNanos - slowSince > limitNanos;
  }

  private boolean writeQueueFull() {
    try {
      return ws.writeQueueFull();
    } catch (IllegalStateException closed) {
      // Closed by the peer a moment ago; its close handler is on its way.
      return true;
    }
  }
}
