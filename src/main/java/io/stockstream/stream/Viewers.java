package io.stockstream.stream;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/** How many connections of this node view each symbol, across all web event loops. */
public final class Viewers {

  private final AtomicIntegerArray bySymbol;
  private final AtomicLong total = new AtomicLong();

  public Viewers(int symbols) {
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

  public int of(int symbol) {
    return bySymbol.get(symbol);
  }

  /** All (connection, symbol) pairs. */
  public long total() {
    return total.get();
  }
}
