package io.stockstream.cluster;

import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether this node's feed publishes. The cluster manager elects: the oldest member of a
 * majority leads, under a term taken atomically from the replicated map. A lease fences it: the
 * leader publishes only within a second of a majority having confirmed, in its own view, that it is
 * the oldest member and holds the newest term. A leader that was paused past the failure detection
 * finds its lease run out when it wakes, and the members that removed it refuse to renew it, so it
 * stands down before it makes another tick.
 */
public final class Leadership extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(Leadership.class);

  static final String LEASE = "stockstream.lease";
  static final long ROUND_MS = 200;

  /** Well inside Hazelcast's 3 s failure detection: a lease ends before a successor can start. */
  static final long LEASE_NANOS = 1_000_000_000L;

  private static final String TERM_KEY = "term";

  private final ClusterNode node;
  private final ExpectedMembers expected;
  private final Terms terms;
  private final ClusterMeters meters;
  private final String replyAddress = LEASE + ".reply." + UUID.randomUUID();

  private volatile long term;
  private volatile long leaseUntil;
  private boolean acquiring;
  private long round;
  private long roundStart;
  private final Set<UUID> confirmed = new HashSet<>();
  private long timer;

  public Leadership(ClusterNode node, ExpectedMembers expected, Terms terms, ClusterMeters meters) {
    this.node = node;
    this.expected = expected;
    this.terms = terms;
    this.meters = meters;
  }

  /** True while this node's feed may publish. Read from the feed's event loop. */
  public boolean leads() {
    return term != 0 && System.nanoTime() - leaseUntil < 0 && node.isOldest();
  }

  /**
   * Whether a batch this node published under {@code batchTerm} may reach its own clients: the node
   * still holds that term, and its lease held within the last lease period. A lease that lapsed a
   * moment ago (a slow round) does not cost the node's own clients ticks that every other node
   * took; one that lapsed seconds ago means the node was paused, and a successor may lead.
   */
  boolean ownBatchCounts(long batchTerm) {
    return batchTerm != 0
        && batchTerm == term
        && System.nanoTime() - leaseUntil < LEASE_NANOS
        && node.isOldest();
  }

  /** The term this node leads under, 0 when it holds none. */
  public long term() {
    return term;
  }

  @Override
  public Future<?> start() {
    MessageConsumer<JsonObject> requests = vertx.eventBus().consumer(LEASE, m -> answer(m.body()));
    MessageConsumer<JsonObject> replies =
        vertx.eventBus().consumer(replyAddress, m -> confirmation(m.body()));
    timer = vertx.setPeriodic(ROUND_MS, id -> round());
    return Future.all(requests.completion(), replies.completion());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    term = 0;
    return Future.succeededFuture();
  }

  private void round() {
    if (!node.running() || !node.isOldest() || node.members().size() < expected.quorum()) {
      standDown("not the oldest member of a majority");
      return;
    }
    if (term == 0) {
      acquire();
      return;
    }
    round++;
    roundStart = System.nanoTime();
    confirmed.clear();
    if (expected.quorum() <= 1) {
      leaseUntil = roundStart + LEASE_NANOS;
      return;
    }
    vertx
        .eventBus()
        .publish(
            LEASE,
            new JsonObject()
                .put("leader", node.id().toString())
                .put("term", term)
                .put("round", round)
                .put("reply", replyAddress));
  }

  /** Takes the next term: whatever term the last leader had, this one is greater. */
  private void acquire() {
    if (acquiring) {
      return;
    }
    acquiring = true;
    IMap<String, Object> market = node.hazelcast().getMap(ClusterBootstrap.MARKET_MAP);
    Future.fromCompletionStage(
            market.submitToKey(TERM_KEY, new FeedState.NextTerm()), vertx.getOrCreateContext())
        .onComplete(
            ar -> {
              acquiring = false;
              if (ar.failed()) {
                log.warn("feed: could not take a term: {}", ar.cause().toString());
                return;
              }
              long next = ar.result();
              terms.seen(next, node.id());
              term = next;
              if (next > 1) {
                meters.failover();
              }
              log.info("feed: elected under term {}", next);
              round();
            });
  }

  /** Another member asks whether it still leads: yes only if this node's view agrees. */
  private void answer(JsonObject request) {
    UUID leader = UUID.fromString(request.getString("leader"));
    UUID me = node.id();
    if (me == null || leader.equals(me)) {
      return;
    }
    long asked = request.getLong("term");
    boolean ok = leader.equals(node.oldest()) && terms.admits(asked, leader);
    if (ok) {
      terms.seen(asked, leader);
    }
    vertx
        .eventBus()
        .send(
            request.getString("reply"),
            new JsonObject()
                .put("round", request.getLong("round"))
                .put("member", me.toString())
                .put("ok", ok)
                .put("term", terms.highest()));
  }

  private void confirmation(JsonObject reply) {
    if (term == 0 || reply.getLong("round") != round) {
      return;
    }
    if (!reply.getBoolean("ok")) {
      if (reply.getLong("term") > term || !node.isOldest()) {
        standDown("another member does not confirm this node as the leader");
      }
      return;
    }
    confirmed.add(UUID.fromString(reply.getString("member")));
    if (confirmed.size() + 1 >= expected.quorum()) {
      leaseUntil = roundStart + LEASE_NANOS;
    }
  }

  private void standDown(String why) {
    if (term != 0) {
      log.info("feed: standing down from term {}: {}", term, why);
    }
    term = 0;
    leaseUntil = 0;
  }
}
