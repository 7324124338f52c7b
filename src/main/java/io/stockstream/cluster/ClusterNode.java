package io.stockstream.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
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

  /** This member's id; Hazelcast gives a member that rejoins after a split a new one. */
  public UUID id() {
    return hazelcast.getCluster().getLocalMember().getUuid();
  }

  /** The members this node sees, oldest first (Hazelcast's member list is ordered by joining). */
  public Set<Member> members() {
    return hazelcast.getCluster().getMembers();
  }

  /** The member that has been in the cluster longest, as this node sees it. */
  public UUID oldest() {
    Iterator<Member> it = members().iterator();
    return it.hasNext() ? it.next().getUuid() : null;
  }

  public boolean isOldest() {
    return id().equals(oldest());
  }

  public boolean running() {
    return hazelcast.getLifecycleService().isRunning();
  }
}
