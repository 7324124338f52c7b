package io.stockstream.market;

import io.stockstream.metrics.Meters;
import io.stockstream.protocol.Addresses;
import io.stockstream.protocol.EpochNanos;
import io.stockstream.protocol.MarketEvent;
import io.stockstream.protocol.ProtocolJson;
import io.stockstream.protocol.Tick;
import io.stockstream.protocol.TickBatch;
import io.stockstream.protocol.TickEvent;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated market: every symbol ticks at random times (exponential gaps around the mean
 * interval) along its own {@link PriceWalk}; each tick is recorded in {@link MarketData}, and the
 * ticks of one timer step are published together on the event bus, once. Ticks stop while the
 * market is closed.
 */
public final class FeedVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(FeedVerticle.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  /** After a stall (GC, paused VM) a symbol resumes from now rather than bursting to catch up. */
  private static final long MAX_LAG_NANOS = 1_000_000_000L;

  private final MarketData market;
  private final Meters meters;
  private final MarketSchedule schedule;
  private final long intervalNanos;
  private final long timerPeriodMs;
  private final PriceWalk[] walks;
  private final SplittableRandom timing;
  private final long[] nextDue;
  private boolean open;
  private long timer;

  public FeedVerticle(
      MarketData market,
      Meters meters,
      List<SymbolSpec> symbols,
      long seed,
      long tickIntervalMs,
      MarketSchedule schedule) {
    this.market = market;
    this.meters = meters;
    this.schedule = schedule;
    this.intervalNanos = tickIntervalMs * 1_000_000L;
    this.timerPeriodMs = Math.max(1, Math.min(50, tickIntervalMs / 5));
    this.walks = new PriceWalk[symbols.size()];
    for (int i = 0; i < walks.length; i++) {
      walks[i] = new PriceWalk(symbols.get(i), seed, tickIntervalMs);
    }
    // Timing has its own stream: when ticks happen never changes what their prices are.
    this.timing = new SplittableRandom(seed ^ 0x7469636B54696D65L);
    this.nextDue = new long[walks.length];
  }

  @Override
  public Future<?> start() {
    long now = System.nanoTime();
    open = schedule.isOpen(System.currentTimeMillis());
    market.marketOpen(open);
    // Every symbol has a first tick at once, open or closed, so that snapshots, REST and
    // readiness have a price from the start.
    List<TickEvent> batch = new ArrayList<>(walks.length);
    for (int i = 0; i < walks.length; i++) {
      Instant made = Instant.now();
      batch.add(record(i, walks[i].first(made.toEpochMilli()), made));
      nextDue[i] = now + gap();
    }
    publish(batch);
    timer = vertx.setPeriodic(timerPeriodMs, id -> step());
    log.info(
        "feed: {} symbols, a tick every {} ms on average per symbol, market {}",
        walks.length,
        intervalNanos / 1_000_000,
        open ? "open" : "closed");
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void step() {
    long wallNow = System.currentTimeMillis();
    long now = System.nanoTime();
    boolean openNow = schedule.isOpen(wallNow);
    if (openNow != open) {
      open = openNow;
      market.marketOpen(openNow);
      if (openNow) {
        for (int i = 0; i < walks.length; i++) {
          walks[i].newSession();
          nextDue[i] = now + gap();
        }
      }
      vertx
          .eventBus()
          .publish(
              Addresses.MARKET,
              new MarketEvent(openNow, wallNow, ProtocolJson.market(openNow, wallNow)),
              LOCAL);
      log.info("market {}", openNow ? "open" : "closed");
    }
    if (!open) {
      return;
    }
    List<TickEvent> batch = null;
    for (int i = 0; i < walks.length; i++) {
      if (now - nextDue[i] > MAX_LAG_NANOS) {
        nextDue[i] = now;
      }
      while (nextDue[i] - now <= 0) {
        if (batch == null) {
          batch = new ArrayList<>();
        }
        Instant made = Instant.now();
        batch.add(record(i, walks[i].next(made.toEpochMilli()), made));
        nextDue[i] += gap();
      }
    }
    if (batch != null) {
      publish(batch);
    }
  }

  /** Encodes a tick once and records it, before anyone can be told of it. */
  private TickEvent record(int index, Tick tick, Instant made) {
    TickEvent event = new TickEvent(index, tick, ProtocolJson.tickFrame(tick), EpochNanos.of(made));
    market.append(event);
    meters.tickPublished(index);
    return event;
  }

  private void publish(List<TickEvent> batch) {
    vertx.eventBus().publish(Addresses.TICKS, new TickBatch(batch), LOCAL);
  }

  /** An exponentially distributed gap with the configured mean. */
  private long gap() {
    return Math.max(1, (long) (-Math.log(1 - timing.nextDouble()) * intervalNanos));
  }
}
