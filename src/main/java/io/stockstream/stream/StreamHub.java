package io.stockstream.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
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
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket side of one event loop: it opens and closes its connections and answers their
 * frames, and leaves fan-out to its {@link TickRouter} and timers to its {@link Sweeper}.
 * Everything here runs on that one event loop, so nothing locks.
 */
final class StreamHub implements Sweeper.Actions, WebSocketHandler.Listener {

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
  private final WebSocketUpgrade upgrade = new WebSocketUpgrade(WebSocketOptions.MAX_MESSAGE_BYTES);
  private final WriteBufferWaterMark writeQueue;
  private final Welcome welcome;

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
    this.writeQueue =
        new WriteBufferWaterMark(config.writeQueueBytes() / 2, config.writeQueueBytes());
    this.welcome = new Welcome(market, alloc);
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

  /**
   * Upgrades an accepted handshake and takes its socket over; {@code symbolsParam} is its {@code
   * ?symbols=}, if any.
   *
   * @return false when the client had already gone
   */
  boolean open(HttpServerRequest req, String symbolsParam) {
    WebSocketHandler handler = new WebSocketHandler(this, WebSocketOptions.MAX_MESSAGE_BYTES);
    ChannelHandlerContext out = upgrade.upgrade(req, handler);
    if (out == null) {
      return false;
    }
    ChannelConfig socket = out.channel().config();
    socket.setWriteBufferWaterMark(writeQueue);
    // The kernel's buffer in front of the write queue no bigger than the queue: else megabytes of
    // ticks wait there, unconflated, before the queue is full (ThrottledLinkTest). Linux doubles
    // it.
    socket.setOption(ChannelOption.SO_SNDBUF, config.writeQueueBytes());
    Connection c =
        new Connection(
            out,
            VertxInternals.directSocket(out),
            flusher,
            Welcome.connectionId(),
            config.rateLimitPerSecond(),
            config.rateLimitBurst(),
            System.nanoTime());
    handler.attach(c);
    connections.add(c);
    sweeper.met(c, System.nanoTime());
    welcome(c);
    try {
      ClientRequest.Subscribe initial = ClientRequest.fromQuery(symbolsParam);
      if (initial != null) {
        subscribe(c, initial);
      }
    } catch (ClientRequest.BadFrame e) {
      error(c, e.code(), e.getMessage(), e.ref());
    }
    return true;
  }

  private void welcome(Connection c) {
    welcome.writeTo(c);
    meters.framesSent(Frame.WELCOME, 1);
    flusher.flushSoon();
  }

  // ---- socket events (WebSocketHandler.Listener) ----------------------------------------------

  @Override
  public void onText(Connection c, String text) {
    answer(c, () -> onTextFrame(c, text));
  }

  @Override
  public void onBinary(Connection c, ByteBuf message) {
    answer(
        c,
        () -> {
          if (!c.closing() && admit(c)) {
            error(
                c,
                "bad_request",
                "binary frames are not supported: send JSON text",
                ProtocolJson.NO_REF);
          }
        });
  }

  @Override
  public void onMessageTooBig(Connection c) {
    close(c, 1009, "message over 64 KiB", Disconnect.ABUSE);
  }

  @Override
  public void onClosing(Connection c) {
    router.unsubscribeAll(c);
  }

  @Override
  public void onWritable(Connection c) {
    router.flush(c);
  }

  @Override
  public void onClosed(Connection c) {
    Disconnect reason = c.release();
    if (reason == null) {
      return;
    }
    router.unsubscribeAll(c);
    connections.remove(c);
    slots.release();
    meters.disconnect(reason);
  }

  @Override
  public void onError(Connection c, Throwable t) {
    if (t instanceof IOException) {
      // The peer went away without a close frame: Netty closes the socket, and onClosed counts it.
      log.debug("connection {}: {}", c.id, t.toString());
    } else {
      log.warn("connection {} failed: {}", c.id, t.toString());
      close(c, 1011, "internal error", Disconnect.ERROR);
    }
  }

  /**
   * Starts closing a connection: it stops receiving ticks at once, and its close frame goes after
   * what was already written. The TCP connection ends when the client answers, or is dropped after
   * the grace period (a slow consumer may never read the close frame at all).
   *
   * @return completes when the TCP connection is closed
   */
  @Override
  public Future<Void> close(Connection c, int code, String reason, Disconnect why) {
    if (c.startClosing(why)) {
      router.unsubscribeAll(c);
      c.write(WireFrame.close(alloc, code, reason));
      c.flush();
      c.abortAfter(closeGraceMs);
    }
    Promise<Void> closed = Promise.promise();
    c.closeFuture().addListener(f -> closed.complete());
    return closed.future();
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

  private void onTextFrame(Connection c, String text) {
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
