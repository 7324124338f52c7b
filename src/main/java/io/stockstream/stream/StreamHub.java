package io.stockstream.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.stockstream.config.Config;
import io.stockstream.market.MarketData;
import io.stockstream.metrics.Meters;
import io.stockstream.metrics.WireComparison;
import io.stockstream.protocol.ClientRequest;
import io.stockstream.protocol.Disconnect;
import io.stockstream.protocol.Frame;
import io.stockstream.protocol.MarketEvent;
import io.stockstream.protocol.PresenceBatch;
import io.stockstream.protocol.PresenceEvent;
import io.stockstream.protocol.ProtocolJson;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.ServerWebSocket;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket side of one event loop: it opens and closes its connections and answers their
 * frames, and leaves fan-out to its {@link TickRouter} and timers to its {@link Sweeper}.
 * Everything here runs on that one event loop, so nothing locks.
 */
final class StreamHub implements Sweeper.Actions {

  private static final Logger log = LoggerFactory.getLogger(StreamHub.class);
  private static final ByteBuf PING = WireFrame.ping(Buffer.buffer("stockstream"));

  /** Reads a client's text frame: {@code ClientRequest::parse}, passed in by the endpoint. */
  interface Parser {
    ClientRequest parse(String text) throws ClientRequest.BadFrame;
  }

  private final Vertx vertx;
  private final Config config;
  private final MarketData market;
  private final ConnectionSlots slots;
  private final Meters meters;
  private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
  private final Flusher flusher;
  private final TickRouter router;
  private final TickInbox inbox;
  private final Sweeper sweeper;
  private final Parser parser;
  private final Set<Connection> connections = new LinkedHashSet<>();
  private final long closeGraceMs;

  /** The welcome's list of symbols, encoded once and shared by every connection's welcome. */
  private final ByteBuf welcomeSymbols;

  private final ByteBuf[] welcomeTails = new ByteBuf[2];

  StreamHub(
      Vertx vertx,
      Config config,
      MarketData market,
      SubscriptionCounts counts,
      ConnectionSlots slots,
      Meters meters,
      WireComparison wire,
      Parser parser) {
    this.vertx = vertx;
    this.parser = parser;
    this.config = config;
    this.market = market;
    this.slots = slots;
    this.meters = meters;
    Context loop = vertx.getOrCreateContext();
    this.flusher = new Flusher(loop);
    this.router = new TickRouter(market, counts, meters, wire, flusher, alloc);
    this.inbox = new TickInbox(loop, router);
    this.sweeper = new Sweeper(vertx, config, connections, this);
    this.closeGraceMs =
        Math.min(WebSocketOptions.CLOSING_TIMEOUT_S * 1000L, config.slowConsumerTimeoutMs());
    this.welcomeSymbols = WireFrame.constant(ProtocolJson.welcomeSymbols(market.symbols()));
    for (boolean open : new boolean[] {false, true}) {
      welcomeTails[open ? 1 : 0] = WireFrame.constant(ProtocolJson.welcomeTail(open));
    }
  }

  /** Where the node's fan-out hands this loop its ticks. */
  TickInbox inbox() {
    return inbox;
  }

  void start() {
    sweeper.start();
  }

  Future<Void> drain() {
    return sweeper.drain();
  }

  void onMarket(MarketEvent e) {
    router.onMarket(e, connections);
  }

  void onPresence(PresenceBatch batch) {
    for (PresenceEvent e : batch.changes()) {
      router.onPresence(e);
    }
    flusher.flushSoon();
  }

  // ---- connection lifecycle -------------------------------------------------------------------

