package io.stockstream.cluster;

import io.micrometer.core.instrument.MeterRegistry;
import io.stockstream.market.FeedOutput;
import io.stockstream.market.MarketData;
import io.stockstream.metrics.Meters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.IntUnaryOperator;

/**
 * The cluster's parts of one node, deployed together: the receiver of the leader's ticks, the
 * viewer counts, the expected size and the leadership; what the rest of the node needs of them is
 * the feed's output, the cluster-wide viewer counts and whether the node has joined.
 */
public final class ClusterServices {

  private final ClusterNode node;
  private final Leadership leadership;
  private final TickReceiver receiver;
  private final ClusterPresence presence;
  private final ClusterFeedOutput output;

  private ClusterServices(
      ClusterNode node,
      Leadership leadership,
      TickReceiver receiver,
      ClusterPresence presence,
      ClusterFeedOutput output) {
    this.node = node;
    this.leadership = leadership;
    this.receiver = receiver;
    this.presence = presence;
    this.output = output;
  }

  public static Future<ClusterServices> deploy(
      ClusterNode node,
      MarketData market,
      Meters meters,
      MeterRegistry registry,
      IntUnaryOperator localViewers) {
    Vertx vertx = node.vertx();
    ClusterMeters clusterMeters = new ClusterMeters(registry);
    Terms terms = new Terms();
    ExpectedMembers expected = new ExpectedMembers(node.settings(), node);
    Leadership leadership = new Leadership(node, expected, terms, clusterMeters);
    TickReceiver receiver =
        new TickReceiver(
            node, leadership, terms, market, meters, clusterMeters, market.historyPerSymbol());
    ClusterPresence presence = new ClusterPresence(node, localViewers, market.size());
    clusterMeters.bind(leadership::leads, () -> node.members().size(), expected::count);
    ClusterFeedOutput output = new ClusterFeedOutput(node, leadership, market);
    // The receiver first: this node's own feed reaches its clients through it.
    return vertx
        .deployVerticle(receiver)
        .compose(v -> vertx.deployVerticle(presence))
        .compose(v -> vertx.deployVerticle(expected))
        .compose(v -> vertx.deployVerticle(leadership))
        .map(v -> new ClusterServices(node, leadership, receiver, presence, output));
  }

  public FeedOutput feedOutput() {
    return output;
  }

  /** Viewers of a symbol across the cluster. */
  public int viewers(int index) {
    return presence.viewers(index);
  }

  /** Joined, and holding the history a peer had: the cluster's share of readiness. */
  public boolean ready() {
    return node.running() && receiver.filled();
  }

  public boolean leads() {
    return leadership.leads();
  }
}
