package io.stockstream.market;

import io.stockstream.protocol.ProtocolJson;
import io.stockstream.protocol.Tick;
import io.stockstream.protocol.TickEvent;
import io.vertx.core.buffer.Buffer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The recent ticks of one symbol as plain numbers in one array: the collector never traces or
 * copies a history of millions of ticks, and a tick's frame is encoded again only when a client
 * asks for it back (a resume, a joining member's copy).
 *
 * <p>One writer, any number of readers without locks: the seq at the head of each slot doubles as
 * the slot's version (a seqlock), so a reader that raced the writer sees the tick gone, which by
 * then it is.
 */
final class TickRing {

  /** The longs of one tick: seq, price, open, high, low, change, change %, volume, ts, made. */
  private static final int FIELDS = 10;

  /** Heap one tick takes in a ring, exactly. */
  static final long BYTES_PER_TICK = FIELDS * (long) Long.BYTES;

  /** A slot's seq while it is empty or being written: seqs start at 1. */
  private static final long NONE = 0;

  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

  private final long[] slots;
  private final int capacity;

  TickRing(int capacity) {
    this.capacity = capacity;
    this.slots = new long[capacity * FIELDS];
  }

  int capacity() {
    return capacity;
  }

  /** Writes a tick over the oldest of its slot; only the market's one writer calls this. */
  void put(Tick t, long madeNanos) {
    int at = at(t.seq());
    // Readers of the tick this slot held must see it gone before any of its fields change.
    SLOT.setOpaque(slots, at, NONE);
    VarHandle.storeStoreFence();
    slots[at + 1] = Double.doubleToRawLongBits(t.price());
    slots[at + 2] = Double.doubleToRawLongBits(t.open());
    slots[at + 3] = Double.doubleToRawLongBits(t.high());
    slots[at + 4] = Double.doubleToRawLongBits(t.low());
    slots[at + 5] = Double.doubleToRawLongBits(t.change());
    slots[at + 6] = Double.doubleToRawLongBits(t.changePct());
    slots[at + 7] = t.volume();
    slots[at + 8] = t.ts();
    slots[at + 9] = madeNanos;
    SLOT.setRelease(slots, at, t.seq());
  }

  /** The seq of the tick that holds {@code seq}'s slot, 0 when none; for the writer alone. */
  long heldAt(long seq) {
    return slots[at(seq)];
  }

  /**
   * The tick {@code seq} of symbol {@code index} with its frame encoded again, or null when the
   * ring does not hold it (not yet, or no longer).
   */
  TickEvent get(int index, String symbol, long seq) {
    return get(index, symbol, seq, null);
  }

  /** As {@link #get(int, String, long)}, with {@code frame} as the tick's frame unless null. */
  TickEvent get(int index, String symbol, long seq, Buffer frame) {
    int at = at(seq);
    if ((long) SLOT.getAcquire(slots, at) != seq) {
      return null;
    }
    Tick t = read(at, symbol, seq);
    long madeNanos = slots[at + 9];
    if (!stillHeld(at, seq)) {
      return null;
    }
    return new TickEvent(index, t, frame != null ? frame : ProtocolJson.tickFrame(t), madeNanos);
  }

  /** The fields of tick {@code seq} alone, with no frame: what a quote needs. Null as in get. */
  Tick tick(String symbol, long seq) {
    int at = at(seq);
    if ((long) SLOT.getAcquire(slots, at) != seq) {
      return null;
    }
    Tick t = read(at, symbol, seq);
    return stillHeld(at, seq) ? t : null;
  }

  private Tick read(int at, String symbol, long seq) {
    return new Tick(
        symbol,
        seq,
        Double.longBitsToDouble(slots[at + 1]),
        Double.longBitsToDouble(slots[at + 2]),
        Double.longBitsToDouble(slots[at + 3]),
        Double.longBitsToDouble(slots[at + 4]),
        Double.longBitsToDouble(slots[at + 5]),
        Double.longBitsToDouble(slots[at + 6]),
        slots[at + 7],
        slots[at + 8]);
  }

  /** Whether slot {@code at} still holds {@code seq} after its fields were read. */
  private boolean stillHeld(int at, long seq) {
    // Had the writer begun to overwrite the slot meanwhile, the fields may mix two ticks.
    VarHandle.loadLoadFence();
    return (long) SLOT.getOpaque(slots, at) == seq;
  }

  private int at(long seq) {
    return (int) (seq % capacity) * FIELDS;
  }
}
