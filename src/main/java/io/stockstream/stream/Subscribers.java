package io.stockstream.stream;

import java.util.Arrays;

/**
 * The connections of one event loop subscribed to one symbol: an array to iterate on every tick,
 * with O(1) removal because each connection remembers its slot.
 */
final class Subscribers {

  private final int symbol;
  private Connection[] items = new Connection[4];
  private int size;

  Subscribers(int symbol) {
    this.symbol = symbol;
  }

  int size() {
    return size;
  }

  Connection get(int i) {
    return items[i];
  }

  /** Adds a connection that is not subscribed to this symbol yet. */
  void add(Connection c) {
    if (size == items.length) {
      items = Arrays.copyOf(items, size * 2);
    }
    c.slot(symbol, size);
    items[size++] = c;
  }

  /** Removes a connection that is subscribed to this symbol, moving the last one into its slot. */
  void remove(Connection c) {
    int i = c.slot(symbol);
    Connection last = items[--size];
    items[i] = last;
    last.slot(symbol, i);
    items[size] = null;
    c.slot(symbol, -1);
  }
}
