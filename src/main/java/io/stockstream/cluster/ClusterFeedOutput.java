package io.stockstream.cluster;

import com.hazelcast.map.IMap;
import io.stockstream.market.FeedOutput;
import io.stockstream.market.MarketData;
import io.stockstream.market.WalkState;
import io.stockstream.protocol.TickEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The feed's output in a cluster: each step's state is written to the replicated map before its
 * ticks are published, so every tick any node may have received is in the state a successor
 * continues from, whatever moment the leader dies at. Then the batch crosses the clustered event
 * bus once per node, as bytes.
 */
final class ClusterFeedOutput implements FeedOutput {

  static final String TICKS = "stockstream.cluster.ticks";

  private final ClusterNode node;
  private final Leadership leadership;
  private final MarketData market;
  private final IMap<Integer, byte[]> states;
  private final EventBus bus;

  ClusterFeedOutput(ClusterNode node, Leadership leadership, MarketData market) {
    this.node = node;
    this.leadership = leadership;
    this.market = market;
    this.states = node.hazelcast().getMap(ClusterBootstrap.STATE_MAP);
    this.bus = node.vertx().eventBus();
  }

  @Override
  public boolean leads() {
    return leadership.leads();
  }

  @Override
  public Future<List<WalkState>> takeOver() {
    Set<Integer> keys = new HashSet<>();
    for (int i = 0; i < market.size(); i++) {
      keys.add(i);
    }
    return Future.fromCompletionStage(
            states.submitToKeys(keys, new FeedState.Read()), Vertx.currentContext())
        .map(
            held -> {
              List<WalkState> out = new ArrayList<>();
              for (byte[] bytes : held.values()) {
                if (bytes != null) {
                  out.addAll(FeedState.decode(bytes, market));
                }
              }
              return out;
            });
  }

  @Override
  public Future<Void> publish(List<TickEvent> batch, List<WalkState> walks) {
    long term = leadership.term();
    if (term == 0) {
      return Future.failedFuture("holds no term");
    }
    Map<Integer, List<WalkState>> bySymbol = new HashMap<>();
    for (WalkState s : walks) {
      bySymbol.computeIfAbsent(s.index(), i -> new ArrayList<>(1)).add(s);
    }
    Map<Integer, byte[]> values = new HashMap<>();
    bySymbol.forEach((index, step) -> values.put(index, FeedState.encode(term, step)));
    return Future.fromCompletionStage(
            states.submitToKeys(values.keySet(), new FeedState.Write(term, values)),
            Vertx.currentContext())
        .compose(
            written -> {
              if (written.containsValue(Boolean.FALSE)) {
                return Future.failedFuture("a leader of a later term holds the feed");
              }
              if (!leadership.leads()) {
                return Future.failedFuture("lost the lease");
              }
              bus.publish(TICKS, TickWire.encode(node.id(), term, batch));
              return Future.succeededFuture();
            });
  }
}
