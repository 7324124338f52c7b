package io.stockstream.loadgen;

/**
 * The last {@code seq} seen of each symbol one connection subscribes to, in a primitive array sized
 * by its subscriptions (not the universe), and what each new {@code seq} says about the stream.
 */
public final class SeqTracker {

  /** {@link #observe}: the seq was already seen last. */
  public static final long DUPLICATE = -1;

  /** {@link #observe}: the seq is lower than the last one seen. */
  public static final long OUT_OF_ORDER = -2;

  /** {@link #observe}: the symbol is not one this connection subscribed to. */
  public static final long NOT_SUBSCRIBED = -3;

  private final int[] symbols;
  private final long[] last;

  /**
   * @param symbols the universe indices this connection subscribes to
   */
  public SeqTracker(int[] symbols) {
    this.symbols = symbols.clone();
    this.last = new long[symbols.length];
  }

  public int subscriptions() {
    return symbols.length;
  }

  /**
   * Records {@code seq} of the symbol with universe index {@code symbol}.
   *
   * @return how many seqs are missing before this one (0 when it is the next one, or the first seen
   *     on this connection), or {@link #DUPLICATE}, {@link #OUT_OF_ORDER}, {@link #NOT_SUBSCRIBED};
   *     a duplicate or late seq leaves the last one in place
   */
  public long observe(int symbol, long seq) {
    int slot = slotOf(symbol);
    if (slot < 0) {
      return NOT_SUBSCRIBED;
    }
    long prev = last[slot];
    if (prev == 0) {
      // Joined mid-stream: the first seq seen (from the snapshot or the first tick) is the base.
      last[slot] = seq;
      return 0;
    }
    if (seq == prev) {
      return DUPLICATE;
    }
    if (seq < prev) {
      return OUT_OF_ORDER;
    }
    last[slot] = seq;
    return seq - prev - 1;
  }

  private int slotOf(int symbol) {
    // A connection subscribes to a handful of symbols: a scan beats a hash at that size.
    for (int i = 0; i < symbols.length; i++) {
      if (symbols[i] == symbol) {
        return i;
      }
    }
    return -1;
  }
}
