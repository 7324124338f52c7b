package io.stockstream.stream;

import static io.stockstream.support.Frames.indexOf;
import static io.stockstream.support.Frames.seqs;
import static io.stockstream.support.OnOneContext.run;
import static io.stockstream.support.OnOneContext.runToCheckpoints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The frames a connection gets without asking: viewer counts and market open/close. */
@ExtendWith(VertxExtension.class)
class PresenceAndMarketTest {

  private static final Map<String, String> FAST =
      Map.of("STOCKSTREAM_TICK_INTERVAL_MS", "20", "STOCKSTREAM_SYMBOLS", "AAPL,MSFT");

  /** Slack for timer and delivery jitter on the at-most-once-a-second rule. */
  private static final long SLACK_MS = 200;

  @Test
  void secondViewerOfASymbolIsAnnouncedToItsSubscribersOnly(Vertx vertx, VertxTestContext ctx) {
    Checkpoint subscribersTold = ctx.checkpoint(2);
    Checkpoint othersNotTold = ctx.checkpoint();
    runToCheckpoints(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, FAST)
                .compose(node -> secondViewer(vertx, ctx, node, subscribersTold, othersNotTold)));
  }

  private static Future<Void> secondViewer(
      Vertx vertx,
      VertxTestContext ctx,
      TestNode node,
      Checkpoint subscribersTold,
      Checkpoint othersNotTold) {
    Future<WsClient> first = WsClient.connect(vertx, node.port(), "/ws?symbols=AAPL");
    Future<WsClient> other = WsClient.connect(vertx, node.port(), "/ws?symbols=MSFT");
    Future<WsClient> second =
        Future.all(first, other)
            .compose(v -> first.result().next(presence("AAPL", 1)))
            .compose(p -> WsClient.connect(vertx, node.port(), "/ws?symbols=aapl"));
    Future<JsonObject> firstTold = second.compose(b -> first.result().next(presence("AAPL", 2)));
    Future<JsonObject> secondTold = second.compose(b -> b.next(presence("AAPL", 2)));
    firstTold.onSuccess(
        p -> {
          ctx.verify(
              () ->
                  assertThat(p)
                      .isEqualTo(
                          new JsonObject()
                              .put("type", "presence")
                              .put("symbol", "AAPL")
                              .put("viewers", 2)));
          subscribersTold.flag();
        });
    secondTold.onSuccess(p -> subscribersTold.flag());
    return Future.all(firstTold, secondTold)
        .compose(
            told -> {
              // The MSFT-only client gets ticks made well after the AAPL count went out, and no
              // AAPL count.
              long later = System.currentTimeMillis() + 300;
              return other
                  .result()
                  .next(f -> "tick".equals(f.getString("type")) && f.getLong("ts") >= later);
            })
        .map(
            t -> {
              ctx.verify(
                  () ->
                      assertThat(presenceSymbols(other.result().received()))
                          .doesNotContain("AAPL"));
              othersNotTold.flag();
              return null;
            });
  }

  @Test
  void presenceOfASymbolComesAtMostOnceASecond(Vertx vertx, VertxTestContext ctx) {
    List<Long> arrivals = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    Promise<Void> sawFive = Promise.promise();
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, FAST)
                .compose(
                    node ->
                        WsClient.connect(vertx, node.port(), "/ws?symbols=AAPL")
                            .compose(
                                watcher -> {
                                  // Arrival times, taken as each frame comes off the socket.
                                  watcher
                                      .socket()
                                      .frameHandler(
                                          f -> {
                                            recordPresence(f, "AAPL", arrivals, counts);
                                            if (counts.contains(5)) {
                                              sawFive.tryComplete();
                                            }
                                          });
                                  return watcher
                                      .next(presence("AAPL", 1))
                                      // A crowd of three joins at once...
                                      .compose(p -> joinAll(vertx, node, 3))
                                      .compose(
                                          crowd ->
                                              watcher
                                                  .next(presence("AAPL", 4))
                                                  // ...then two more join and one leaves.
                                                  .compose(p -> joinAll(vertx, node, 2))
                                                  .compose(more -> crowd.get(0).close())
                                                  .compose(v -> watcher.next(presence("AAPL", 5)))
                                                  // the frame handler runs after the text one
                                                  .compose(p -> sawFive.future()));
                                }))
                .map(
                    last -> {
                      ctx.verify(
                          () -> {
                            // One frame per wave, not one per join or leave.
                            assertThat(counts).containsExactly(1, 4, 5);
                            for (int i = 1; i < arrivals.size(); i++) {
                              long gapMs = (arrivals.get(i) - arrivals.get(i - 1)) / 1_000_000;
                              assertThat(gapMs)
                                  .as("gap before presence #%d", i + 1)
                                  .isGreaterThanOrEqualTo(1000 - SLACK_MS);
                            }
                          });
                      return null;
                    }));
  }

  @Test
  void everyConnectionIsToldWhenTheMarketClosesAndOpens(Vertx vertx, VertxTestContext ctx) {
    Map<String, String> env =
        Map.of(
            "STOCKSTREAM_TICK_INTERVAL_MS", "10",
            "STOCKSTREAM_SYMBOLS", "AAPL,MSFT",
            "STOCKSTREAM_MARKET_SCHEDULE", "cycle:400/400");
    Checkpoint told = ctx.checkpoint(2);
    Checkpoint quietWhileClosed = ctx.checkpoint();
    runToCheckpoints(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, env)
                .compose(
                    node ->
                        Future.all(
                            WsClient.connect(vertx, node.port(), "/ws"),
                            WsClient.connect(vertx, node.port(), "/ws?symbols=AAPL")))
                .compose(
                    both -> {
                      WsClient idle = both.resultAt(0);
                      WsClient subscriber = both.resultAt(1);
                      return Future.all(
                              closesThenOpens(ctx, idle).onSuccess(x -> told.flag()),
                              closesThenOpens(ctx, subscriber).onSuccess(x -> told.flag()))
                          .compose(
                              cycles -> {
                                List<JsonObject> closedOpen = cycles.resultAt(1);
                                return subscriber
                                    .next(
                                        f ->
                                            "tick".equals(f.getString("type"))
                                                && f.getLong("ts")
                                                    >= closedOpen.get(1).getLong("ts"))
                                    .map(
                                        t -> {
                                          List<JsonObject> all = subscriber.received();
                                          int closedAt = indexOf(all, closedOpen.get(0));
                                          int openAt = indexOf(all, closedOpen.get(1));
                                          ctx.verify(
                                              () -> {
                                                // The feed is quiet while the market is closed.
                                                assertThat(
                                                        seqs(all.subList(closedAt, openAt), "AAPL"))
                                                    .isEmpty();
                                                assertThat(
                                                        seqs(
                                                            all.subList(openAt, all.size()),
                                                            "AAPL"))
                                                    .isNotEmpty();
                                              });
                                          quietWhileClosed.flag();
                                          return null;
                                        });
                              });
                    }));
  }

  /** Waits for a {@code closed} market frame, then an {@code open} one after it. */
  private static Future<List<JsonObject>> closesThenOpens(VertxTestContext ctx, WsClient c) {
    return c.next(market("closed", 0))
        .compose(
            closed ->
                c.next(market("open", closed.getLong("ts") + 1))
                    .map(
                        open -> {
                          ctx.verify(
                              () -> {
                                assertThat(closed.fieldNames())
                                    .containsExactlyInAnyOrder("type", "status", "ts");
                                assertThat(closed.getLong("ts"))
                                    .isCloseTo(System.currentTimeMillis(), within(5_000L));
                                // Closed for 400 ms; the feed checks its schedule every 2 ms.
                                assertThat(open.getLong("ts") - closed.getLong("ts"))
                                    .isBetween(300L, 800L);
                              });
                          return List.of(closed, open);
                        }));
  }

  @Test
  void welcomeCarriesTheMarketStatusOpenByDefault(Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, FAST)
                .compose(node -> WsClient.connect(vertx, node.port(), "/ws"))
                .compose(c -> c.next("welcome"))
                .map(
                    w -> {
                      ctx.verify(() -> assertThat(w.getString("market")).isEqualTo("open"));
                      return null;
                    }));
  }

  @Test
  void welcomeCarriesTheMarketStatusClosedWhileClosed(Vertx vertx, VertxTestContext ctx) {
    // Open for 200 ms, then closed for a minute: long enough to connect while it is closed.
    Map<String, String> env =
        Map.of(
            "STOCKSTREAM_TICK_INTERVAL_MS", "20",
            "STOCKSTREAM_SYMBOLS", "AAPL",
            "STOCKSTREAM_MARKET_SCHEDULE", "cycle:200/60000");
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, env)
                .compose(
                    node ->
                        WsClient.connect(vertx, node.port(), "/ws")
                            // it may have closed before this first client got in
                            .compose(
                                first ->
                                    first.next(
                                        f ->
                                            market("closed", 0).test(f)
                                                || ("welcome".equals(f.getString("type"))
                                                    && "closed".equals(f.getString("market")))))
                            .compose(closed -> WsClient.connect(vertx, node.port(), "/ws"))
                            .compose(second -> second.next("welcome")))
                .map(
                    w -> {
                      ctx.verify(() -> assertThat(w.getString("market")).isEqualTo("closed"));
                      return null;
                    }));
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static Predicate<JsonObject> presence(String symbol, int viewers) {
    return f ->
        "presence".equals(f.getString("type"))
            && symbol.equals(f.getString("symbol"))
            && Integer.valueOf(viewers).equals(f.getInteger("viewers"));
  }

  private static Predicate<JsonObject> market(String status, long notBefore) {
    return f ->
        "market".equals(f.getString("type"))
            && status.equals(f.getString("status"))
            && f.getLong("ts") >= notBefore;
  }

  private static List<String> presenceSymbols(List<JsonObject> frames) {
    return frames.stream()
        .filter(f -> "presence".equals(f.getString("type")))
        .map(f -> f.getString("symbol"))
        .toList();
  }

  private static void recordPresence(
      WebSocketFrame f, String symbol, List<Long> arrivals, List<Integer> counts) {
    if (f.isText() && f.isFinal()) {
      JsonObject j = new JsonObject(f.textData());
      if ("presence".equals(j.getString("type")) && symbol.equals(j.getString("symbol"))) {
        arrivals.add(System.nanoTime());
        counts.add(j.getInteger("viewers"));
      }
    }
  }

  /** Connects {@code n} clients subscribed to AAPL at once; completes when all are subscribed. */
  private static Future<List<WsClient>> joinAll(Vertx vertx, TestNode node, int n) {
    List<Future<WsClient>> joins = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      joins.add(
          WsClient.connect(vertx, node.port(), "/ws?symbols=AAPL")
              .compose(c -> c.next("subscribed").map(c)));
    }
    return Future.all(joins).map(all -> all.list());
  }
}
