package io.stockstream.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.stockstream.market.MarketData;
import io.stockstream.metrics.Meters;
import io.stockstream.metrics.WireComparison;
import io.stockstream.protocol.EpochNanos;
import io.stockstream.protocol.Frame;
import io.stockstream.protocol.MarketEvent;
import io.stockstream.protocol.PresenceEvent;
import io.stockstream.protocol.TickBatch;
import io.stockstream.protocol.TickEvent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * The per-loop router of market events: each symbol's subscribers on this event loop, the last tick
 * delivered to them, and the fan-out of ticks, market status and presence. Each tick reaches the
 * loop once, is made into its frame once, and that one buffer is written to every subscriber; the
 * sockets are flushed once per batch.
 */
final class TickRouter implements ResumePlanner.History, TickInbox.Receiver {

  private final MarketData market;
  private final SubscriptionCounts counts;
  private final Meters meters;
  private final WireComparison wire;
  private final Flusher flusher;
  private final ByteBufAllocator alloc;
  private final Subscribers[] subscribers;

  /** The seq of the last tick of each symbol this loop delivered, 0 before its first. */
  private final long[] delivered;

  private final Consumer<TickEvent> countOne = e -> countTicks(1, e.frame().length());

  /** The ticks of the current drain that reached a socket: their latency is taken at its flush. */
  private final List<TickEvent> sent = new ArrayList<>();

  TickRouter(
      MarketData market,
      SubscriptionCounts counts,
      Meters meters,
      WireComparison wire,
      Flusher flusher,
      ByteBufAllocator alloc) {
    this.market = market;
    this.counts = counts;
    this.meters = meters;
    this.wire = wire;
    this.flusher = flusher;
    this.alloc = alloc;
    this.subscribers = new Subscribers[market.size()];
    this.delivered = new long[market.size()];
    for (int i = 0; i < subscribers.length; i++) {
      subscribers[i] = new Subscribers(i);
      delivered[i] = market.latestSeq(i);
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

  @Override
  public void onBatch(TickBatch batch) {
    List<TickEvent> ticks = batch.ticks();
    for (int i = 0; i < ticks.size(); i++) {
      onTick(ticks.get(i));
    }
  }

  /** The inbox dropped batches: go on from the newest tick of each symbol, counting the skip. */
  @Override
  public void onOverflow() {
    for (int i = 0; i < delivered.length; i++) {
      // A seq above 0 means the market holds that tick or a newer one: latest is never null here.
      if (market.latestSeq(i) > delivered[i]) {
        onTick(market.latest(i));
      }
    }
  }

  /** Flushes every socket the drain wrote to, then takes the latency of each tick it sent. */
  @Override
  public void onDrained() {
    flusher.flushNow();
    if (sent.isEmpty()) {
      return;
    }
    long now = EpochNanos.now();
    for (int i = 0; i < sent.size(); i++) {
      meters.fanoutLatency(now - sent.get(i).madeNanos());
    }
    sent.clear();
  }

  private void onTick(TickEvent e) {
    int i = e.index();
    long previous = delivered[i];
    if (previous != 0) {
      if (e.seq() <= previous) {
        return;
      }
      if (e.seq() > previous + 1) {
        meters.skipped(e.seq() - previous - 1);
      }
    }
    delivered[i] = e.seq();
    Subscribers subs = subscribers[i];
    int n = subs.size();
    if (n == 0) {
      return;
    }
    ByteBuf frame = WireFrame.text(alloc, e.frame());
    long now = System.nanoTime();
    int written = 0;
    try {
      for (int k = 0; k < n; k++) {
        if (deliver(subs.get(k), e, frame, now)) {
          written++;
        }
      }
    } finally {
      frame.release();
    }
    countTicks(written, e.frame().length());
    sent.add(e);
  }

  /** Sends the ticks a resuming connection missed, oldest first. */
  void replay(Connection c, List<TickEvent> missed) {
    long now = System.nanoTime();
    for (TickEvent e : missed) {
      ByteBuf frame = WireFrame.text(alloc, e.frame());
      try {
        if (deliver(c, e, frame, now)) {
          countTicks(1, e.frame().length());
        }
      } finally {
        frame.release();
      }
    }
  }

  /** Writes what a slow connection kept while its socket was full, now that it drained. */
  void flush(Connection c) {
    if (c.closing() || !c.outbox.backlogged()) {
      return;
    }
    c.outbox.flush(alloc, countOne);
    flusher.flushSoon();
  }

  void onMarket(MarketEvent e, Collection<Connection> all) {
    ByteBuf frame = WireFrame.text(alloc, e.frame());
    int written = 0;
    try {
      for (Connection c : all) {
        if (!c.closing()) {
          c.writeShared(frame);
          written++;
        }
      }
    } finally {
      frame.release();
    }
    meters.framesSent(Frame.MARKET, written);
    flusher.flushSoon();
  }

  void onPresence(PresenceEvent e) {
    Subscribers subs = subscribers[e.index()];
    if (subs.size() == 0) {
      return;
    }
    ByteBuf frame = WireFrame.text(alloc, e.frame());
    int written = 0;
    try {
      for (int k = 0; k < subs.size(); k++) {
        Connection c = subs.get(k);
        // A slow connection gets the next count instead; this one would only queue behind ticks.
        if (!c.outbox.backlogged() && c.writable()) {
          c.writeShared(frame);
          written++;
        }
      }
    } finally {
      frame.release();
    }
    meters.framesSent(Frame.PRESENCE, written);
  }

  /**
   * Read back from the market: a loop keeps only the seq, so that no tick stays alive as objects
   * between one tick and the next. Null before the loop delivered the symbol's first tick (the
   * planner then takes the market's newest and holds it back), and if the loop fell a whole history
   * behind on the symbol, which its bounded inbox does not let happen.
   */
  @Override
  public TickEvent delivered(int symbol) {
    long seq = delivered[symbol];
    return seq == 0 ? null : market.tick(symbol, seq);
  }

  @Override
  public TickEvent newest(int symbol) {
    return market.latest(symbol);
  }

  @Override
  public List<TickEvent> range(int symbol, long after, long upto) {
    return market.range(symbol, after, upto);
  }

  /** Writes a tick, or keeps it as the newest pending one while the socket is full. */
  private boolean deliver(Connection c, TickEvent e, ByteBuf frame, long now) {
    if (c.alreadySeen(e.index(), e.seq())) {
      return false;
    }
    Outbox.Offer offer = c.outbox.offer(e, frame, now);
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
