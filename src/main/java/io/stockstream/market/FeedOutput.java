package io.stockstream.market;

import io.stockstream.protocol.TickEvent;
import io.vertx.core.Future;
import java.util.List;

/**
 * Where the feed's ticks go, and whether this node's feed makes any: a single node always leads and
 * publishes on its local bus; in a cluster only the elected leader does, after it has kept the
 * ticks' state where its successor will find it.
 */
public interface FeedOutput {

  /** True while this node's feed may make ticks. */
  boolean leads();

  /**
   * Called when {@link #leads()} turns true: the state the market published last, to continue from:
   * for each symbol, the walk after each of its ticks in the last step that had one, in order;
   * empty for a market that has not ticked yet.
   */
  Future<List<WalkState>> takeOver();

  /**
   * Hands one step's ticks on, in order; {@code states} are the walks after each of them, one per
   * tick. The feed makes no further tick until the returned future completes, so steps never
   * overtake each other.
   */
  Future<Void> publish(List<TickEvent> batch, List<WalkState> states);
}
