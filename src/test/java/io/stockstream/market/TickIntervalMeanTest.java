package io.stockstream.market;

import static io.stockstream.support.OnOneContext.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code STOCKSTREAM_TICK_INTERVAL_MS} is the mean time between two ticks of one symbol, as a
 * client measures it from the ticks' {@code ts} and {@code seq} over a few seconds.
 */
@ExtendWith(VertxExtension.class)
class TickIntervalMeanTest {

  private static final long MEAN_MS = 20;
  private static final long WATCH_MS = 5000;
  private static final List<String> SYMBOLS = List.of("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL");

  /** The feed's timer period for a 20 ms mean (a fifth of it): how late a tick's ts may be. */
  private static final long TIMER_PERIOD_MS = MEAN_MS / 5;

  /** First and last tick of a symbol seen in the window. */
  private static final class Span {
    long firstSeq = -1;
    long firstTs;
    long lastSeq;
    long lastTs;
  }

  @Test
  void meanGapBetweenASymbolsTicksIsTheConfiguredInterval(Vertx vertx, VertxTestContext ctx) {
    Map<String, Span> spans = new LinkedHashMap<>();
    SYMBOLS.forEach(s -> spans.put(s, new Span()));
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(
                    vertx,
                    Map.of(
                        "STOCKSTREAM_TICK_INTERVAL_MS",
                        String.valueOf(MEAN_MS),
                        "STOCKSTREAM_SYMBOLS",
                        String.join(",", SYMBOLS)))
                .compose(
                    node -> WsClient.connect(vertx, node.port(), "/ws?symbols=" + SYMBOLS.get(0)))
                .compose(
                    c -> {
                      c.socket()
                          .textMessageHandler(
                              text -> {
                                JsonObject f = new JsonObject(text);
                                if ("tick".equals(f.getString("type"))) {
                                  Span s = spans.get(f.getString("symbol"));
                                  if (s.firstSeq < 0) {
                                    s.firstSeq = f.getLong("seq");
                                    s.firstTs = f.getLong("ts");
                                  }
                                  s.lastSeq = f.getLong("seq");
                                  s.lastTs = f.getLong("ts");
                                }
                              });
                      return c.send(
                              new JsonObject()
                                  .put("op", "subscribe")
                                  .put("symbols", SYMBOLS.subList(1, SYMBOLS.size())))
                          .compose(v -> vertx.timer(WATCH_MS))
                          .compose(t -> c.close());
                    })
                .map(
                    v -> {
                      ctx.verify(() -> assertMean(spans));
                      return null;
                    }));
  }

  private static void assertMean(Map<String, Span> spans) {
    long gaps = 0;
    long totalMs = 0;
    for (Map.Entry<String, Span> e : spans.entrySet()) {
      Span s = e.getValue();
      assertThat(s.firstSeq).as("%s ticked", e.getKey()).isPositive();
      // By seq, not by count: a gap of the seen ticks is a gap whether or not it was delivered.
      gaps += s.lastSeq - s.firstSeq;
      totalMs += s.lastTs - s.firstTs;
    }
    double mean = (double) totalMs / gaps;
    // Exponential gaps: the standard error of the mean of n is mean / sqrt(n). Five of them, plus
    // the ends: each symbol's first and last ts may each be late by a timer period and rounded to
    // the millisecond.
    double standardError = MEAN_MS / Math.sqrt(gaps);
    double ends = spans.size() * 2.0 * (TIMER_PERIOD_MS + 1) / gaps;
    double tolerance = 5 * standardError + ends;
    System.out.printf(
        "tick interval: %d gaps over %d symbols, mean %.3f ms, tolerance %.3f ms%n",
        gaps, spans.size(), mean, tolerance);
    assertThat(gaps).as("gaps seen in %d ms", WATCH_MS).isGreaterThan(spans.size() * 100L);
    assertThat(mean).isBetween(MEAN_MS - tolerance, MEAN_MS + tolerance);
  }
}
