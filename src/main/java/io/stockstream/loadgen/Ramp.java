package io.stockstream.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens the connections at the paced rate, never with more handshakes in flight than the cap, and
 * spreads them over the event loops; completes when every attempt has succeeded or failed.
 */
final class Ramp {

  private final Options options;
  private final SymbolTable table;
  private final List<LoopContext> loops;
  private final Bootstrap bootstrap;
  private final InetSocketAddress address;
  private final SslContext ssl;
  private final ChannelGroup channels;
  private final SplittableRandom random = new SplittableRandom(0x6C6F6164L);
  private final AtomicInteger inflight = new AtomicInteger();
  private final AtomicInteger settledCount = new AtomicInteger();
  private final CompletableFuture<Long> done = new CompletableFuture<>();
  private final double perConnectionOffered;
  private int started;
  private long t0;
  private ScheduledFuture<?> pacer;

  Ramp(
      Options options,
      SymbolTable table,
      List<LoopContext> loops,
      Bootstrap bootstrap,
      InetSocketAddress address,
      SslContext ssl,
      ChannelGroup channels) {
    this.options = options;
    this.table = table;
    this.loops = loops;
    this.bootstrap = bootstrap;
    this.address = address;
    this.ssl = ssl;
    this.channels = channels;
    this.perConnectionOffered =
        options.tickIntervalMs() > 0
            ? options.subscriptions() * 1000.0 / options.tickIntervalMs()
            : options.expectedRate() / options.connections();
  }

  /**
   * Starts the ramp on the first event loop.
   *
   * @return completes with the {@link System#nanoTime} at which the last attempt settled
   */
  CompletableFuture<Long> start() {
    LoopContext first = loops.get(0);
    first.loop.execute(
        () -> {
          t0 = System.nanoTime();
          // A millisecond's pacing: 5,000/s is five connects a step, smooth enough for a server.
          pacer = first.loop.scheduleAtFixedRate(this::step, 0, 1, TimeUnit.MILLISECONDS);
        });
    return done;
  }

  /** When the first attempt was made, as {@link System#nanoTime}; valid once started. */
  long startedAtNanos() {
    return t0;
  }

  int attempted() {
    return started;
  }

  private void step() {
    long elapsed = System.nanoTime() - t0;
    long due = Math.min(options.connections(), 1 + (long) (options.rate() * elapsed / 1e9));
    while (started < due && inflight.get() < options.maxInflight()) {
      connect(started++);
    }
    if (started == options.connections()) {
      pacer.cancel(false);
    }
  }

  private void connect(int index) {
    LoopContext loop = loops.get(index % loops.size());
    ConnectionHandler handler =
        new ConnectionHandler(
            loop,
            plan(index),
            System.nanoTime(),
            options.handshakeTimeoutMs(),
            this::settled,
            null);
    inflight.incrementAndGet();
    ChannelFuture connect =
        bootstrap
            .clone(loop.loop)
            .handler(initializer(ssl, options.target(), handler))
            .connect(address);
    channels.add(connect.channel());
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            // Not always on the channel's loop (a channel that could not even be created).
            loop.loop.execute(() -> handler.fail(Causes.of(f.cause())));
          }
        });
  }

  private ConnectionHandler.Plan plan(int index) {
    int[] symbols =
        options.subscriptions() == 0 ? new int[0] : table.assign(index, options.subscriptions());
    String token = options.token();
    String target =
        options.target().requestTarget(table.csv(symbols), options.tokenInQuery() ? token : null);
    String key = WsFraming.newKey(random);
    String request =
        WsFraming.upgradeRequest(
            target, options.target().hostHeader(), key, options.tokenInQuery() ? null : token);
    return new ConnectionHandler.Plan(request, key, symbols, slowRate(index));
  }

  /** Connection {@code i} is slow when the running count of slow ones steps up at it: spread. */
  private double slowRate(int i) {
    double f = options.slowFraction();
    boolean slow = Math.floor((i + 1) * f) > Math.floor(i * f);
    return slow ? Math.max(1e-3, perConnectionOffered / options.slowFactor()) : 0;
  }

  private void settled() {
    inflight.decrementAndGet();
    if (settledCount.incrementAndGet() == options.connections()) {
      done.complete(System.nanoTime());
    }
  }

  /** The pipeline of one connection: TLS when the URL says wss://, then the client itself. */
  static ChannelInitializer<Channel> initializer(
      SslContext ssl, Target target, ConnectionHandler handler) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        if (ssl != null) {
          ch.pipeline().addLast(ssl.newHandler(ch.alloc(), target.host(), target.port())); // SNI
        }
        ch.pipeline().addLast(handler);
      }
    };
  }
}
