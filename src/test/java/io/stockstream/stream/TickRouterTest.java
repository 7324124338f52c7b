package io.stockstream.stream;

import static io.stockstream.support.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.stockstream.market.FeedVerticle;
import io.stockstream.market.LocalFeedOutput;
import io.stockstream.market.MarketData;
import io.stockstream.market.MarketSchedule;
import io.stockstream.market.SymbolSpec;
import io.stockstream.market.Universe;
import io.stockstream.metrics.Meters;
import io.stockstream.metrics.WireComparison;
import io.stockstream.protocol.LocalCodec;
import io.stockstream.protocol.MarketEvent;
import io.stockstream.protocol.TickBatch;
import io.stockstream.protocol.TickEvent;
import io.stockstream.support.Exposition;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A loop's router against a real feed (seed 42, a tick every millisecond): when its inbox
 * overflowed it goes on from the newest tick of each symbol and counts every tick it skipped, and
 * it never goes back to a tick it passed.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class TickRouterTest {

  private static final List<SymbolSpec> SPECS =
      List.of(Universe.lookup("AAPL").orElseThrow(), Universe.lookup("MSFT").orElseThrow());
  private static final String SKIPPED = "stockstream_fanout_ticks_skipped_total";

  @Test
  void afterAnOverflowTheRouterGoesOnFromTheNewestTickAndCountsTheSkip(
      Vertx vertx, VertxTestContext ctx) {
    vertx.eventBus().registerDefaultCodec(TickBatch.class, new LocalCodec<>(TickBatch.class));
    vertx.eventBus().registerDefaultCodec(MarketEvent.class, new LocalCodec<>(MarketEvent.class));
    MarketData market = new MarketData(SPECS, 1, "test");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Meters meters = new Meters(registry, market.symbols(), () -> 0, () -> 0);
    FeedVerticle feed =
        new FeedVerticle(
            market,
            new LocalFeedOutput(market, meters, vertx.eventBus()),
            SPECS,
            42,
            1,
            new MarketSchedule.Always());
    long[] before = new long[SPECS.size()];
    TickRouter[] router = new TickRouter[1];
    vertx
        .deployVerticle(feed)
        .compose(
            id -> {
              // Built once every symbol has ticked, as a loop starts from what the market holds.
              router[0] =
                  new TickRouter(
                      market,
                      new SubscriptionCounts(SPECS.size()),
                      meters,
                      new WireComparison(),
                      new Flusher(vertx.getOrCreateContext()),
                      ByteBufAllocator.DEFAULT);
              for (int i = 0; i < before.length; i++) {
                before[i] = router[0].delivered(i).seq();
              }
              return eventually(
                  vertx,
                  "ten more ticks of every symbol",
                  () ->
                      market.latest(0).seq() > before[0] + 10
                          && market.latest(1).seq() > before[1] + 10);
            })
        .map(
            v -> {
              TickRouter r = router[0];
              r.onOverflow();
              long skipped = 0;
              for (int i = 0; i < before.length; i++) {
                TickEvent now = r.delivered(i);
                assertThat(now.seq()).isGreaterThan(before[i] + 10);
                skipped += now.seq() - before[i] - 1;
              }
              assertThat(Exposition.value(registry.scrape(), SKIPPED)).isEqualTo(skipped);
              // A batch still on its way with older ticks changes nothing.
              TickEvent newest = r.delivered(0);
              r.onBatch(new TickBatch(market.range(0, before[0], before[0] + 5)));
              assertThat(r.delivered(0)).isEqualTo(newest);
              return assertThat(Exposition.value(registry.scrape(), SKIPPED)).isEqualTo(skipped);
            })
        .onComplete(ctx.succeedingThenComplete());
  }
}
