package io.stockstream.protocol;

import io.vertx.core.buffer.Buffer;

/**
 * A tick as it travels inside a node: with the symbol's index and its frame already encoded, so
 * that fan-out writes the same bytes to every socket.
 *
 * @param index the symbol's position in {@code MarketData}
 * @param frame the UTF-8 JSON text of the {@code tick} frame
 * @param madeNanos epoch nanoseconds at which the feed made the tick (finer than {@code ts})
 */
public record TickEvent(int index, Tick tick, Buffer frame, long madeNanos) {

  public long seq() {
    return tick.seq();
  }
}
