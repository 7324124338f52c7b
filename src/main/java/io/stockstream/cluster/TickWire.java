package io.stockstream.cluster;

import io.stockstream.market.MarketData;
import io.stockstream.protocol.Tick;
import io.stockstream.protocol.TickEvent;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The bytes of a batch of ticks between nodes: who sent it under which feed term, then each tick's
 * fields and its frame exactly as the leader encoded it, so that no node encodes a tick again.
 */
final class TickWire {

  private static final byte VERSION = 1;

  /** Who published a batch: the feed leader that made it and its term. */
  record Header(UUID leader, long term) {}

  /** A decoded batch: its header and its ticks, frames sharing the message's bytes. */
  record Batch(Header header, List<TickEvent> ticks) {}

  private TickWire() {}

  static Buffer encode(UUID leader, long term, List<TickEvent> ticks) {
    int size = 29;
    for (TickEvent e : ticks) {
      size += 96 + e.frame().length();
    }
    Buffer out = Buffer.buffer(size);
    out.appendByte(VERSION)
        .appendLong(term)
        .appendLong(leader.getMostSignificantBits())
        .appendLong(leader.getLeastSignificantBits())
        .appendInt(ticks.size());
    for (TickEvent e : ticks) {
      Tick t = e.tick();
      out.appendInt(e.index())
          .appendLong(t.seq())
          .appendDouble(t.price())
          .appendDouble(t.open())
          .appendDouble(t.high())
          .appendDouble(t.low())
          .appendDouble(t.change())
          .appendDouble(t.changePct())
          .appendLong(t.volume())
          .appendLong(t.ts())
          .appendLong(e.madeNanos())
          .appendInt(e.frame().length())
          .appendBuffer(e.frame());
    }
    return out;
  }

  /**
   * Reads a batch; symbol names come from this node's market, which the cluster has checked is the
   * same on every node.
   *
   * @throws IllegalArgumentException for bytes that are not a batch of this market
   */
  static Batch decode(Buffer in, MarketData market) {
    if (in.length() < 29 || in.getByte(0) != VERSION) {
      throw new IllegalArgumentException("not a tick batch of this version");
    }
    Header header = new Header(new UUID(in.getLong(9), in.getLong(17)), in.getLong(1));
    int count = in.getInt(25);
    int pos = 29;
    List<TickEvent> ticks = new ArrayList<>(count);
    for (int n = 0; n < count; n++) {
      int index = in.getInt(pos);
      if (index < 0 || index >= market.size()) {
        throw new IllegalArgumentException("symbol index " + index + " outside this market");
      }
      Tick t =
          new Tick(
              market.symbols().get(index),
              in.getLong(pos + 4),
              in.getDouble(pos + 12),
              in.getDouble(pos + 20),
              in.getDouble(pos + 28),
              in.getDouble(pos + 36),
              in.getDouble(pos + 44),
              in.getDouble(pos + 52),
              in.getLong(pos + 60),
              in.getLong(pos + 68));
      long madeNanos = in.getLong(pos + 76);
      int frameLength = in.getInt(pos + 84);
      pos += 88;
      ticks.add(new TickEvent(index, t, in.slice(pos, pos + frameLength), madeNanos));
      pos += frameLength;
    }
    return new Batch(header, ticks);
  }
}
