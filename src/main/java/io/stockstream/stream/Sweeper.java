package io.stockstream.stream;

import io.stockstream.config.Config;
import io.stockstream.protocol.Disconnect;
import io.stockstream.protocol.Frame;
import io.stockstream.protocol.ProtocolJson;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timers of one event loop's connections: the heartbeat ping, the idle and slow-consumer
 * limits, and the drain at shutdown. One periodic sweep serves them all, so no connection has a
 * timer of its own.
 */
final class Sweeper {

  /** How the sweeper acts on a connection: the hub's own send and close. */
  interface Actions {
    void send(Connection c, Buffer frame, Frame type);

    void ping(Connection c);

    Future<Void> close(Connection c, int code, String reason, Disconnect why);
  }

  private static final Logger log = LoggerFactory.getLogger(Sweeper.class);

  /** How long the drain waits for close handshakes before the node stops anyway. */
  private static final long DRAIN_WAIT_S = 3;

  private final Vertx vertx;
  private final Collection<Connection> connections;
  private final Actions actions;
  private final long periodMs;
  private final long slowLimitNanos;
  private final long idleLimitNanos;
  private final long pingEveryNanos;
  private final long drainSpreadMs;

  /** The first pings of connections that came together are spread over this many sweeps. */
  private final int pingSpread;

  private int met;
  private long timer = -1;

  Sweeper(Vertx vertx, Config config, Collection<Connection> connections, Actions actions) {
    this.vertx = vertx;
    this.connections = connections;
    this.actions = actions;
    this.slowLimitNanos = TimeUnit.MILLISECONDS.toNanos(config.slowConsumerTimeoutMs());
    this.idleLimitNanos = TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMs());
    this.pingEveryNanos = TimeUnit.MILLISECONDS.toNanos(config.pingIntervalMs());
    this.drainSpreadMs = config.drainSpreadMs();
    long shortest =
        Math.min(
            config.pingIntervalMs(),
            Math.min(config.idleTimeoutMs(), config.slowConsumerTimeoutMs()));
    // A quarter of the shortest limit keeps each limit within 25% of its setting.
    this.periodMs = Math.max(20, Math.min(1000, shortest / 4));
    this.pingSpread = (int) Math.max(1, config.pingIntervalMs() / 2 / periodMs);
  }

  void start() {
    timer = vertx.setPeriodic(periodMs, id -> sweep());
  }

  /**
   * Schedules a new connection's first ping a whole interval from now, less a sweep for each
   * connection met before it, round half the interval: connections that came together are pinged
   * over many sweeps, not in one (10,000 pings in one sweep held a loop's ticks back half a
   * second).
   */
  void met(Connection c, long nowNanos) {
    c.nextPingAt(nowNanos + pingEveryNanos - (met++ % pingSpread) * periodMs * 1_000_000);
  }

  private void sweep() {
    long now = System.nanoTime();
    List<Connection> slow = new ArrayList<>();
    List<Connection> idle = new ArrayList<>();
    for (Connection c : connections) {
      if (c.closing()) {
        continue;
      }
      if (c.outbox.slowFor(slowLimitNanos, now)) {
        slow.add(c);
      } else if (c.silentFor(idleLimitNanos, now)) {
        idle.add(c);
      } else if (now - c.nextPingAt() >= 0) {
        c.nextPingAt(now + pingEveryNanos);
        actions.ping(c);
      }
    }
    slow.forEach(c -> actions.close(c, 1013, "slow consumer", Disconnect.SLOW_CONSUMER));
    idle.forEach(c -> actions.close(c, 1001, "idle", Disconnect.IDLE));
  }

  /** Tells every connection to come back later, spread over time, and closes it with 1001. */
  Future<Void> drain() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    List<Future<Void>> closing = new ArrayList<>();
    for (Connection c : List.copyOf(connections)) {
      if (c.closing()) {
        continue;
      }
      long after = ThreadLocalRandom.current().nextLong(drainSpreadMs + 1);
      actions.send(c, ProtocolJson.draining(after), Frame.DRAINING);
      closing.add(actions.close(c, 1001, "server shutting down", Disconnect.SHUTDOWN));
    }
    return Future.join(closing)
        .timeout(DRAIN_WAIT_S, TimeUnit.SECONDS)
        .<Void>mapEmpty()
        .otherwise(
            e -> {
              log.info("drain: {} connections did not finish closing in time", connections.size());
              return null;
            });
  }
}
