package io.stockstream.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.collection.IntObjectHashMap;
import io.stockstream.protocol.TickEvent;
import java.util.Iterator;
import java.util.function.Consumer;

/**
 * The ticks on their way to one connection. While the socket is writable a tick is written at once;
 * while it is not (its outbound buffer is over {@code WRITE_QUEUE_BYTES}) only the newest tick of
 * each symbol is kept (conflation), and they go out when it is writable again.
 */
final class Outbox {

  /** What became of a tick offered to the outbox. */
  enum Offer {
    WRITTEN,
    KEPT,
    /** Kept in place of an older pending tick of the same symbol, which is dropped. */
    REPLACED
  }

  private final Connection connection;

  /** The newest unsent tick of each symbol while the socket is not writable; null until needed. */
  private IntObjectHashMap<TickEvent> pending;

  /** When the socket stopped taking ticks (System.nanoTime), or 0 while it takes them. */
  private long slowSince;

  Outbox(Connection connection) {
    this.connection = connection;
  }

  /**
   * Writes the tick as {@code frame} (its ready-made frame, shared with other connections: see
   * {@link Connection#writeShared}), or keeps it as the newest pending one of its symbol.
   */
  Offer offer(TickEvent e, ByteBuf frame, long nowNanos) {
    if (!backlogged() && connection.writable()) {
      connection.writeShared(frame);
      return Offer.WRITTEN;
    }
    if (pending == null) {
      pending = new IntObjectHashMap<>(8);
    }
    Offer result = pending.put(e.index(), e) != null ? Offer.REPLACED : Offer.KEPT;
    if (slowSince == 0) {
      slowSince = nowNanos;
    }
    return result;
  }

  /** Writes pending ticks while the socket is writable, telling {@code written} of each. */
  void flush(ByteBufAllocator alloc, Consumer<TickEvent> written) {
    if (pending == null) {
      return;
    }
    Iterator<IntObjectHashMap.PrimitiveEntry<TickEvent>> it = pending.entries().iterator();
    while (it.hasNext()) {
      if (!connection.writable()) {
        return;
      }
      TickEvent e = it.next().value();
      it.remove();
      connection.write(WireFrame.text(alloc, e.frame()));
      written.accept(e);
    }
    slowSince = 0;
  }

  /** Forgets the pending tick of an unsubscribed symbol. */
  void drop(int symbol) {
    if (pending != null && pending.remove(symbol) != null && pending.isEmpty()) {
      slowSince = 0;
    }
  }

  void clear() {
    pending = null;
    slowSince = 0;
  }

  /** True while ticks wait for the socket: the connection is being conflated. */
  boolean backlogged() {
    return pending != null && !pending.isEmpty();
  }

  /** True when the connection has been slow for longer than {@code limitNanos}. */
  boolean slowFor(long limitNanos, long nowNanos) {
    return slowSince != 0 && nowNanos - slowSince > limitNanos;
  }
}
