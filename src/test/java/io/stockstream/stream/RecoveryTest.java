package io.stockstream.stream;

import static io.stockstream.support.Eventually.eventually;
import static io.stockstream.support.Frames.assertConsecutive;
import static io.stockstream.support.Frames.indexOf;
import static io.stockstream.support.Frames.seqs;
import static io.stockstream.support.Frames.seqsAfter;
import static io.stockstream.support.Frames.snapshotSeq;
import static io.stockstream.support.Frames.snapshotSymbols;
import static io.stockstream.support.Frames.tickAtLeast;
import static io.stockstream.support.OnOneContext.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.market.MarketData;
import io.stockstream.support.Http;
import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Resuming after a reconnect with {@code since} and {@code epoch}: replay, or gap and snapshot. */
@ExtendWith(VertxExtension.class)
class RecoveryTest {

  private static final Map<String, String> FAST =
      Map.of("STOCKSTREAM_TICK_INTERVAL_MS", "10", "STOCKSTREAM_SYMBOLS", "AAPL,MSFT");

  /** What a client kept from its first connection. */
  private record Seen(String epoch, long seq) {}

  @Test
  void reconnectWithSinceAndEpochReplaysEveryMissedTickInOrder(Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, FAST)
                .compose(
                    node ->
                        firstConnection(vertx, node)
                            .compose(
                                seen ->
                                    restSeqAbove(vertx, node, "AAPL", seen.seq() + 10, 5)
                                        .compose(
                                            missedUpTo ->
                                                resume(
                                                    vertx,
                                                    ctx,
                                                    node,
                                                    since(seen.seq(), seen.epoch()),
                                                    seen.seq(),
                                                    missedUpTo)))));
  }

  @Test
  void sinceWithoutEpochIsTakenAsTheCurrentEpoch(Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, FAST)
                .compose(
                    node ->
                        firstConnection(vertx, node)
                            .compose(
                                seen ->
                                    restSeqAbove(vertx, node, "AAPL", seen.seq() + 10, 5)
                                        .compose(
                                            missedUpTo ->
                                                resume(
                                                    vertx,
                                                    ctx,
                                                    node,
                                                    since(seen.seq(), null),
                                                    seen.seq(),
                                                    missedUpTo)))));
  }

  @Test
  void sinceBeyondAnythingPublishedIsAGapFilledBySnapshot(Vertx vertx, VertxTestContext ctx) {
    // A numbering the node never reached is not ours: holding the symbol back would starve it.
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, FAST)
                .compose(
                    node ->
                        firstConnection(vertx, node)
                            .compose(
                                seen ->
                                    gap(
                                        vertx,
                                        ctx,
                                        node,
                                        since(seen.seq() + 1_000_000, seen.epoch()),
                                        seen.seq()))));
  }

  @Test
  void sinceFromAnotherEpochIsAGapFilledBySnapshot(Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, FAST)
                .compose(
                    node ->
                        firstConnection(vertx, node)
                            .compose(
                                seen ->
                                    restSeqAbove(vertx, node, "AAPL", seen.seq() + 10, 5)
                                        .compose(
                                            r ->
                                                gap(
                                                    vertx,
                                                    ctx,
                                                    node,
                                                    since(seen.seq(), "not-" + seen.epoch()),
                                                    r)))));
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void sinceOlderThanTheHistoryIsAGapFilledBySnapshot(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    // The fastest feed (1 tick/ms) still needs capacity ms to wrap the history: ~10 s.
    int capacity = MarketData.historyCapacity(1);
    Map<String, String> env =
        Map.of("STOCKSTREAM_TICK_INTERVAL_MS", "1", "STOCKSTREAM_SYMBOLS", "AAPL");
    run(
        vertx,
        ctx,
        () -> {
          ctx.verify(() -> assertThat(capacity).isGreaterThanOrEqualTo(1000));
          return TestNode.start(vertx, env)
              .compose(
                  node ->
                      firstConnection(vertx, node)
                          .compose(
                              seen ->
                                  restSeqAbove(vertx, node, "AAPL", capacity + 500L, 45)
                                      .compose(
                                          r ->
                                              gap(
                                                  vertx,
                                                  ctx,
                                                  node,
                                                  since(seen.seq(), seen.epoch()),
                                                  r))));
        });
  }

  // ---- steps ------------------------------------------------------------------------------------

  /** Connects, sees a few AAPL ticks, remembers the epoch and the last seq, and disconnects. */
  private static Future<Seen> firstConnection(Vertx vertx, TestNode node) {
    return WsClient.connect(vertx, node.port(), "/ws?symbols=AAPL")
        .compose(
            c ->
                c.next("welcome")
                    .compose(
                        w ->
                            c.next("subscribed")
                                .compose(s -> tickAtLeast(c, "AAPL", snapshotSeq(s, "AAPL") + 3))
                                .map(t -> new Seen(w.getString("epoch"), t.getLong("seq"))))
                    .compose(seen -> c.close().map(seen)));
  }

  /**
   * Reconnects with {@code since} for AAPL (and MSFT without since): AAPL must be absent from the
   * snapshot with no gap, then its ticks must run from {@code seenSeq + 1} without hole or
   * duplicate until past {@code missedUpTo}, the newest tick published before the reconnect.
   */
  private static Future<Void> resume(
      Vertx vertx,
      VertxTestContext ctx,
      TestNode node,
      JsonObject since,
      long seenSeq,
      long missedUpTo) {
    return WsClient.connect(vertx, node.port(), "/ws")
        .compose(
            c ->
                c.next("welcome")
                    .compose(
                        w -> c.send(since.put("symbols", new JsonArray().add("AAPL").add("MSFT"))))
                    .compose(v -> c.next("subscribed"))
                    .compose(
                        s -> {
                          ctx.verify(
                              () -> {
                                assertThat(s.getValue("ref")).isEqualTo("resume");
                                assertThat(s.getJsonArray("symbols").getList())
                                    .containsExactly("AAPL", "MSFT");
                                assertThat(snapshotSymbols(s)).containsExactly("MSFT");
                                assertThat(s.getJsonArray("gaps")).isNotNull().isEmpty();
                              });
                          return tickAtLeast(c, "AAPL", missedUpTo + 5)
                              .map(
                                  t -> {
                                    List<JsonObject> all = c.received();
                                    int at = indexOf(all, s);
                                    ctx.verify(
                                        () -> {
                                          assertThat(seqs(all.subList(0, at), "AAPL")).isEmpty();
                                          assertConsecutive(
                                              seqs(all.subList(at, all.size()), "AAPL"),
                                              seenSeq + 1);
                                        });
                                    return null;
                                  });
                        }));
  }

  /**
   * Reconnects with a {@code since} the node cannot serve: AAPL must be in {@code gaps}, its latest
   * tick (at least {@code latestAtLeast}) in the snapshot, and the ticks after it must follow on
   * from that snapshot, none older.
   */
  private static Future<Void> gap(
      Vertx vertx, VertxTestContext ctx, TestNode node, JsonObject since, long latestAtLeast) {
    return WsClient.connect(vertx, node.port(), "/ws")
        .compose(
            c ->
                c.next("welcome")
                    .compose(w -> c.send(since.put("symbols", new JsonArray().add("aapl"))))
                    .compose(v -> c.next("subscribed"))
                    .compose(
                        s -> {
                          ctx.verify(
                              () -> {
                                assertThat(s.getJsonArray("gaps").getList())
                                    .containsExactly("AAPL");
                                assertThat(snapshotSymbols(s)).containsExactly("AAPL");
                                assertThat(snapshotSeq(s, "AAPL"))
                                    .isGreaterThanOrEqualTo(latestAtLeast);
                              });
                          long latest = snapshotSeq(s, "AAPL");
                          return seqsAfter(c, s, "AAPL", latest + 20)
                              .map(
                                  seqs -> {
                                    ctx.verify(() -> assertConsecutive(seqs, latest + 1));
                                    return null;
                                  });
                        }));
  }

  private static JsonObject since(long seq, String epoch) {
    JsonObject f =
        new JsonObject()
            .put("op", "subscribe")
            .put("since", new JsonObject().put("AAPL", seq))
            .put("ref", "resume");
    if (epoch != null) {
      f.put("epoch", epoch);
    }
    return f;
  }

  /** Polls {@code GET /api/quotes/{symbol}} until its seq exceeds {@code min}; returns that seq. */
  private static Future<Long> restSeqAbove(
      Vertx vertx, TestNode node, String symbol, long min, int timeoutSeconds) {
    return eventually(
        vertx,
        timeoutSeconds * 1000L,
        () ->
            Http.get(vertx, node.port(), "/api/quotes/" + symbol).map(r -> r.json().getLong("seq")),
        seq -> seq > min);
  }
}
