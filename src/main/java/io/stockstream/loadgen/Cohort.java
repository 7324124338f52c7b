package io.stockstream.loadgen;

import org.HdrHistogram.Histogram;

/**
 * What one group of connections (the normal readers, or the slow ones) received in the measured
 * window: ticks, their latency from {@code ts}, and the holes and repeats in their {@code seq}s.
 */
public final class Cohort {

  /** Latencies above an hour are recorded as an hour: the figure is already absurd. */
  static final long MAX_LATENCY_MS = 3_600_000;

  final Histogram latencyMs = new Histogram(MAX_LATENCY_MS, 3);
  long ticks;
  long missing;
  long gaps;
  long outOfOrder;
  long duplicates;
  long unknownSymbols;

  /** Counts one tick; {@code verdict} is what {@link SeqTracker#observe} said of its seq. */
  void tick(long latencyMs, long verdict) {
    ticks++;
    latencyMs(latencyMs);
    if (verdict > 0) {
      gaps++;
      missing += verdict;
    } else if (verdict == SeqTracker.DUPLICATE) {
      duplicates++;
    } else if (verdict == SeqTracker.OUT_OF_ORDER) {
      outOfOrder++;
    } else if (verdict == SeqTracker.NOT_SUBSCRIBED) {
      unknownSymbols++;
    }
  }

  private void latencyMs(long ms) {
    latencyMs.recordValue(Math.max(0, Math.min(ms, MAX_LATENCY_MS)));
  }

  void add(Cohort other) {
    latencyMs.add(other.latencyMs);
    ticks += other.ticks;
    missing += other.missing;
    gaps += other.gaps;
    outOfOrder += other.outOfOrder;
    duplicates += other.duplicates;
    unknownSymbols += other.unknownSymbols;
  }

  void reset() {
    latencyMs.reset();
    ticks = missing = gaps = outOfOrder = duplicates = unknownSymbols = 0;
  }
}