  /** Takes over an upgraded socket; {@code symbolsParam} is its {@code ?symbols=}, if any. */
  void open(ServerWebSocket ws, String symbolsParam) {
    Connection c =
        new Connection(
            ws,
            VertxInternals.frameOutput(ws),
            VertxInternals.directSocket(ws),
            flusher,
            connectionId(),
            config.rateLimitPerSecond(),
            config.rateLimitBurst(),
            System.nanoTime());
    connections.add(c);
    sweeper.met(c, System.nanoTime());
    VertxInternals.writeDirect(ws);
    VertxInternals.forgetHandshake(ws);
    VertxInternals.install(ws, code -> onViolation(c, code), () -> router.flush(c));
    ws.setWriteQueueMaxSize(config.writeQueueBytes());
    // The kernel's buffer in front of the write queue no bigger than the queue: else megabytes of
    // ticks wait there, unconflated, before the queue is full (ThrottledLinkTest).
    VertxInternals.limitSendBuffer(ws, config.writeQueueBytes());
    ws.frameHandler(f -> c.heard(System.nanoTime()));
    ws.textMessageHandler(text -> answer(c, () -> onText(c, text)));
    ws.binaryMessageHandler(
        b ->
            answer(
                c,
                () -> {
                  if (admit(c)) {
                    error(
                        c,
                        "bad_request",
                        "binary frames are not supported: send JSON text",
                        ProtocolJson.NO_REF);
                  }
                }));
    ws.exceptionHandler(t -> onException(c, t));
    ws.closeHandler(v -> onClosed(c));
    welcome(c);
    try {
      ClientRequest.Subscribe initial = ClientRequest.fromQuery(symbolsParam);
      if (initial != null) {
        subscribe(c, initial);
      }
    } catch (ClientRequest.BadFrame e) {
      error(c, e.code(), e.getMessage(), e.ref());
    }
  }

  /** The welcome, from its per-connection head and the parts every connection shares. */
  private void welcome(Connection c) {
    ByteBuf tail = welcomeTails[market.marketOpen() ? 1 : 0];
    c.write(
        WireFrame.head(
            alloc,
            ProtocolJson.welcomeHead(c.id.toString(), market.epoch(), System.currentTimeMillis()),
            welcomeSymbols.readableBytes(),
            tail.readableBytes()));
    c.write(welcomeSymbols.duplicate());
    c.write(tail.duplicate());
    meters.framesSent(Frame.WELCOME, 1);
    flusher.flushSoon();
  }

