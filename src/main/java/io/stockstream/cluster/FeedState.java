package io.stockstream.cluster;

import com.hazelcast.map.EntryProcessor;
import io.stockstream.market.MarketData;
import io.stockstream.market.WalkState;
import io.stockstream.protocol.Tick;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The feed's last published state as the cluster keeps it: one entry per symbol with the walk after
 * each of its ticks in the last step that had one (a step can tick a symbol more than once, and a
 * successor re-publishes them all), stamped with the term of the leader that wrote it, so that a
 * leader that lost its term cannot overwrite what its successor wrote. The processors run where the
 * entries live, atomically per entry.
 */
final class FeedState {

  private static final int HEADER = 12;
  private static final int STATE = 92;

  private FeedState() {}

  /** One symbol's states of one step, oldest first. */
  static byte[] encode(long term, List<WalkState> step) {
    ByteBuffer b = ByteBuffer.allocate(HEADER + STATE * step.size());
    b.putLong(term).putInt(step.size());
    for (WalkState s : step) {
      Tick t = s.last();
      b.putInt(s.index())
          .putLong(t.seq())
          .putDouble(t.price())
          .putDouble(t.open())
          .putDouble(t.high())
          .putDouble(t.low())
          .putDouble(t.change())
          .putDouble(t.changePct())
          .putLong(t.volume())
          .putLong(t.ts())
          .putDouble(s.logPrice())
          .putLong(s.madeNanos());
    }
    return b.array();
  }

  static long termOf(byte[] bytes) {
    return ByteBuffer.wrap(bytes).getLong();
  }

  static List<WalkState> decode(byte[] bytes, MarketData market) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    b.getLong();
    int count = b.getInt();
    List<WalkState> step = new ArrayList<>(count);
    for (int n = 0; n < count; n++) {
      int index = b.getInt();
      Tick t =
          new Tick(
              market.symbols().get(index),
              b.getLong(),
              b.getDouble(),
              b.getDouble(),
              b.getDouble(),
              b.getDouble(),
              b.getDouble(),
              b.getDouble(),
              b.getLong(),
              b.getLong());
      step.add(new WalkState(index, t, b.getDouble(), b.getLong()));
    }
    return step;
  }

  /** Writes each symbol's state unless a leader of a later term has written it: then false. */
  record Write(long term, Map<Integer, byte[]> states)
      implements EntryProcessor<Integer, byte[], Boolean> {
    @Override
    public Boolean process(Map.Entry<Integer, byte[]> entry) {
      byte[] held = entry.getValue();
      if (held != null && termOf(held) > term) {
        return false;
      }
      entry.setValue(states.get(entry.getKey()));
      return true;
    }
  }

  /** Reads a state where it lives, asynchronously for the caller; changes nothing. */
  record Read() implements EntryProcessor<Integer, byte[], byte[]> {
    @Override
    public byte[] process(Map.Entry<Integer, byte[]> entry) {
      return entry.getValue();
    }

    @Override
    public EntryProcessor<Integer, byte[], byte[]> getBackupProcessor() {
      return null;
    }
  }

  /** Takes the next feed term, atomically: no two leaders ever hold the same one. */
  record NextTerm() implements EntryProcessor<String, Object, Long> {
    @Override
    public Long process(Map.Entry<String, Object> entry) {
      long next = entry.getValue() instanceof Long held ? held + 1 : 1;
      entry.setValue(next);
      return next;
    }
  }
}
