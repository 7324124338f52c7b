package io.stockstream.market;

import io.stockstream.protocol.Tick;
import io.stockstream.protocol.TickEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;

/**
 * The one place that holds the market of a node: the symbols, the latest tick and the recent
 * history of each, the market status and the epoch that names the numbering of {@code seq}.
 *
 * <p>One writer per node (the feed's output on a single node, the cluster's tick receiver in a
 * cluster); the web event loops and REST read it concurrently without locks.
 */
public final class MarketData {

  /** The history covers at least the last 60 s or the last 1000 ticks, within this many. */
  static final int MAX_HISTORY = 10_000;

  /** The share of the heap the histories may take: open connections and garbage need the rest. */
  static final double HEAP_SHARE = 0.5;

  private final List<SymbolSpec> specs;
  private final List<String> symbols;
  private final Map<String, Integer> indexBySymbol = new HashMap<>();
  private final History[] histories;
  private final String epoch;
  private final AtomicInteger symbolsTicked = new AtomicInteger();
  private volatile boolean marketOpen = true;

  public MarketData(List<SymbolSpec> specs, long tickIntervalMs, String epoch) {
    this(specs, historyCapacity(tickIntervalMs), epoch);
  }

  /** A market whose history keeps {@code capacity} ticks of each symbol. */
  public static MarketData withHistory(List<SymbolSpec> specs, int capacity, String epoch) {
    return new MarketData(specs, capacity, epoch);
  }

