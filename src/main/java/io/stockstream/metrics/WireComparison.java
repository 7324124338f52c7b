package io.stockstream.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.stockstream.protocol.Comparison;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bytes on the wire and updates delivered by each way of getting quotes, polling and push, summed
 * so that the two can be compared on the same data ({@code GET /api/compare}).
 */
public final class WireComparison implements MeterBinder {

  private final LongAdder httpResponses = new LongAdder();
  private final LongAdder httpUpdates = new LongAdder();
  private final LongAdder httpBytes = new LongAdder();
  private final LongAdder httpPollsWithSince = new LongAdder();
  private final LongAdder httpMissed = new LongAdder();
  private final LongAdder wsTickFrames = new LongAdder();
  private final LongAdder wsTickBytes = new LongAdder();

  /**
   * Beside the contract's metrics, the same sums as counters, so that Prometheus can compute bytes
   * per update over any window: {@code stockstream_http_quote_bytes_total}, {@code
   * stockstream_http_quote_updates_total}, {@code stockstream_http_quote_missed_total} and {@code
   * stockstream_ws_tick_bytes_total} (tick frames are {@code
   * stockstream_ws_frames_sent_total{type="tick"}}, counted at the same place).
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    counter(registry, "stockstream.http.quote.bytes", httpBytes, "REST quote exchanges' bytes");
    counter(registry, "stockstream.http.quote.updates", httpUpdates, "Quotes REST returned");
    counter(registry, "stockstream.http.quote.missed", httpMissed, "Ticks pollers never saw");
    counter(registry, "stockstream.ws.tick.bytes", wsTickBytes, "Tick frames' bytes on the wire");
  }

  private static void counter(MeterRegistry registry, String name, LongAdder sum, String what) {
    FunctionCounter.builder(name, sum, LongAdder::sum).description(what).register(registry);
  }

  /** One REST quote exchange: {@code bytes} counts request and response, headers included. */
  public void httpExchange(int updates, long bytes) {
    httpResponses.increment();
    httpUpdates.add(updates);
    httpBytes.add(bytes);
  }

  /** A poll with {@code ?since=} that found {@code missed} updates it never saw. */
  public void httpMissed(long missed) {
    httpPollsWithSince.increment();
    httpMissed.add(missed);
  }

  /** {@code count} tick frames of {@code wireBytes} each, frame header included. */
  public void wsTicks(int count, int wireBytes) {
    if (count > 0) {
      wsTickFrames.add(count);
      wsTickBytes.add((long) count * wireBytes);
    }
  }

  /** Bytes on the wire of a server-to-client frame: unmasked header plus payload. */
  public static int wsWireBytes(int payload) {
    int header = payload < 126 ? 2 : payload <= 0xFFFF ? 4 : 10;
    return header + payload;
  }

  /** The figures of {@code /api/compare}, with the fan-out percentiles measured elsewhere. */
  public Comparison snapshot(double fanoutP50Ms, double fanoutP99Ms) {
    return new Comparison(
        httpResponses.sum(),
        httpUpdates.sum(),
        ratio(httpBytes.sum(), httpUpdates.sum()),
        httpPollsWithSince.sum(),
        ratio(httpMissed.sum(), httpPollsWithSince.sum()),
        wsTickFrames.sum(),
        ratio(wsTickBytes.sum(), wsTickFrames.sum()),
        fanoutP50Ms,
        fanoutP99Ms);
  }

  private static double ratio(long a, long b) {
    return b == 0 ? 0 : (double) a / b;
  }
}
