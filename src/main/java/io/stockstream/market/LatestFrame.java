package io.stockstream.market;

import io.vertx.core.buffer.Buffer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The frame of one symbol's latest tick, kept as bytes in an array of the symbol's own, so that a
 * snapshot copies it rather than encoding the tick again, and no object of the tick stays alive
 * from one tick to the next: with 10,000 symbols, each one's latest tick as objects (some 3.8 MB,
 * replaced every second) outlived the young collection and was promoted, about 1 MB a second.
 *
 * <p>One writer, readers without locks, as in {@link TickRing}: the seq is the version.
 */
final class LatestFrame {

  /** The seq while no frame is held or one is being written: seqs start at 1. */
  private static final long NONE = 0;

  /** Room for a frame to grow (its seq and volume take more digits) before a new array. */
  private static final int SLACK = 32;

  private static final VarHandle SEQ;

  static {
    try {
      SEQ = MethodHandles.lookup().findVarHandle(LatestFrame.class, "seq", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private byte[] bytes = new byte[0];
  private int length;

  @SuppressWarnings("unused") // through SEQ
  private long seq;

  /** Holds the frame of tick {@code seq}; only the market's one writer calls this. */
  void put(long seq, Buffer frame) {
    // Readers of the frame held until now must see it gone before any of its bytes change.
    SEQ.setOpaque(this, NONE);
    VarHandle.storeStoreFence();
    int n = frame.length();
    if (n > bytes.length) {
      bytes = new byte[n + SLACK];
    }
    frame.getBytes(0, n, bytes, 0);
    length = n;
    SEQ.setRelease(this, seq);
  }

  /** A copy of tick {@code seq}'s frame, or null when this holds another tick's (or none). */
  Buffer get(long seq) {
    if (seq == NONE || (long) SEQ.getAcquire(this) != seq) {
      return null;
    }
    byte[] held = bytes;
    int n = length;
    // A writer racing this read may have left the two mismatched: the check below then fails.
    Buffer copy = n <= held.length ? Buffer.buffer(n).appendBytes(held, 0, n) : null;
    VarHandle.loadLoadFence();
    if (copy == null || (long) SEQ.getOpaque(this) != seq) {
      return null;
    }
    return copy;
  }
}
