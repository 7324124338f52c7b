package io.stockstream.stream;

import io.stockstream.market.MarketData;
import io.stockstream.metrics.Meters;
import io.stockstream.metrics.WireComparison;
import io.stockstream.protocol.EpochNanos;
import io.stockstream.protocol.Frame;
import io.stockstream.protocol.MarketEvent;
import io.stockstream.protocol.PresenceEvent;
import io.stockstream.protocol.TickEvent;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * The per-loop router of market events: each symbol's subscribers on this event loop, the last tick
 * delivered to them, and the fan-out of ticks, market status and presence. A tick reaches each loop
 * once and is written as the same encoded bytes to each subscriber.
 */
final class TickRouter implements ResumePlanner.History {

  private final MarketData market;
  private final SubscriptionCounts counts;
  private final Meters meters;
  private final WireComparison wire;
  private final Subscribers[] subscribers;
  private final TickEvent[] delivered;
  private final Consumer<TickEvent> countOne = e -> countTicks(1, e.frame().length());

  TickRouter(MarketData market, SubscriptionCounts counts, Meters meters, WireComparison wire) {
    this.market = market;
    this.counts = counts;
    this.meters = meters;
    this.wire = wire;
    this.subscribers = new Subscribers[market.size()];
    this.delivered = new TickEvent[market.size()];
    for (int i = 0; i < subscribers.length; i++) {
      subscribers[i] = new Subscribers(i);
      delivered[i] = market.latest(i);
    }
  }

  void subscribe(Connection c, int symbol) {
    if (!c.subscribed(symbol)) {
      subscribers[symbol].add(c);
      counts.add(symbol);
    }
  }

  void unsubscribe(Connection c, int symbol) {
    if (c.subscribed(symbol)) {
      subscribers[symbol].remove(c);
      counts.remove(symbol);
    }
  }

  /** Takes a closing connection off every symbol; it gets no tick from now on. */
  void unsubscribeAll(Connection c) {
    for (int symbol : c.subscribedSymbols()) {
      unsubscribe(c, symbol);
    }
    c.outbox.clear();
  }

  void onTick(TickEvent e) {
    int i = e.index();
    TickEvent previous = delivered[i];
    if (previous != null && e.seq() <= previous.seq()) {
      return;
    }
    delivered[i] = e;
    Subscribers subs = subscribers[i];
    int n = subs.size();
    if (n == 0) {
      return;
    }
    long now = System.nanoTime();
    int written = 0;
    for (int k = 0; k < n; k++) {
      if (deliver(subs.get(k), e, now)) {
        written++;
      }
    }
    countTicks(written, e.frame().length());
    meters.fanoutLatency(EpochNanos.now() - e.madeNanos());
  }

  /** Sends the ticks a resuming connection missed, oldest first. */
  void replay(Connection c, List<TickEvent> missed) {
    long now = System.nanoTime();
    for (TickEvent e : missed) {
      if (deliver(c, e, now)) {
        countTicks(1, e.frame().length());
      }
    }
  }

  /** Writes what a slow connection kept while its write queue was full, now that it drained. */
  void flush(Connection c) {
    if (c.closing() || !c.outbox.backlogged()) {
      return;
    }
    c.outbox.flush(countOne);
  }

  void onMarket(MarketEvent e, Collection<Connection> all) {
    int written = 0;
    for (Connection c : all) {
      if (!c.closing()) {
        VertxInternals.writeText(c.ws, e.frame());
        written++;
      }
    }
    meters.framesSent(Frame.MARKET, written);
  }

  void onPresence(PresenceEvent e) {
    Subscribers subs = subscribers[e.index()];
    int written = 0;
    for (int k = 0; k < subs.size(); k++) {
      Connection c = subs.get(k);
      // A slow connection gets the next count instead; this one would only queue behind ticks.
      if (!c.outbox.backlogged()) {
        VertxInternals.writeText(c.ws, e.frame());
        written++;
      }
    }
    meters.framesSent(Frame.PRESENCE, written);
  }

  @Override
  public TickEvent delivered(int symbol) {
    return delivered[symbol];
  }

  @Override
  public TickEvent newest(int symbol) {
    return market.latest(symbol);
  }

  @Override
  public List<TickEvent> range(int symbol, long after, long upto) {
    return market.range(symbol, after, upto);
  }

  /** Writes a tick, or keeps it as the newest pending one while the write queue is full. */
  private boolean deliver(Connection c, TickEvent e, long now) {
    if (c.alreadySeen(e.index(), e.seq())) {
      return false;
    }
    Outbox.Offer offer = c.outbox.offer(e, now);
    if (offer == Outbox.Offer.REPLACED) {
      meters.conflated();
    }
    return offer == Outbox.Offer.WRITTEN;
  }

  private void countTicks(int written, int payloadBytes) {
    meters.framesSent(Frame.TICK, written);
    wire.wsTicks(written, WireComparison.wsWireBytes(payloadBytes));
  }
}
