package io.stockstream.cluster;

import java.util.UUID;

/**
 * The newest feed term this node has seen and the leader that holds it: ticks and lease requests
 * under an older term, or from another member under the same one, come from a deposed leader.
 */
public final class Terms {

  private long highest;
  private UUID holder;

  synchronized boolean admits(long term, UUID leader) {
    return term > highest || (term == highest && leader.equals(holder));
  }

  /** Records a term; a newer term replaces the older and its holder. */
  synchronized void seen(long term, UUID leader) {
    if (term > highest) {
      highest = term;
      holder = leader;
    }
  }

  synchronized long highest() {
    return highest;
  }
}