  private MarketData(List<SymbolSpec> specs, int capacity, String epoch) {
    this.specs = List.copyOf(specs);
    this.epoch = epoch;
    this.histories = new History[specs.size()];
    List<String> names = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      names.add(specs.get(i).symbol());
      indexBySymbol.put(specs.get(i).symbol(), i);
      histories[i] = new History(capacity);
    }
    this.symbols = List.copyOf(names);
  }

  /** How many recent ticks of each symbol a node keeps for recovery at this tick interval. */
  public static int historyCapacity(long tickIntervalMs) {
    return (int) Math.min(MAX_HISTORY, Math.max(1000, ticksInSixtySeconds(tickIntervalMs)));
  }

  /**
   * How many recent ticks of each symbol a node keeps for recovery with this heap: the larger of
   * 1000 ticks and 60 s of ticks when every symbol's history fits in {@link #HEAP_SHARE} of the
   * heap, else the smaller of the two (the protocol promises one or the other), else 0: this heap
   * cannot keep the promise for so many symbols.
   */
  public static int historyCapacity(long tickIntervalMs, int symbols, long maxHeapBytes) {
    long budget = (long) (maxHeapBytes * HEAP_SHARE);
    for (int capacity : new int[] {historyCapacity(tickIntervalMs), leastHistory(tickIntervalMs)}) {
      if (historyBytes(symbols, capacity) <= budget) {
        return capacity;
      }
    }
    return 0;
  }

  /** The smaller of 1000 ticks and 60 s of ticks: the least history the protocol allows. */
  public static int leastHistory(long tickIntervalMs) {
    return (int) Math.min(1000, ticksInSixtySeconds(tickIntervalMs));
  }

  /** Heap a history of {@code capacity} ticks for each of {@code symbols} symbols takes. */
  public static long historyBytes(int symbols, int capacity) {
    return symbols * (long) capacity * TickRing.BYTES_PER_TICK;
  }

  private static long ticksInSixtySeconds(long tickIntervalMs) {
    return (60_000 + tickIntervalMs - 1) / tickIntervalMs;
  }

  /** How many recent ticks of each symbol this market keeps. */
  public int historyPerSymbol() {
    return histories.length == 0 ? 1 : histories[0].ring.capacity();
  }

  public String epoch() {
    return epoch;
  }

  public int size() {
    return specs.size();
  }

  public List<String> symbols() {
    return symbols;
  }

  public SymbolSpec spec(int index) {
    return specs.get(index);
  }

  /** The index of an upper-case symbol, or -1 when the market does not know it. */
  public int indexOf(String symbol) {
    Integer i = indexBySymbol.get(symbol);
    return i == null ? -1 : i;
  }

  public boolean marketOpen() {
    return marketOpen;
  }

  void marketOpen(boolean open) {
    this.marketOpen = open;
  }

  /** True once every symbol has at least one tick. */
  public boolean complete() {
    return symbolsTicked.get() == specs.size();
  }

  /** Records the newest tick of its symbol; only the node's one writer calls this. */
  public void append(TickEvent event) {
    History h = histories[event.index()];
    if (h.latestSeq == 0) {
      symbolsTicked.incrementAndGet();
    }
    h.ring.put(event.tick(), event.madeNanos());
    h.frame.put(event.seq(), event.frame());
    h.latestSeq = event.seq();
  }

  /**
   * Records a tick that may be older than the newest (a history copied from a peer): it takes its
   * slot unless a newer tick holds it, and becomes the latest only if it is newer.
   */
  public void fill(TickEvent event) {
    History h = histories[event.index()];
    if (event.seq() > h.latestSeq) {
      append(event);
      return;
    }
    if (h.ring.heldAt(event.seq()) < event.seq()) {
      h.ring.put(event.tick(), event.madeNanos());
    }
  }

  /** The seq of a symbol's latest tick, or 0 before its first. */
  public long latestSeq(int index) {
    return histories[index].latestSeq;
  }

  /** The latest tick of a symbol, or null before its first. */
  public TickEvent latest(int index) {
    return newest(index, seq -> tick(index, seq));
  }

  /**
   * The fields of a symbol's latest tick, or null before its first: a quote, which needs no frame
   * (REST at 10,000 symbols would otherwise copy 10,000 frames per request for nothing).
   */
  public Tick latestTick(int index) {
    return newest(index, seq -> histories[index].ring.tick(symbols.get(index), seq));
  }

  private <T> T newest(int index, LongFunction<T> read) {
    while (true) {
      long seq = histories[index].latestSeq;
      if (seq == 0) {
        return null;
      }
      T t = read.apply(seq);
      if (t != null) {
        return t;
      }
      // A history shorter than the writer's progress since the seq was read: read it again.
    }
  }

  /**
   * Tick {@code seq} of a symbol, or null when the history does not hold it: the latest with the
   * feed's frame copied, an older one with its frame encoded anew (the same bytes).
   */
  public TickEvent tick(int index, long seq) {
    History h = histories[index];
    return h.ring.get(index, symbols.get(index), seq, h.frame.get(seq));
  }

  /**
   * The ticks of a symbol with {@code after < seq <= upto}, oldest first, or null when the history
   * no longer holds all of them. Their frames are encoded anew, the same bytes as the feed's.
   */
  public List<TickEvent> range(int index, long after, long upto) {
    TickRing ring = histories[index].ring;
    if (upto - after > ring.capacity()) {
      return null;
    }
    String symbol = symbols.get(index);
    List<TickEvent> out = new ArrayList<>((int) Math.max(0, upto - after));
    for (long seq = after + 1; seq <= upto; seq++) {
      TickEvent e = ring.get(index, symbol, seq);
      if (e == null) {
        return null;
      }
      out.add(e);
    }
    return out;
  }

  /** Every tick of a symbol the history holds, oldest first. */
  public List<TickEvent> held(int index) {
    History h = histories[index];
    long latest = h.latestSeq;
    if (latest == 0) {
      return List.of();
    }
    String symbol = symbols.get(index);
    List<TickEvent> out = new ArrayList<>();
    for (long seq = Math.max(1, latest - h.ring.capacity() + 1); seq <= latest; seq++) {
      TickEvent e = h.ring.get(index, symbol, seq);
      if (e != null) {
        out.add(e);
      }
    }
    return out;
  }

  /** A symbol's ticks as plain data: no object of a tick outlives its fan-out (LatestFrame). */
  private static final class History {
    final TickRing ring;
    final LatestFrame frame = new LatestFrame();
    volatile long latestSeq;

    History(int capacity) {
      this.ring = new TickRing(capacity);
    }
  }
}
