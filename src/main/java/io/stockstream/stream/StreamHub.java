package io.stockstream.stream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.stockstream.Json;
import io.stockstream.config.Config;
import io.stockstream.feed.MarketData;
import io.stockstream.feed.MarketEvent;
import io.stockstream.feed.Tick;
import io.stockstream.feed.TickEvent;
import io.stockstream.metrics.Metrics;
import io.stockstream.metrics.Metrics.Disconnect;
import io.stockstream.metrics.Metrics.Frame;
import io.stockstream.metrics.WireStats;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket side of one event loop: its connections, its per-symbol subscriber lists, and the
 * fan-out of every tick to them. Everything here runs on that one event loop, so nothing locks.
 *
 * <p>A tick reaches each loop once and is written as the same encoded bytes to each subscriber. The
 * hub remembers the last tick it delivered per symbol: snapshots and recovery are cut at that tick,
 * so that a connection sees every seq of a symbol once, in order.
 */
final class StreamHub {

  private static final Logger log = LoggerFactory.getLogger(StreamHub.class);
  private static final Buffer PING = Buffer.buffer("stockstream");

  /** How long Vert.x waits for the client's close frame (HttpServerOptions' closing timeout). */
  private static final long CLOSING_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final Config config;
  private final MarketData market;
  private final Viewers viewers;
  private final Admission admission;
  private final Metrics metrics;
  private final WireStats wire;
  private final Subscribers[] subscribers;
  private final TickEvent[] delivered;
  private final Set<Connection> connections = new LinkedHashSet<>();
  private final long slowLimitNanos;
  private final long idleLimitNanos;
  private final long pingEveryNanos;
  private final long closeGraceMs;
  private long nextPingAt;
  private long sweepTimer = -1;

