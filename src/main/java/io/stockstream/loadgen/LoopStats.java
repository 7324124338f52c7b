package io.stockstream.loadgen;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The counters of one event loop, written only by that loop's thread; the main thread reads them
 * through tasks it submits to the loop ({@link #takeInterval}, {@link #addTo}).
 */
public final class LoopStats {

  /** What the per-second progress line needs, taken (and reset) once a second. */
  public record Interval(
      long frames,
      long bytes,
      long handshakes,
      long failures,
      int open,
      long subscriptions,
      long slowSubscriptions,
      Histogram latencyMs) {}

  final Cohort normal = new Cohort();
  final Cohort slow = new Cohort();
  boolean measuring;

  // The measured window, every text frame (ticks and the rest) and every byte read.
  long frames;
  long bytes;
  long reads;

  // Handshakes: the whole run, not only the window, since the ramp is what they measure.
  long handshakesOk;
  final Map<String, Long> failures = new TreeMap<>();
  final Histogram handshakeMicros = new Histogram(3_600_000_000L, 3);
  long lastSettledNanos = Long.MIN_VALUE;

  int open;
  int slowOpen;
  long subscriptions;
  long slowSubscriptions;
  final Map<Integer, Long> closes = new TreeMap<>();

  private long intervalFrames;
  private long intervalBytes;
  private long intervalHandshakes;
  private long intervalFailures;
  private Histogram intervalLatency = new Histogram(Cohort.MAX_LATENCY_MS, 3);

  void handshakeOk(long startNanos, long nowNanos, int subscribed, boolean isSlow) {
    handshakesOk++;
    intervalHandshakes++;
    handshakeMicros.recordValue(Math.min((nowNanos - startNanos) / 1000, 3_600_000_000L));
    lastSettledNanos = Math.max(lastSettledNanos, nowNanos);
    open++;
    subscriptions += subscribed;
    if (isSlow) {
      slowOpen++;
      slowSubscriptions += subscribed;
    }
  }

  void failed(String cause, long nowNanos) {
    failures.merge(cause, 1L, Long::sum);
    intervalFailures++;
    lastSettledNanos = Math.max(lastSettledNanos, nowNanos);
  }

  void closed(int code, int subscribed, boolean isSlow) {
    closes.merge(code, 1L, Long::sum);
    open--;
    subscriptions -= subscribed;
    if (isSlow) {
      slowOpen--;
      slowSubscriptions -= subscribed;
    }
  }

  void read(int n) {
    intervalBytes += n;
    if (measuring) {
      bytes += n;
      reads++;
    }
  }

  /** A text frame that is not a tick (welcome, subscribed, presence, ...). */
  void otherFrame() {
    intervalFrames++;
    if (measuring) {
      frames++;
    }
  }

  void tick(boolean isSlow, long latencyMs, long verdict) {
    intervalFrames++;
    intervalLatency.recordValue(Math.max(0, Math.min(latencyMs, Cohort.MAX_LATENCY_MS)));
    if (measuring) {
      frames++;
      (isSlow ? slow : normal).tick(latencyMs, verdict);
    }
  }

  /** Starts or ends the measured window; starting clears what an earlier window counted. */
  void measure(boolean on) {
    if (on) {
      normal.reset();
      slow.reset();
      frames = bytes = reads = 0;
    }
    measuring = on;
  }

  Interval takeInterval() {
    Interval i =
        new Interval(
            intervalFrames,
            intervalBytes,
            intervalHandshakes,
            intervalFailures,
            open,
            subscriptions,
            slowSubscriptions,
            intervalLatency);
    intervalLatency = new Histogram(Cohort.MAX_LATENCY_MS, 3);
    intervalFrames = intervalBytes = intervalHandshakes = intervalFailures = 0;
    return i;
  }

  /** Adds this loop's totals into {@code sum}; run on this loop, with {@code sum} handed over. */
  void addTo(LoopStats sum) {
    sum.normal.add(normal);
    sum.slow.add(slow);
    sum.frames += frames;
    sum.bytes += bytes;
    sum.reads += reads;
    sum.handshakesOk += handshakesOk;
    failures.forEach((k, v) -> sum.failures.merge(k, v, Long::sum));
    sum.handshakeMicros.add(handshakeMicros);
    sum.lastSettledNanos = Math.max(sum.lastSettledNanos, lastSettledNanos);
    sum.open += open;
    sum.slowOpen += slowOpen;
    sum.subscriptions += subscriptions;
    sum.slowSubscriptions += slowSubscriptions;
    closes.forEach((k, v) -> sum.closes.merge(k, v, Long::sum));
  }
}