  /**
   * A random (version 4) UUID from the loop's own generator: ids need to be unique, not secret, and
   * {@link UUID#randomUUID} draws on the node-wide SecureRandom on every handshake.
   */
  private static UUID connectionId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
    return new UUID(high, low);
  }

  private void onClosed(Connection c) {
    Disconnect reason = c.release();
    if (reason == null) {
      return;
    }
    router.unsubscribeAll(c);
    connections.remove(c);
    slots.release();
    meters.disconnect(reason);
  }

  /**
   * The pipeline's guard is closing the connection for a frame that broke RFC 6455: 1009 for an
   * oversized frame counts as abuse, 1002 and 1007 as errors.
   */
  private void onViolation(Connection c, int code) {
    c.startClosing(code == 1009 ? Disconnect.ABUSE : Disconnect.ERROR);
    router.unsubscribeAll(c);
  }

  private void onException(Connection c, Throwable t) {
    if (VertxInternals.isMessageTooBig(t)) {
      close(c, 1009, "message over 64 KiB", Disconnect.ABUSE);
    } else if (t instanceof IOException || t instanceof HttpClosedException) {
      // The peer went away without a close frame: its close handler counts it.
      log.debug("connection {}: {}", c.id, t.toString());
    } else {
      log.warn("connection {} failed: {}", c.id, t.toString());
      close(c, 1011, "internal error", Disconnect.ERROR);
    }
  }

  /** Starts closing a connection; it stops receiving ticks at once. */
  @Override
  public Future<Void> close(Connection c, int code, String reason, Disconnect why) {
    if (c.startClosing(why)) {
      // Vert.x starts its closing timeout only once the close frame is written, which never
      // happens while the peer reads nothing (a slow consumer): then drop the TCP connection, so
      // that its slot and socket are not held forever.
      vertx.setTimer(closeGraceMs, id -> abortIfOpen(c));
    }
    router.unsubscribeAll(c);
    // What the hub wrote goes before Vert.x's close frame.
    c.flush();
    // A close that fails found the socket already gone; its close handler does the accounting.
    return c.ws
        .close((short) code, reason)
        .onFailure(e -> log.debug("connection {}: close {}: {}", c.id, code, e.toString()));
  }

  private static void abortIfOpen(Connection c) {
    if (!c.released() && VertxInternals.abort(c.ws)) {
      log.debug("connection {}: no close handshake in time, dropped the TCP connection", c.id);
    }
  }

  // ---- client frames --------------------------------------------------------------------------

  /**
   * Answers one client frame. Vert.x would only log a handler's exception and leave the connection
   * open in whatever state the failure left it; a bug met while answering closes that one
   * connection with 1011, and the loop's other connections never notice.
   */
  private void answer(Connection c, Runnable answer) {
    try {
      answer.run();
    } catch (RuntimeException e) {
      log.error("connection {}: internal error answering a frame", c.id, e);
      close(c, 1011, "internal error", Disconnect.ERROR);
    }
    flusher.flushSoon();
  }

  private boolean admit(Connection c) {
    if (c.rateLimit.allow(System.nanoTime())) {
      return true;
    }
    if (c.rateLimit.abusive()) {
      close(c, 1008, "rate limit exceeded", Disconnect.ABUSE);
    } else {
      error(
          c,
          "rate_limited",
          "too many frames: at most " + config.rateLimitPerSecond() + "/s",
          ProtocolJson.NO_REF);
    }
    return false;
  }

  private void onText(Connection c, String text) {
    if (c.closing() || !admit(c)) {
      return;
    }
    ClientRequest request;
    try {
      request = parser.parse(text);
    } catch (ClientRequest.BadFrame e) {
      error(c, e.code(), e.getMessage(), e.ref());
      return;
    }
    if (request instanceof ClientRequest.Subscribe sub) {
      subscribe(c, sub);
    } else if (request instanceof ClientRequest.Unsubscribe unsub) {
      unsubscribe(c, unsub);
    } else {
      send(c, ProtocolJson.pong(request.ref(), System.currentTimeMillis()), Frame.PONG);
    }
  }

  private void subscribe(Connection c, ClientRequest.Subscribe s) {
    Set<String> known = new LinkedHashSet<>();
    Set<String> unknown = new LinkedHashSet<>();
    Map<String, Integer> added = new LinkedHashMap<>();
    for (String symbol : s.symbols()) {
      int i = market.indexOf(symbol);
      if (i < 0) {
        unknown.add(symbol);
      } else if (known.add(symbol) && !c.subscribed(i)) {
        added.put(symbol, i);
      }
    }
    if (c.subscriptions() + added.size() > config.maxSubscriptions()) {
      error(
          c,
          "too_many_subscriptions",
          "at most "
              + config.maxSubscriptions()
              + " symbols per connection; nothing was subscribed",
          s.ref());
      return;
    }
    ResumePlanner.Plan plan =
        ResumePlanner.plan(
            added,
            s.since(),
            s.epoch(),
            market.epoch(),
            router,
            config.cluster().isPresent() ? ResumePlanner.CLUSTER_AHEAD : 0);
    added.values().forEach(i -> router.subscribe(c, i));
    plan.holdBack().forEach(c::seenUpTo);
    if (!known.isEmpty()) {
      send(
          c,
          ProtocolJson.subscribed(s.ref(), known, plan.snapshot(), plan.gaps()),
          Frame.SUBSCRIBED);
      router.replay(c, plan.replay());
    }
    if (!unknown.isEmpty()) {
      unknownSymbols(c, unknown, s.ref());
    }
  }

  private void unsubscribe(Connection c, ClientRequest.Unsubscribe u) {
    Set<String> known = new LinkedHashSet<>();
    Set<String> unknown = new LinkedHashSet<>();
    for (String symbol : u.symbols()) {
      int i = market.indexOf(symbol);
      if (i < 0) {
        unknown.add(symbol);
      } else {
        known.add(symbol);
        router.unsubscribe(c, i);
      }
    }
    if (!known.isEmpty()) {
      send(c, ProtocolJson.unsubscribed(u.ref(), known), Frame.UNSUBSCRIBED);
    }
    if (!unknown.isEmpty()) {
      unknownSymbols(c, unknown, u.ref());
    }
  }

  private void unknownSymbols(Connection c, Set<String> unknown, Object ref) {
    Buffer f =
        ProtocolJson.error(
            "unknown_symbol", "unknown symbols: " + String.join(",", unknown), ref, unknown);
    send(c, f, Frame.ERROR);
  }

  private void error(Connection c, String code, String message, Object ref) {
    send(c, ProtocolJson.error(code, message, ref, null), Frame.ERROR);
  }

  @Override
  public void send(Connection c, Buffer frame, Frame type) {
    c.write(WireFrame.text(alloc, frame));
    meters.framesSent(type, 1);
    flusher.flushSoon();
  }

  /** Pings with the frame every connection shares, so a ping leaves with the ticks beside it. */
  @Override
  public void ping(Connection c) {
    c.writeShared(PING);
    flusher.flushSoon();
  }
}
