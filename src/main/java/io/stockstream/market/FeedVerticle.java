package io.stockstream.market;

import io.stockstream.protocol.Addresses;
import io.stockstream.protocol.EpochNanos;
import io.stockstream.protocol.MarketEvent;
import io.stockstream.protocol.ProtocolJson;
import io.stockstream.protocol.Tick;
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
 * interval) along its own {@link PriceWalk}; the ticks of one timer step go to the {@link
 * FeedOutput} together, once. Ticks stop while the market is closed, and while this node's feed
 * does not lead the cluster.
 */
public final class FeedVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(FeedVerticle.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  /** After a stall (GC, paused VM) a symbol resumes from now rather than bursting to catch up. */
  private static final long MAX_LAG_NANOS = 1_000_000_000L;

  private final MarketData market;
  private final FeedOutput output;
  private final MarketSchedule schedule;
  private final long intervalNanos;
  private final long timerPeriodMs;
  private final PriceWalk[] walks;
  private final SplittableRandom timing;
  private final long[] nextDue;
  private boolean open;
  private boolean leading;

  /** A takeover or a publish is under way: the next step waits for it. */
  private boolean busy;

  private long timer;

  public FeedVerticle(
      MarketData market,
      FeedOutput output,
      List<SymbolSpec> symbols,
      long seed,
      long tickIntervalMs,
      MarketSchedule schedule) {
    this.market = market;
    this.output = output;
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
    open = schedule.isOpen(System.currentTimeMillis());
    market.marketOpen(open);
    timer = vertx.setPeriodic(timerPeriodMs, id -> step());
    log.info(
        "feed: {} symbols, a tick every {} ms on average per symbol, market {}",
        walks.length,
        intervalNanos / 1_000_000,
        open ? "open" : "closed");
    // A node that leads from the start (a single node) has a price for every symbol before it
    // serves anyone: snapshots, REST and readiness need one.
    return output.leads() ? lead() : Future.succeededFuture();
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
    if (busy) {
      return;
    }
    if (!output.leads()) {
      leading = false;
      return;
    }
    if (!leading) {
      lead();
      return;
    }
    if (!open) {
      return;
    }
    List<TickEvent> batch = null;
    List<WalkState> states = null;
    for (int i = 0; i < walks.length; i++) {
      if (now - nextDue[i] > MAX_LAG_NANOS) {
        nextDue[i] = now;
      }
      while (nextDue[i] - now <= 0) {
        if (batch == null) {
          batch = new ArrayList<>();
          states = new ArrayList<>();
        }
        Instant made = Instant.now();
        TickEvent event = record(i, walks[i].next(made.toEpochMilli()), made);
        batch.add(event);
        states.add(walks[i].state(i, event.tick(), event.madeNanos()));
        nextDue[i] += gap();
      }
    }
    if (batch != null) {
      publish(batch, states);
    }
  }

  /**
   * Takes the feed on: every symbol continues from the state the market last published, whose tick
   * goes out again unchanged (a node that missed it gets it, the others drop it by its seq), and a
   * symbol that never ticked gets its first tick.
   */
  private Future<Void> lead() {
    busy = true;
    return output
        .takeOver()
        .compose(
            published -> {
              long now = System.nanoTime();
              boolean[] continued = new boolean[walks.length];
              List<TickEvent> batch = new ArrayList<>(walks.length);
              List<WalkState> states = new ArrayList<>(walks.length);
              // The last step's ticks of each symbol, in order: all of them go out again, as a
              // leader that died after keeping them may not have published them.
              for (WalkState s : published) {
                int i = s.index();
                walks[i].restore(s);
                continued[i] = true;
                Tick t = s.last();
                batch.add(new TickEvent(i, t, ProtocolJson.tickFrame(t), s.madeNanos()));
                states.add(s);
              }
              for (int i = 0; i < walks.length; i++) {
                if (!continued[i]) {
                  Instant made = Instant.now();
                  TickEvent event = record(i, walks[i].first(made.toEpochMilli()), made);
                  batch.add(event);
                  states.add(walks[i].state(i, event.tick(), event.madeNanos()));
                }
                nextDue[i] = now + gap();
              }
              leading = true;
              log.info("feed: leading, {} ticks published before continued", published.size());
              return publish(batch, states);
            })
        .onFailure(
            e -> {
              busy = false;
              log.warn("feed: could not take over: {}", e.toString());
            });
  }

  private Future<Void> publish(List<TickEvent> batch, List<WalkState> states) {
    busy = true;
    return output
        .publish(batch, states)
        .andThen(
            ar -> {
              busy = false;
              if (ar.failed() && leading) {
                // The cluster refused the state (a newer leader, or no majority): stand down, and
                // take over afresh from the kept state if this node leads again.
                leading = false;
                log.warn("feed: stood down: {}", ar.cause().toString());
              }
            });
  }

  /** Encodes a tick once; the output records and counts it before anyone can be told of it. */
  private static TickEvent record(int index, Tick tick, Instant made) {
    return new TickEvent(index, tick, ProtocolJson.tickFrame(tick), EpochNanos.of(made));
  }

  /** An exponentially distributed gap with the configured mean. */
  private long gap() {
    return Math.max(1, (long) (-Math.log(1 - timing.nextDouble()) * intervalNanos));
  }
}
