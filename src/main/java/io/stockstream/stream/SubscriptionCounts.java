package io.stockstream.stream;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The subscriptions of this node, across all web event loops: per symbol (its viewers, for {@code
 * presence}) and in all (the gauge {@code stockstream_ws_subscriptions}).
 */
public final class SubscriptionCounts {

  private final AtomicIntegerArray bySymbol;
  private final AtomicLong total = new AtomicLong();

  public SubscriptionCounts(int symbols) {
    this.bySymbol = new AtomicIntegerArray(symbols);
  }

  void add(int symbol) {
    bySymbol.incrementAndGet(symbol);
    total.incrementAndGet();
  }

  void remove(int symbol) {
    bySymbol.decrementAndGet(symbol);
    total.decrementAndGet();
  }

  /** The connections of this node subscribed to a symbol: its viewers. */
  public int of(int symbol) {
    return bySymbol.get(symbol);
  }

  /** All (connection, symbol) pairs of the node. */
  public long total() {
    return total.get();
  }
}
