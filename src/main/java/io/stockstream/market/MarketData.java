package io.stockstream.market;

import io.stockstream.protocol.TickEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

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

  /**
   * Heap that one tick held in a history costs: its frame's bytes and the objects around them
   * (measured with {@code jmap -histo:live}: 377 B a tick on a 64-bit JVM, a frame of some 165 B).
   */
  static final long HEAP_PER_TICK = 400;

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
    return symbols * (long) capacity * HEAP_PER_TICK;
  }

  private static long ticksInSixtySeconds(long tickIntervalMs) {
    return (60_000 + tickIntervalMs - 1) / tickIntervalMs;
  }

  /** How many recent ticks of each symbol this market keeps. */
  public int historyPerSymbol() {
    return histories.length == 0 ? 1 : histories[0].slots.length();
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
    if (h.latest == null) {
      symbolsTicked.incrementAndGet();
    }
    h.slots.set(slot(h, event.seq()), event);
    h.latest = event;
  }

  /**
   * Records a tick that may be older than the newest (a history copied from a peer): it takes its
   * slot unless a newer tick holds it, and becomes the latest only if it is newer.
   */
  public void fill(TickEvent event) {
    History h = histories[event.index()];
    TickEvent latest = h.latest;
    if (latest == null || event.seq() > latest.seq()) {
      append(event);
      return;
    }
    int slot = slot(h, event.seq());
    TickEvent held = h.slots.get(slot);
    if (held == null || held.seq() < event.seq()) {
      h.slots.set(slot, event);
    }
  }

  /** The latest tick of a symbol, or null before its first. */
  public TickEvent latest(int index) {
    return histories[index].latest;
  }

  /**
   * The ticks of a symbol with {@code after < seq <= upto}, oldest first, or null when the history
   * no longer holds all of them.
   */
  public List<TickEvent> range(int index, long after, long upto) {
    History h = histories[index];
    if (upto - after > h.slots.length()) {
      return null;
    }
    List<TickEvent> out = new ArrayList<>((int) Math.max(0, upto - after));
    for (long seq = after + 1; seq <= upto; seq++) {
      TickEvent e = h.slots.get(slot(h, seq));
      if (e == null || e.seq() != seq) {
        return null;
      }
      out.add(e);
    }
    return out;
  }

  /** Every tick of a symbol the history holds, oldest first. */
  public List<TickEvent> held(int index) {
    History h = histories[index];
    TickEvent latest = h.latest;
    if (latest == null) {
      return List.of();
    }
    List<TickEvent> out = new ArrayList<>();
    for (long seq = Math.max(1, latest.seq() - h.slots.length() + 1); seq <= latest.seq(); seq++) {
      TickEvent e = h.slots.get(slot(h, seq));
      if (e != null && e.seq() == seq) {
        out.add(e);
      }
    }
    return out;
  }

  private static int slot(History h, long seq) {
    return (int) (seq % h.slots.length());
  }

  private static final class History {
    final AtomicReferenceArray<TickEvent> slots;
    volatile TickEvent latest;

    History(int capacity) {
      this.slots = new AtomicReferenceArray<>(capacity);
    }
  }
}
