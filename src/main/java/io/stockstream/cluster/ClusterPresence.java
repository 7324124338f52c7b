package io.stockstream.cluster;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.IntUnaryOperator;

/**
 * Viewer counts across the cluster: each node publishes its own counts that changed, a few times a
 * second and in full now and then, and sums everyone's; a member that leaves takes its viewers with
 * it. The node's presence publisher reads the sums, so viewers still hear of a symbol at most once
 * a second.
 */
public final class ClusterPresence extends VerticleBase {

  static final String COUNTS = "stockstream.cluster.viewers";
  private static final long SEND_EVERY_MS = 250;
  private static final int FULL_EVERY = 20;

  private final ClusterNode node;
  private final IntUnaryOperator local;
  private final int[] sent;
  private final Map<UUID, int[]> byMember = new HashMap<>();
  private final AtomicIntegerArray totals;
  private long sends;
  private long timer;

  public ClusterPresence(ClusterNode node, IntUnaryOperator localViewers, int symbols) {
    this.node = node;
    this.local = localViewers;
    this.sent = new int[symbols];
    this.totals = new AtomicIntegerArray(symbols);
  }

  /** Viewers of a symbol on every member, as last heard. */
  public int viewers(int index) {
    return totals.get(index);
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(SEND_EVERY_MS, id -> send());
    return vertx.eventBus().<Buffer>consumer(COUNTS, m -> receive(m.body())).completion();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  /** Sends (index, count) pairs: the changed ones, or every non-zero one now and then. */
  private void send() {
    forgetDeparted();
    boolean full = sends++ % FULL_EVERY == 0;
    UUID me = node.id();
    if (me == null) {
      return;
    }
    Buffer out =
        Buffer.buffer()
            .appendLong(me.getMostSignificantBits())
            .appendLong(me.getLeastSignificantBits());
    int pairs = 0;
    for (int i = 0; i < sent.length; i++) {
      int n = local.applyAsInt(i);
      if (n != sent[i] || (full && n != 0)) {
        sent[i] = n;
        out.appendInt(i).appendInt(n);
        pairs++;
      }
    }
    if (pairs > 0) {
      vertx.eventBus().publish(COUNTS, out);
    }
  }

  private void receive(Buffer in) {
    UUID member = new UUID(in.getLong(0), in.getLong(8));
    int[] counts = byMember.computeIfAbsent(member, k -> new int[sent.length]);
    for (int pos = 16; pos + 8 <= in.length(); pos += 8) {
      int i = in.getInt(pos);
      if (i >= 0 && i < counts.length) {
        int n = in.getInt(pos + 4);
        totals.addAndGet(i, n - counts[i]);
        counts[i] = n;
      }
    }
  }

  private void forgetDeparted() {
    Set<UUID> here = new HashSet<>();
    node.members().forEach(m -> here.add(m.getUuid()));
    byMember
        .entrySet()
        .removeIf(
            e -> {
              if (here.contains(e.getKey())) {
                return false;
              }
              int[] counts = e.getValue();
              for (int i = 0; i < counts.length; i++) {
                totals.addAndGet(i, -counts[i]);
              }
              return true;
            });
  }
}
