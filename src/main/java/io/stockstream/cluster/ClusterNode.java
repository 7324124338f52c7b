package io.stockstream.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import io.stockstream.config.Config;
import io.vertx.core.Vertx;
import java.util.Iterator;
import java.util.Set;
import java.util.UUID;

/**
 * This node's membership as Hazelcast sees it: who the members are, oldest first, and which of them
 * is the oldest, the one every member agrees should run the feed.
 */
public record ClusterNode(Vertx vertx, HazelcastInstance hazelcast, Config.Cluster settings) {

  /**
   * This member's id; Hazelcast gives a member that rejoins after a split a new one. Null once the
   * node has left.
   */
  public UUID id() {
    try {
      return hazelcast.getCluster().getLocalMember().getUuid();
    } catch (HazelcastInstanceNotActiveException left) {
      return null;
    }
  }

  /** The members this node sees, oldest first (Hazelcast's member list is ordered by joining). */
  public Set<Member> members() {
    try {
      return hazelcast.getCluster().getMembers();
    } catch (HazelcastInstanceNotActiveException left) {
      return Set.of();
    }
  }

  /** The member that has been in the cluster longest, as this node sees it. */
  public UUID oldest() {
    Iterator<Member> it = members().iterator();
    return it.hasNext() ? it.next().getUuid() : null;
  }

  public boolean isOldest() {
    UUID id = id();
    return id != null && id.equals(oldest());
  }

  public boolean running() {
    return hazelcast.getLifecycleService().isRunning();
  }
}
