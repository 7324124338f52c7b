package io.stockstream.stream;

import io.stockstream.protocol.TickEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, without touching a socket, what a subscribe sends: for each newly subscribed symbol the
 * snapshot tick, a gap, the ticks to replay after {@code since}, or a hold-back of ticks the client
 * already has. Everything is cut at the last tick this event loop delivered, so that a connection
 * sees every seq of a symbol once, in order.
 */
final class ResumePlanner {

  /** What the planner reads of the market, as seen from one event loop. */
  interface History {
    /** The last tick of the symbol this loop delivered to its subscribers, or null. */
    TickEvent delivered(int symbol);

    /** The newest tick the feed published of the symbol, or null. */
    TickEvent newest(int symbol);

    /** The ticks with {@code after < seq <= upto}, oldest first, or null if no longer held. */
    List<TickEvent> range(int symbol, long after, long upto);
  }

  /**
   * The outcome of one subscribe.
   *
   * @param gaps null when the request carried no {@code since}
   * @param holdBack symbol index to the seq up to which the client already has every tick
   */
  record Plan(
      List<TickEvent> snapshot,
      List<String> gaps,
      List<TickEvent> replay,
      Map<Integer, Long> holdBack) {}

  /**
   * In a cluster, how far past this node's newest tick a client's {@code since} may be and still be
   * ours: a client of a leader that died may have seen the ticks of its last steps before they
   * reached this node, and the new leader publishes them again (a few steps; this is generous).
   */
  static final long CLUSTER_AHEAD = 1_000;

  private ResumePlanner() {}

  /** Plans a subscribe on a single node, where no client can have seen a tick this node has not. */
  static Plan plan(
      Map<String, Integer> added,
      Map<String, Long> since,
      String epoch,
      String currentEpoch,
      History history) {
    return plan(added, since, epoch, currentEpoch, history, 0);
  }

  /**
   * Plans a subscribe.
   *
   * @param added the newly subscribed symbols and their indices, in request order
   * @param since the client's last seen seq per symbol, or null for a plain subscribe
   * @param epoch the epoch the client saw those seqs under, or null for the current one
   * @param ahead how far past the newest tick a {@code since} is still awaited rather than a gap
   */
  static Plan plan(
      Map<String, Integer> added,
      Map<String, Long> since,
      String epoch,
      String currentEpoch,
      History history,
      long ahead) {
    boolean sameEpoch = epoch == null || epoch.equals(currentEpoch);
    List<TickEvent> snapshot = new ArrayList<>();
    List<String> gaps = since == null ? null : new ArrayList<>();
    List<TickEvent> replay = new ArrayList<>();
    Map<Integer, Long> holdBack = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> a : added.entrySet()) {
      String symbol = a.getKey();
      int i = a.getValue();
      TickEvent latest = history.delivered(i);
      Long seen = since == null ? null : since.get(symbol);
      if (seen == null) {
        if (latest != null) {
          snapshot.add(latest);
        } else {
          // This loop has not delivered the symbol's first tick yet (a node that just started):
          // the newest is the snapshot, and the loop's ticks up to it are held back.
          TickEvent newest = history.newest(i);
          if (newest != null) {
            snapshot.add(newest);
            holdBack.put(i, newest.seq());
          }
        }
        continue;
      }
      if (!sameEpoch) {
        gap(symbol, latest, snapshot, gaps);
        continue;
      }
      long upto = latest == null ? 0 : latest.seq();
      if (seen > upto) {
        TickEvent newest = history.newest(i);
        if ((newest != null && seen <= newest.seq()) || seen <= upto + ahead) {
          // The client saw a tick that this loop has not delivered yet (it came through another
          // loop a moment ago, or, in a cluster, through a leader that died before this node got
          // it): hold back what it already has instead of sending it twice.
          holdBack.put(i, seen);
        } else {
          // Beyond anything this node published: the client's numbering is not ours.
          gap(symbol, latest, snapshot, gaps);
        }
        continue;
      }
      if (seen == upto) {
        continue;
      }
      List<TickEvent> missed = history.range(i, seen, upto);
      if (missed == null) {
        gap(symbol, latest, snapshot, gaps);
      } else {
        replay.addAll(missed);
      }
    }
    return new Plan(snapshot, gaps, replay, holdBack);
  }

  /** The client cannot be brought up to date: it gets the latest tick and is told of the gap. */
  private static void gap(
      String symbol, TickEvent latest, List<TickEvent> snapshot, List<String> gaps) {
    if (latest != null) {
      snapshot.add(latest);
    }
    gaps.add(symbol);
  }
}
