package io.stockstream.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One run from start to summary: the universe, the ramp, a progress line a second, the warm-up and
 * the measured window, then every loop's counters added up into an {@link Outcome}.
 */
final class LoadRun {

  /** Everything the summary reports, gathered when the window closed. */
  record Outcome(
      Options options,
      String transport,
      int universe,
      int attempted,
      long rampStartNanos,
      long rampEndNanos,
      LoopStats totals,
      long windowNanos,
      long cpuNanos,
      double offeredNormal,
      double offeredSlow,
      ProcessSample watchBefore,
      ProcessSample watchStart,
      ProcessSample watchEnd) {}

  private final Options options;
  private final PrintStream log;

  LoadRun(Options options, PrintStream log) {
    this.options = options;
    this.log = log;
  }

  Outcome run() throws Exception {
    Transport transport = Transport.pick(log);
    EventLoopGroup group = transport.group(options.threads());
    ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    try {
      return run(transport, group, channels);
    } finally {
      // No close handshakes: the window is over, and the server sees the clients go at once
      // (with TLS, after a close_notify). Closed before the loops stop, so no socket outlives them.
      channels.close().await(10, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
  }

  private Outcome run(Transport transport, EventLoopGroup group, ChannelGroup channels)
      throws Exception {
    Target target = options.target();
    InetSocketAddress address =
        new InetSocketAddress(InetAddress.getByName(target.host()), target.port());
    SslContext ssl = null;
    if (target.tls()) {
      SslContextBuilder b = SslContextBuilder.forClient();
      if (options.insecure()) {
        b.trustManager(InsecureTrustManagerFactory.INSTANCE);
      }
      ssl = b.build();
    }
    Bootstrap bootstrap =
        new Bootstrap()
            .channel(transport.channel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.handshakeTimeoutMs());
    List<EventLoop> eventLoops = new ArrayList<>();
    for (EventExecutor e : group) {
      eventLoops.add((EventLoop) e);
    }
    List<String> universe =
        options.universe().isEmpty()
            ? Probe.symbols(options, bootstrap, eventLoops.get(0), address, ssl)
            : options.universe();
    if (options.subscriptions() > universe.size()) {
      throw new Options.Invalid(
          "--subscriptions: "
              + options.subscriptions()
              + " is more than the "
              + universe.size()
              + " symbols of the universe");
    }
    SymbolTable table = SymbolTable.of(universe);
    List<LoopContext> loops = new ArrayList<>();
    for (int i = 0; i < eventLoops.size(); i++) {
      loops.add(new LoopContext(eventLoops.get(i), table, 0x5EED + i));
    }
    ProcessSample watchBefore = watch();
    log.printf(
        "loadgen: %s, %d connections x %d of %d symbols at %.0f/s over %s, %d thread(s)%n",
        target,
        options.connections(),
        options.subscriptions(),
        universe.size(),
        options.rate(),
        transport.name(),
        options.threads());

    Ramp ramp = new Ramp(options, table, loops, bootstrap, address, ssl, channels);
    CompletableFuture<Long> rampDone = ramp.start();
    long t0 = System.nanoTime();
    long windowStart = -1;
    long windowEnd = -1;
    ProcessSample cpuStart = null;
    ProcessSample watchStart = null;
    double subSecondsNormal = 0;
    double subSecondsSlow = 0;
    long last = t0;
    Cpu lastCpu = cpuNow();
    long tick = 1;
    while (windowEnd < 0) {
      long nextTick = t0 + tick * 1_000_000_000L;
      long deadline =
          windowStart < 0 ? Long.MAX_VALUE : windowStart + options.durationMs() * 1_000_000L;
      boolean ending = deadline - nextTick < 0;
      sleepUntil(ending ? deadline : nextTick);
      if (ending) {
        // The window ends on time, not on the next whole second.
        windowEnd = onAll(loops, c -> c.stats.measure(false));
        subSecondsNormal += openSubscriptions(loops, false) * (windowEnd - last) / 1e9;
        subSecondsSlow += openSubscriptions(loops, true) * (windowEnd - last) / 1e9;
        break;
      }
      long now = System.nanoTime();
      LoopStats.Interval iv = interval(loops);
      double dt = (now - last) / 1e9;
      last = now;
      if (windowStart >= 0) {
        subSecondsNormal += (iv.subscriptions() - iv.slowSubscriptions()) * dt;
        subSecondsSlow += iv.slowSubscriptions() * dt;
      }
      Cpu cpu = cpuNow();
      progress(tick, iv, dt, cpu.since(lastCpu), windowStart >= 0);
      lastCpu = cpu;
      if (windowStart < 0
          && (options.measureDuringRamp()
              || rampDone.isDone() && now - rampDone.get() >= options.warmupMs() * 1_000_000L)) {
        cpuStart = ProcessSample.self();
        watchStart = watch();
        windowStart = onAll(loops, c -> c.stats.measure(true));
        last = windowStart;
      }
      tick++;
    }
    long cpuNanos = ProcessSample.self().cpuNanos() - cpuStart.cpuNanos();
    ProcessSample watchEnd = watch();
    LoopStats totals = new LoopStats();
    onAll(loops, c -> c.stats.addTo(totals));
    double windowSeconds = (windowEnd - windowStart) / 1e9;
    double offeredNormal;
    double offeredSlow;
    if (options.tickIntervalMs() > 0) {
      offeredNormal = subSecondsNormal * 1000.0 / options.tickIntervalMs();
      offeredSlow = subSecondsSlow * 1000.0 / options.tickIntervalMs();
    } else {
      double all = options.expectedRate() * windowSeconds;
      double share = subSecondsNormal + subSecondsSlow;
      offeredNormal = share == 0 ? all : all * subSecondsNormal / share;
      offeredSlow = share == 0 ? 0 : all * subSecondsSlow / share;
    }
    return new Outcome(
        options,
        transport.name(),
        universe.size(),
        ramp.attempted(),
        ramp.startedAtNanos(),
        rampDone.isDone() ? rampDone.get() : -1,
        totals,
        windowEnd - windowStart,
        cpuNanos,
        offeredNormal,
        offeredSlow,
        watchBefore,
        watchStart,
        watchEnd);
  }

  private ProcessSample watch() {
    return options.watchPid() > 0 ? ProcessSample.of(options.watchPid()) : null;
  }

  /** Runs {@code task} on every loop in turn and waits; returns when the last one began it. */
  private static long onAll(List<LoopContext> loops, java.util.function.Consumer<LoopContext> task)
      throws Exception {
    long at = System.nanoTime();
    for (LoopContext c : loops) {
      c.loop.submit(() -> task.accept(c)).get(30, TimeUnit.SECONDS);
    }
    return at;
  }

  private static long openSubscriptions(List<LoopContext> loops, boolean slow) throws Exception {
    long n = 0;
    for (LoopContext c : loops) {
      n +=
          c.loop
              .submit(
                  () ->
                      slow
                          ? c.stats.slowSubscriptions
                          : c.stats.subscriptions - c.stats.slowSubscriptions)
              .get(30, TimeUnit.SECONDS);
    }
    return n;
  }

  private static LoopStats.Interval interval(List<LoopContext> loops) throws Exception {
    long frames = 0;
    long bytes = 0;
    long handshakes = 0;
    long failures = 0;
    int open = 0;
    long subs = 0;
    long slowSubs = 0;
    Histogram latency = new Histogram(Cohort.MAX_LATENCY_MS, 3);
    for (LoopContext c : loops) {
      LoopStats.Interval i = c.loop.submit(c.stats::takeInterval).get(30, TimeUnit.SECONDS);
      frames += i.frames();
      bytes += i.bytes();
      handshakes += i.handshakes();
      failures += i.failures();
      open += i.open();
      subs += i.subscriptions();
      slowSubs += i.slowSubscriptions();
      latency.add(i.latencyMs());
    }
    return new LoopStats.Interval(
        frames, bytes, handshakes, failures, open, subs, slowSubs, latency);
  }

  private void progress(
      long second, LoopStats.Interval iv, double dt, String cpu, boolean measuring) {
    log.printf(
        "[%4ds] open %d, handshakes %.0f/s, failed %d | %.0f frames/s, %.1f MB/s | p99 %s ms"
            + " | %s%s%n",
        second,
        iv.open(),
        iv.handshakes() / dt,
        iv.failures(),
        iv.frames() / dt,
        iv.bytes() / dt / 1e6,
        iv.latencyMs().getTotalCount() == 0
            ? "-"
            : Long.toString(iv.latencyMs().getValueAtPercentile(99)),
        cpu,
        measuring ? " | measuring" : "");
  }

  /**
   * CPU time so far of this process and of the watched server, if any: per second, they say which
   * side was the limit in that second (a connection storm is over in a few).
   */
  private record Cpu(long atNanos, ProcessSample self, ProcessSample server) {

    /** Over the time between the two samples, not the second's: the loops may answer late. */
    String since(Cpu before) {
      double seconds = (atNanos - before.atNanos) / 1e9;
      String line = "cpu " + percent(self, before.self, seconds);
      return server == null ? line : line + ", server " + percent(server, before.server, seconds);
    }

    private static String percent(ProcessSample now, ProcessSample then, double seconds) {
      if (now.cpuNanos() < 0 || then.cpuNanos() < 0) {
        return "-";
      }
      return Math.round((now.cpuNanos() - then.cpuNanos()) / 1e7 / seconds) + "%";
    }
  }

  private Cpu cpuNow() {
    return new Cpu(System.nanoTime(), ProcessSample.self(), watch());
  }

  private static void sleepUntil(long deadline) throws InterruptedException {
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }
}