  StreamHub(
      Vertx vertx,
      Config config,
      MarketData market,
      Viewers viewers,
      Admission admission,
      Metrics metrics,
      WireStats wire) {
    this.vertx = vertx;
    this.config = config;
    this.market = market;
    this.viewers = viewers;
    this.admission = admission;
    this.metrics = metrics;
    this.wire = wire;
    this.subscribers = new Subscribers[market.size()];
    this.delivered = new TickEvent[market.size()];
    for (int i = 0; i < subscribers.length; i++) {
      subscribers[i] = new Subscribers(i);
      delivered[i] = market.latest(i);
    }
    this.slowLimitNanos = TimeUnit.MILLISECONDS.toNanos(config.slowConsumerTimeoutMs());
    this.idleLimitNanos = TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMs());
    this.pingEveryNanos = TimeUnit.MILLISECONDS.toNanos(config.pingIntervalMs());
    this.closeGraceMs = Math.min(CLOSING_TIMEOUT_MS, config.slowConsumerTimeoutMs());
  }

  void start() {
    long shortest =
        Math.min(
            config.pingIntervalMs(),
            Math.min(config.idleTimeoutMs(), config.slowConsumerTimeoutMs()));
    long period = Math.max(20, Math.min(1000, shortest / 4));
    nextPingAt = System.nanoTime() + pingEveryNanos;
    sweepTimer = vertx.setPeriodic(period, id -> sweep());
  }

  // ---- connection lifecycle -------------------------------------------------------------------

  void open(ServerWebSocket ws, List<String> initialSymbols) {
    long now = System.nanoTime();
    Connection c =
        new Connection(
            ws,
            UUID.randomUUID().toString(),
            market.size(),
            config.rateLimitPerSecond(),
            config.rateLimitBurst(),
            now);
    connections.add(c);
    consolidateFlushes(ws);
    ws.setWriteQueueMaxSize(config.writeQueueBytes());
    ws.frameHandler(f -> c.lastHeard = System.nanoTime());
    ws.textMessageHandler(text -> onText(c, text));
    ws.binaryMessageHandler(
        b -> {
          if (admit(c)) {
            error(c, "bad_request", "binary frames are not supported: send JSON text", Json.NO_REF);
          }
        });
    ws.drainHandler(v -> flushPending(c));
    ws.exceptionHandler(t -> onException(c, t));
    ws.closeHandler(v -> onClosed(c));
    send(
        c,
        Json.welcome(
            c.id,
            market.epoch(),
            System.currentTimeMillis(),
            market.symbols(),
            market.marketOpen()),
        Frame.WELCOME);
    if (!initialSymbols.isEmpty()) {
      subscribe(c, new ClientRequest.Subscribe(Json.NO_REF, initialSymbols, null, null));
    }
  }

  /**
   * Vert.x flushes every frame written outside a channel read: one syscall per socket per tick.
   * Netty's flush consolidation defers the flush to the end of the event loop's current batch of
   * tasks, so ticks that reach a socket in the same batch leave in one write. Under light load this
   * adds no latency; under heavy load it saves most syscalls.
   */
  private static void consolidateFlushes(ServerWebSocket ws) {
    if (ws instanceof WebSocketInternal internal) {
      ChannelHandlerContext vertxHandler = internal.channelHandlerContext();
      vertxHandler
          .pipeline()
          .addBefore(
              vertxHandler.name(), "flush-consolidation", new FlushConsolidationHandler(256, true));
    }
  }

  private void onClosed(Connection c) {
    if (c.released) {
      return;
    }
    c.released = true;
    unsubscribeAll(c);
    connections.remove(c);
    admission.release();
    metrics.disconnect(c.closeReason == null ? Disconnect.CLIENT : c.closeReason);
  }

  private void onException(Connection c, Throwable t) {
    if (t instanceof CorruptedWebSocketFrameException e
        && e.closeStatus() != null
        && e.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
      close(c, 1009, "frame over 64 KiB", Disconnect.ABUSE);
    } else if (t instanceof IllegalStateException
        && String.valueOf(t.getMessage()).contains("max message size")) {
      close(c, 1009, "message over 64 KiB", Disconnect.ABUSE);
    } else if (t instanceof CorruptedWebSocketFrameException) {
      close(c, 1002, "protocol error", Disconnect.ERROR);
    } else if (t instanceof IOException || t instanceof HttpClosedException) {
      // The peer went away without a close frame: its close handler counts it.
      log.debug("connection {}: {}", c.id, t.toString());
    } else {
      log.warn("connection {} failed: {}", c.id, t.toString());
      close(c, 1011, "internal error", Disconnect.ERROR);
    }
  }

  /** Starts closing a connection; it stops receiving ticks at once. */
  private Future<Void> close(Connection c, int code, String reason, Disconnect why) {
    if (c.closeReason == null) {
      c.closeReason = why;
      // Vert.x starts its closing timeout only once the close frame is written, which never
      // happens while the peer reads nothing (a slow consumer): then drop the TCP connection, so
      // that its slot and socket are not held forever.
      vertx.setTimer(closeGraceMs, id -> abortIfOpen(c));
    }
    unsubscribeAll(c);
    // A close that fails found the socket already gone; its close handler does the accounting.
    return c.ws
        .close((short) code, reason)
        .onFailure(e -> log.debug("connection {}: close {}: {}", c.id, code, e.toString()));
  }

  private static void abortIfOpen(Connection c) {
    if (c.released || !(c.ws instanceof WebSocketInternal internal)) {
      return;
    }
    Channel channel = internal.channelHandlerContext().channel();
    if (!channel.isOpen()) {
      return;
    }
    log.debug("connection {}: no close handshake in time, dropping the TCP connection", c.id);
    // From the first handler straight to the socket: Vert.x's own close path first waits for the
    // stuck writes to be flushed, which is what never happens here.
    ChannelHandlerContext first = channel.pipeline().firstContext();
    if (first != null) {
      first.close();
    } else {
      channel.close();
    }
  }

  private void unsubscribeAll(Connection c) {
    if (c.subscriptions == 0) {
      return;
    }
    for (int i = 0; i < c.slots.length; i++) {
      if (c.subscribed(i)) {
        subscribers[i].remove(c);
        viewers.remove(i);
      }
    }
    c.subscriptions = 0;
    c.pending = null;
    c.pendingCount = 0;
  }

  // ---- client frames --------------------------------------------------------------------------

  private boolean admit(Connection c) {
    if (c.allow(System.nanoTime())) {
      return true;
    }
    if (c.abusive()) {
      close(c, 1008, "rate limit exceeded", Disconnect.ABUSE);
    } else {
      error(
          c,
          "rate_limited",
          "too many frames: at most " + config.rateLimitPerSecond() + "/s",
          Json.NO_REF);
    }
    return false;
  }

  private void onText(Connection c, String text) {
    if (c.closeReason != null || !admit(c)) {
      return;
    }
    ClientRequest request;
    try {
      request = ClientRequest.parse(text);
    } catch (ClientRequest.BadFrame e) {
      error(c, e.code, e.getMessage(), e.ref);
      return;
    }
    if (request instanceof ClientRequest.Subscribe sub) {
      subscribe(c, sub);
    } else if (request instanceof ClientRequest.Unsubscribe unsub) {
      unsubscribe(c, unsub);
    } else {
      send(c, Json.pong(request.ref(), System.currentTimeMillis()), Frame.PONG);
    }
  }

  private void subscribe(Connection c, ClientRequest.Subscribe s) {
    Set<String> known = new LinkedHashSet<>();
    Set<String> unknown = new LinkedHashSet<>();
    int added = 0;
    for (String symbol : s.symbols()) {
      int i = market.indexOf(symbol);
      if (i < 0) {
        unknown.add(symbol);
      } else if (known.add(symbol) && !c.subscribed(i)) {
        added++;
      }
    }
    if (c.subscriptions + added > config.maxSubscriptions()) {
      error(
          c,
          "too_many_subscriptions",
          "at most "
              + config.maxSubscriptions()
              + " symbols per connection; nothing was subscribed",
          s.ref());
      return;
    }
    Map<String, Long> since = s.since();
    boolean sameEpoch = s.epoch() == null || s.epoch().equals(market.epoch());
    List<Tick> snapshot = new ArrayList<>();
    List<String> gaps = since == null ? null : new ArrayList<>();
    List<TickEvent> replay = new ArrayList<>();
    for (String symbol : known) {
      int i = market.indexOf(symbol);
      if (c.subscribed(i)) {
        continue;
      }
      subscribers[i].add(c);
      c.subscriptions++;
      viewers.add(i);
      TickEvent latest = delivered[i];
      Long seen = since == null ? null : since.get(symbol);
      if (seen == null) {
        if (latest != null) {
          snapshot.add(latest.tick());
        }
        continue;
      }
      if (!sameEpoch) {
        gap(symbol, latest, snapshot, gaps);
        continue;
      }
      long upto = latest == null ? 0 : latest.seq();
      if (seen > upto) {
        TickEvent newest = market.latest(i);
        if (newest != null && seen <= newest.seq()) {
          // The client saw a tick that this loop has not delivered yet (it came through another
          // loop a moment ago): hold back what it already has instead of sending it twice.
          c.seenUpTo(i, seen);
        } else {
          // Beyond anything this node published: the client's numbering is not ours.
          gap(symbol, latest, snapshot, gaps);
        }
        continue;
      }
      if (seen == upto) {
        continue;
      }
      List<TickEvent> missed = market.range(i, seen, upto);
      if (missed == null) {
        gap(symbol, latest, snapshot, gaps);
      } else {
        replay.addAll(missed);
      }
    }
    if (!known.isEmpty()) {
      send(c, Json.subscribed(s.ref(), known, snapshot, gaps), Frame.SUBSCRIBED);
      for (TickEvent e : replay) {
        if (deliver(c, e)) {
          countTicks(1, e.frame().length());
        }
      }
    }
    if (!unknown.isEmpty()) {
      unknownSymbols(c, unknown, s.ref());
    }
  }

  /** The client cannot be brought up to date: it gets the latest tick and is told of the gap. */
  private static void gap(String symbol, TickEvent latest, List<Tick> snapshot, List<String> gaps) {
    if (latest != null) {
      snapshot.add(latest.tick());
    }
    gaps.add(symbol);
  }

  private void unsubscribe(Connection c, ClientRequest.Unsubscribe u) {
    Set<String> known = new LinkedHashSet<>();
    Set<String> unknown = new LinkedHashSet<>();
    for (String symbol : u.symbols()) {
      int i = market.indexOf(symbol);
      if (i < 0) {
        unknown.add(symbol);
        continue;
      }
      known.add(symbol);
      if (c.subscribed(i)) {
        subscribers[i].remove(c);
        c.subscriptions--;
        viewers.remove(i);
        if (c.pending != null && c.pending[i] != null) {
          c.pending[i] = null;
          c.pendingCount--;
        }
      }
    }
    if (!known.isEmpty()) {
      send(c, Json.unsubscribed(u.ref(), known), Frame.UNSUBSCRIBED);
    }
    if (!unknown.isEmpty()) {
      unknownSymbols(c, unknown, u.ref());
    }
  }

  private void unknownSymbols(Connection c, Set<String> unknown, Object ref) {
    Buffer f =
        Json.error("unknown_symbol", "unknown symbols: " + String.join(",", unknown), ref, unknown);
    send(c, f, Frame.ERROR);
  }

  private void error(Connection c, String code, String message, Object ref) {
    send(c, Json.error(code, message, ref, null), Frame.ERROR);
  }

  private void send(Connection c, Buffer frame, Frame type) {
    SharedFrame.write(c.ws, frame);
    metrics.framesSent(type, 1);
  }

  // ---- fan-out --------------------------------------------------------------------------------

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
    int written = 0;
    for (int k = 0; k < n; k++) {
      if (deliver(subs.get(k), e)) {
        written++;
      }
    }
    countTicks(written, e.frame().length());
    metrics.fanoutLatency(epochNanos() - e.madeNanos());
  }

  private void countTicks(int written, int payloadBytes) {
    metrics.framesSent(Frame.TICK, written);
    wire.wsTicks(written, WireStats.wsWireBytes(payloadBytes));
  }

  /** Writes a tick, or keeps it as the newest pending one while the write queue is full. */
  private boolean deliver(Connection c, TickEvent e) {
    if (c.seenUpTo != null && c.alreadySeen(e.index(), e.seq())) {
      return false;
    }
    if (c.pendingCount > 0 || writeQueueFull(c)) {
      conflate(c, e);
      return false;
    }
    SharedFrame.write(c.ws, e.frame());
    return true;
  }

  private static boolean writeQueueFull(Connection c) {
    try {
      return c.ws.writeQueueFull();
    } catch (IllegalStateException closed) {
      // Closed by the peer a moment ago; its close handler is on its way.
      return true;
    }
  }

  private void conflate(Connection c, TickEvent e) {
    if (c.pending == null) {
      c.pending = new TickEvent[market.size()];
    }
    if (c.pending[e.index()] != null) {
      metrics.conflated();
    } else {
      c.pendingCount++;
    }
    c.pending[e.index()] = e;
    if (c.slowSince == 0) {
      c.slowSince = System.nanoTime();
    }
  }

  private void flushPending(Connection c) {
    if (c.pendingCount == 0 || c.closeReason != null) {
      return;
    }
    for (int i = 0; i < c.pending.length && c.pendingCount > 0; i++) {
      TickEvent e = c.pending[i];
      if (e == null) {
        continue;
      }
      if (writeQueueFull(c)) {
        return;
      }
      c.pending[i] = null;
      c.pendingCount--;
      SharedFrame.write(c.ws, e.frame());
      countTicks(1, e.frame().length());
    }
    c.slowSince = 0;
  }

  void onMarket(MarketEvent e) {
    for (Connection c : connections) {
      if (c.closeReason == null) {
        SharedFrame.write(c.ws, e.frame());
      }
    }
    metrics.framesSent(Frame.MARKET, connections.size());
  }

  void onPresence(PresenceEvent e) {
    Subscribers subs = subscribers[e.index()];
    int written = 0;
    for (int k = 0; k < subs.size(); k++) {
      Connection c = subs.get(k);
      // A slow connection gets the next count instead; this one would only queue behind ticks.
      if (c.pendingCount == 0) {
        SharedFrame.write(c.ws, e.frame());
        written++;
      }
    }
    metrics.framesSent(Frame.PRESENCE, written);
  }

  // ---- housekeeping ---------------------------------------------------------------------------

  private void sweep() {
    long now = System.nanoTime();
    boolean ping = now - nextPingAt >= 0;
    if (ping) {
      nextPingAt = now + pingEveryNanos;
    }
    List<Connection> slow = new ArrayList<>();
    List<Connection> idle = new ArrayList<>();
    for (Connection c : connections) {
      if (c.closeReason != null) {
        continue;
      }
      if (c.slowSince != 0 && now - c.slowSince > slowLimitNanos) {
        slow.add(c);
      } else if (now - c.lastHeard > idleLimitNanos) {
        idle.add(c);
      } else if (ping) {
        // Like every write here, a failed ping means the socket is closing: see SharedFrame.
        c.ws.writePing(PING);
      }
    }
    slow.forEach(c -> close(c, 1013, "slow consumer", Disconnect.SLOW_CONSUMER));
    idle.forEach(c -> close(c, 1001, "idle", Disconnect.IDLE));
  }

  /** Tells every connection to come back later, spread over time, and closes it with 1001. */
  Future<Void> drain() {
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    List<Future<Void>> closing = new ArrayList<>();
    for (Connection c : List.copyOf(connections)) {
      if (c.closeReason != null) {
        continue;
      }
      long after = ThreadLocalRandom.current().nextLong(config.drainSpreadMs() + 1);
      send(c, Json.draining(after), Frame.DRAINING);
      closing.add(close(c, 1001, "server shutting down", Disconnect.SHUTDOWN));
    }
    return Future.join(closing)
        .timeout(3, TimeUnit.SECONDS)
        .<Void>mapEmpty()
        .otherwise(
            e -> {
              log.info("drain: {} connections did not finish closing in time", connections.size());
              return null;
            });
  }

  private static long epochNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
