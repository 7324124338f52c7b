package io.stockstream.protocol;

import java.time.Instant;

/**
 * Wall-clock time in nanoseconds since the epoch: finer than a tick's {@code ts}, and comparable
 * across threads (unlike {@link System#nanoTime()}), so fan-out latency runs from the tick's
 * making.
 */
public final class EpochNanos {

  private EpochNanos() {}

  public static long of(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }

  public static long now() {
    return of(Instant.now());
  }
}
