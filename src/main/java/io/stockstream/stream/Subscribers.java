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

  void add(Connection c) {
    if (size == items.length) {
      items = Arrays.copyOf(items, size * 2);
    }
    c.slots[symbol] = size;
    items[size++] = c;
  }

  void remove(Connection c) {
    int i = c.slots[symbol];
    Connection last = items[--size];
    items[i] = last;
    last.slots[symbol] = i;
    items[size] = null;
    c.slots[symbol] = -1;
  }
}
