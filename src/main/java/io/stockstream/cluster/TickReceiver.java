package io.stockstream.cluster;

import com.hazelcast.cluster.MembershipAdapter;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import io.stockstream.market.MarketData;
import io.stockstream.metrics.Meters;
import io.stockstream.protocol.Addresses;
import io.stockstream.protocol.EpochNanos;
import io.stockstream.protocol.TickBatch;
import io.stockstream.protocol.TickEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one writer of its market in a cluster: takes the leader's batches off the clustered
 * bus, drops what a deposed leader sent and what this node already holds, records the rest and
 * hands it to the node's fan-out on the local bus. On start it copies the history of a peer, and
 * once filled it serves its own to nodes that join later. A batch that skips seqs (this node was
 * paused, or cut off) waits until the missing ticks are copied from the leader, so that its clients
 * get every tick, in order.
 */
public final class TickReceiver extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(TickReceiver.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  static final String HISTORY = "stockstream.history";

  /** About this many ticks per history reply: a few hundred KB on the bus at a time. */
  private static final int TICKS_PER_REPLY = 4_000;

  private static final long RETRY_MS = 1_000;

  /** Batches that wait while a hole is mended: minutes of a feed at its fastest step. */
  private static final int MAX_WAITING = 10_000;

  private static final long MEND_TIMEOUT_MS = 5_000;
  private static final UUID HISTORY_SENDER = new UUID(0, 0);

  private final ClusterNode node;
  private final Leadership leadership;
  private final Terms terms;
  private final MarketData market;
  private final Meters meters;
  private final ClusterMeters clusterMeters;
  private final int symbolsPerReply;
  private volatile boolean filled;
  private long dropped;
  private boolean mending;
  private final ArrayDeque<Buffer> waiting = new ArrayDeque<>();
  private UUID membership;
  private UUID asked;
  private Promise<List<TickEvent>> askedAnswer;

  public TickReceiver(
      ClusterNode node,
      Leadership leadership,
      Terms terms,
      MarketData market,
      Meters meters,
      ClusterMeters clusterMeters,
      int historyCapacity) {
    this.node = node;
    this.leadership = leadership;
    this.terms = terms;
    this.market = market;
    this.meters = meters;
    this.clusterMeters = clusterMeters;
    this.symbolsPerReply = Math.max(1, TICKS_PER_REPLY / historyCapacity);
  }

  /** True once this node holds the history a peer had when it joined. */
  public boolean filled() {
    return filled;
  }

  @Override
  public Future<?> start() {
    Context verticle = context;
    membership =
        node.hazelcast()
            .getCluster()
            .addMembershipListener(
                new MembershipAdapter() {
                  @Override
                  public void memberRemoved(MembershipEvent event) {
                    UUID gone = event.getMember().getUuid();
                    verticle.runOnContext(v -> memberLeft(gone));
                  }
                });
    return vertx
        .eventBus()
        .<Buffer>consumer(ClusterFeedOutput.TICKS, m -> onBatch(m.body()))
        .completion()
        .onSuccess(v -> fill(0));
  }

  private void onBatch(Buffer bytes) {
    if (mending) {
      if (waiting.size() < MAX_WAITING) {
        waiting.add(bytes);
      } else if (dropped++ % 1000 == 0) {
        log.warn("cluster: {} batches wait for a hole to be mended; dropping more", MAX_WAITING);
      }
      return;
    }
    TickWire.Batch batch;
    try {
      batch = TickWire.decode(bytes, market);
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      log.warn("cluster: dropped a tick batch that does not decode: {}", e.toString());
      return;
    }
    TickWire.Header h = batch.header();
    boolean own = h.leader().equals(node.id());
    // A batch of this node's own feed counts only under its lease: one made just before a pause
    // must not reach its own clients after the cluster has moved on.
    if (own ? !leadership.ownBatchCounts(h.term()) : !terms.admits(h.term(), h.leader())) {
      if (dropped++ % 1000 == 0) {
        log.info("cluster: dropped ticks from a deposed leader (term {})", h.term());
      }
      return;
    }
    terms.seen(h.term(), h.leader());
    JsonArray holes = holes(batch.ticks(), market);
    if (holes.isEmpty()) {
      record(batch.ticks(), true);
    } else {
      mend(batch, holes, h.leader());
    }
  }

  /**
   * The symbols whose ticks in {@code ticks} skip a seq after what the market holds. A symbol that
   * ticked more than once in a step has consecutive seqs in one batch: each is checked against the
   * one before it, not against the market, which records none of them until the batch is whole.
   */
  static JsonArray holes(List<TickEvent> ticks, MarketData market) {
    JsonArray holes = new JsonArray();
    Map<Integer, Long> seen = new HashMap<>();
    for (TickEvent e : ticks) {
      Long before = seen.put(e.index(), e.seq());
      long held = Math.max(before != null ? before : 0, market.latestSeq(e.index()));
      if (held != 0 && e.seq() > held + 1 && !holes.contains(e.index())) {
        holes.add(e.index());
      }
    }
    return holes;
  }

  /** Records the ticks newer than what the node holds and hands them to the fan-out. */
  private void record(List<TickEvent> ticks, boolean live) {
    long now = EpochNanos.of(Instant.now());
    List<TickEvent> fresh = new ArrayList<>(ticks.size());
    for (TickEvent e : ticks) {
      if (e.seq() > market.latestSeq(e.index())) {
        market.append(e);
        fresh.add(e);
        // Every node counts the market's ticks, so that each one's dashboard and alerts read alike.
        meters.tickPublished(e.index());
        if (live) {
          clusterMeters.busLag(now - e.madeNanos());
        }
      }
    }
    if (!fresh.isEmpty()) {
      vertx.eventBus().publish(Addresses.TICKS, new TickBatch(fresh), LOCAL);
    }
  }

  /**
   * Copies the ticks this node missed of the symbols in {@code holes} from the leader, records
   * them, then the batch, then the batches that came meanwhile. A leader that leaves the cluster
   * meanwhile cannot answer: the hole is asked of any member that serves a history, at once rather
   * than when the request times out, as the new leader's batches wait behind it. If no one can
   * tell, the batch goes on with its hole, which the node's clients see as a gap.
   */
  private void mend(TickWire.Batch batch, JsonArray holes, UUID leader) {
    mending = true;
    log.info("cluster: a batch skips seqs of {}; copying them from the leader", holes);
    ask(HISTORY + "." + leader, holes, leader)
        .recover(e -> e instanceof MemberLeft ? ask(HISTORY, holes, null) : Future.failedFuture(e))
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                record(ar.result(), false);
              } else {
                log.warn("cluster: could not mend a hole in {}: {}", holes, ar.cause().toString());
              }
              record(batch.ticks(), true);
              mending = false;
              while (!mending && !waiting.isEmpty()) {
                onBatch(waiting.poll());
              }
            });
  }

  /**
   * Asks {@code address} for the ticks held of {@code symbols}; the answer fails early if {@code
   * member}, the one it is asked of, leaves the cluster first.
   */
  private Future<List<TickEvent>> ask(String address, JsonArray symbols, UUID member) {
    Promise<List<TickEvent>> answer = Promise.promise();
    asked = member;
    askedAnswer = answer;
    vertx
        .eventBus()
        .<Buffer>request(
            address,
            new JsonObject().put("symbols", symbols),
            new DeliveryOptions().setSendTimeout(MEND_TIMEOUT_MS))
        // Decoded inside the future: bytes that do not decode fail the mend, not the handler,
        // which would leave every later batch waiting.
        .map(reply -> TickWire.decode(reply.body(), market).ticks())
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                answer.tryComplete(ar.result());
              } else {
                answer.tryFail(ar.cause());
              }
            });
    return answer
        .future()
        .andThen(
            ar -> {
              asked = null;
              askedAnswer = null;
            });
  }

  /** On this verticle's context: a member left, perhaps the one a mend waits on. */
  private void memberLeft(UUID member) {
    if (askedAnswer != null && member.equals(asked)) {
      askedAnswer.tryFail(new MemberLeft(member));
    }
  }

  /** The member a mend was asked of left the cluster before it answered. */
  private static final class MemberLeft extends VertxException {
    MemberLeft(UUID member) {
      super("member " + member + " left the cluster before it answered", true);
    }
  }

  @Override
  public Future<?> stop() {
    try {
      node.hazelcast().getCluster().removeMembershipListener(membership);
    } catch (HazelcastInstanceNotActiveException left) {
      // The instance went first, and its listeners with it.
    }
    return Future.succeededFuture();
  }

  /** Copies a peer's history, a few symbols per request, then starts serving its own. */
  private void fill(int from) {
    if (from >= market.size()) {
      serveHistory();
      return;
    }
    int to = Math.min(market.size(), from + symbolsPerReply);
    vertx
        .eventBus()
        .<Buffer>request(HISTORY, new JsonObject().put("from", from).put("to", to))
        .map(reply -> TickWire.decode(reply.body(), market).ticks())
        .onSuccess(
            ticks -> {
              ticks.forEach(market::fill);
              fill(to);
            })
        .onFailure(
            e -> {
              if (from == 0
                  && e instanceof ReplyException r
                  && r.failureType() == ReplyFailure.NO_HANDLERS) {
                // No member serves a history: this is the first node of the market.
                serveHistory();
                return;
              }
              log.info("cluster: history fill from symbol {} failed ({}), retrying", from, e);
              vertx.setTimer(RETRY_MS, id -> fill(from));
            });
  }

  /**
   * Serves this node's history on the shared address (to members that join) and on its own (to
   * members that mend a hole from the leader).
   */
  private void serveHistory() {
    Future.all(
            vertx.eventBus().<JsonObject>consumer(HISTORY, this::history).completion(),
            vertx
                .eventBus()
                .<JsonObject>consumer(HISTORY + "." + node.id(), this::history)
                .completion())
        .onSuccess(
            v -> {
              filled = true;
              log.info("cluster: history filled, serving it to joining members");
            })
        // Never ready, then: the readiness probe says why, and this line says what.
        .onFailure(e -> log.error("cluster: cannot serve the history: {}", e.toString()));
  }

  /** Every tick held of the symbols asked for: a range {@code from}-{@code to}, or a list. */
  private void history(Message<JsonObject> request) {
    JsonObject body = request.body();
    List<Integer> symbols = new ArrayList<>();
    JsonArray listed = body.getJsonArray("symbols");
    if (listed != null) {
      listed.forEach(i -> symbols.add(((Number) i).intValue()));
    } else {
      for (int i = body.getInteger("from"); i < body.getInteger("to"); i++) {
        symbols.add(i);
      }
    }
    List<TickEvent> ticks = new ArrayList<>();
    for (int i : symbols) {
      if (i >= 0 && i < market.size()) {
        ticks.addAll(market.held(i));
      }
    }
    // Under no term: a copy of history, not a feed's batch.
    request.reply(TickWire.encode(HISTORY_SENDER, 0, ticks));
  }
}
