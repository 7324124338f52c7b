package io.stockstream.loadgen;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The one JSON object a run ends with: connections and their failures, handshakes, frames against
 * the offered rate, latency, seq accounting, this process's CPU and, optionally, the server's.
 */
final class Summary {

  private Summary() {}

  static JsonObject of(LoadRun.Outcome o) {
    Options op = o.options();
    LoopStats t = o.totals();
    double window = o.windowNanos() / 1e9;
    long failed = t.failures.values().stream().mapToLong(Long::longValue).sum();
    double rampSeconds =
        o.rampEndNanos() < 0 ? Double.NaN : (o.rampEndNanos() - o.rampStartNanos()) / 1e9;
    JsonObject connections =
        new JsonObject()
            .put("attempted", o.attempted())
            .put("ok", t.handshakesOk)
            .put("failed", failed)
            .put("failedByCause", counts(t.failures))
            .put("openAtEnd", t.open)
            .put("closedByCode", counts(t.closes))
            .put("rampSeconds", number(rampSeconds))
            .put("handshakesPerSecond", number(t.handshakesOk / rampSeconds))
            .put("handshakeMs", percentiles(t.handshakeMicros, 1000.0));
    String source =
        op.tickIntervalMs() > 0
            ? "tick-interval: open subscriptions x 1000 / " + op.tickIntervalMs() + " ms"
            : op.expectedRate() > 0 ? "expected-rate" : "none";
    JsonObject out =
        new JsonObject()
            .put("tool", "stockstream-loadgen")
            .put("url", op.target().toString())
            .put("transport", o.transport())
            .put("threads", op.threads())
            .put(
                "settings",
                new JsonObject()
                    .put("connections", op.connections())
                    .put("subscriptionsPerConnection", op.subscriptions())
                    .put("universe", o.universe())
                    .put("rate", op.rate())
                    .put("maxInflight", op.maxInflight())
                    .put("warmupSeconds", op.warmupMs() / 1000.0)
                    .put("durationSeconds", op.durationMs() / 1000.0)
                    .put("measureDuringRamp", op.measureDuringRamp())
                    .put("slowFraction", op.slowFraction())
                    .put("slowFactor", op.slowFactor()))
            .put("connections", connections)
            .put("windowSeconds", window)
            .put("frames", frames(t, t.normal, window, o.offeredNormal(), op, source))
            .put("latencyMs", percentiles(t.normal.latencyMs, 1))
            .put("sequence", sequence(t.normal));
    if (t.slowOpen > 0 || t.slow.ticks > 0) {
      out.put(
          "slowReaders",
          new JsonObject()
              .put("openAtEnd", t.slowOpen)
              .put("frames", frames(null, t.slow, window, o.offeredSlow(), op, source))
              .put("latencyMs", percentiles(t.slow.latencyMs, 1))
              .put("sequence", sequence(t.slow)));
    }
    long allTicks = t.normal.ticks + t.slow.ticks;
    out.put(
        "cpu",
        new JsonObject()
            .put("seconds", o.cpuNanos() / 1e9)
            .put("utilisation", number(o.cpuNanos() / 1e9 / window))
            .put("microsPerFrame", number(o.cpuNanos() / 1e3 / t.frames)));
    if (o.watchStart() != null) {
      long serverCpu = o.watchEnd().cpuNanos() - o.watchStart().cpuNanos();
      long grown = o.watchEnd().rssKb() - o.watchBefore().rssKb();
      out.put(
          "server",
          new JsonObject()
              .put("pid", op.watchPid())
              .put("cpuSeconds", serverCpu / 1e9)
              .put("utilisation", number(serverCpu / 1e9 / window))
              .put("microsPerTick", number(serverCpu / 1e3 / allTicks))
              .put("rssKbBefore", o.watchBefore().rssKb())
              .put("rssKbAtEnd", o.watchEnd().rssKb())
              .put("rssKbPerConnection", number((double) grown / t.open)));
    }
    return out;
  }

  private static JsonObject frames(
      LoopStats all, Cohort c, double window, double offered, Options op, String source) {
    JsonObject f = new JsonObject();
    if (all != null) {
      f.put("all", all.frames)
          .put("perSecond", number(all.frames / window))
          .put("bytesPerSecond", number(all.bytes / window))
          // Socket reads: the fewer per frame, the less each frame costs this process.
          .put("perRead", number((double) all.frames / all.reads));
    }
    return f.put("ticks", c.ticks)
        .put("ticksPerSecond", number(c.ticks / window))
        .put("offeredPerSecond", op.offeredKnown() ? number(offered / window) : null)
        .put("offeredSource", source)
        .put("deliveryRatio", op.offeredKnown() ? number(c.ticks / offered) : null)
        // What the feed made for these subscriptions (received or missing, by seq) over the mean
        // offered: a random feed's count in a window strays from the mean, a saturated one lags.
        .put("madeRatio", op.offeredKnown() ? number((c.ticks + c.missing) / offered) : null)
        .put("seqCoverage", number((double) c.ticks / (c.ticks + c.missing)));
  }

  private static JsonObject sequence(Cohort c) {
    return new JsonObject()
        .put("gaps", c.gaps)
        .put("missing", c.missing)
        .put("outOfOrder", c.outOfOrder)
        .put("duplicates", c.duplicates)
        .put("unexpectedSymbol", c.unknownSymbols);
  }

  /** p50..max of {@code h}, divided by {@code unit} (microseconds to ms: 1000). */
  private static JsonObject percentiles(Histogram h, double unit) {
    JsonObject p = new JsonObject().put("count", h.getTotalCount());
    if (h.getTotalCount() == 0) {
      return p;
    }
    return p.put("p50", h.getValueAtPercentile(50) / unit)
        .put("p90", h.getValueAtPercentile(90) / unit)
        .put("p99", h.getValueAtPercentile(99) / unit)
        .put("p999", h.getValueAtPercentile(99.9) / unit)
        .put("max", h.getMaxValue() / unit)
        .put("mean", Math.round(h.getMean() / unit * 1000) / 1000.0);
  }

  private static JsonObject counts(Map<?, Long> m) {
    JsonObject o = new JsonObject();
    m.forEach((k, v) -> o.put(String.valueOf(k), v));
    return o;
  }

  /** JSON has no NaN or infinity: a ratio over nothing is null. */
  private static Double number(double v) {
    return Double.isFinite(v) ? Math.round(v * 10_000) / 10_000.0 : null;
  }
}
