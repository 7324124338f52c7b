package io.stockstream.stream;

import static io.stockstream.support.Eventually.eventually;
import static io.stockstream.support.Frames.assertConsecutive;
import static io.stockstream.support.Frames.indexOf;
import static io.stockstream.support.Frames.ping;
import static io.stockstream.support.Frames.seqs;
import static io.stockstream.support.Frames.seqsAfter;
import static io.stockstream.support.Frames.snapshotSeq;
import static io.stockstream.support.Frames.snapshotSymbols;
import static io.stockstream.support.Frames.subscribe;
import static io.stockstream.support.Frames.tickAtLeast;
import static io.stockstream.support.Frames.types;
import static io.stockstream.support.Frames.unsubscribe;
import static io.stockstream.support.OnOneContext.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Welcome, subscribe, unsubscribe, ping and the subscription gauges, over a real node. */
@ExtendWith(VertxExtension.class)
class SubscriptionTest {

  private static final Map<String, String> FAST =
      Map.of("STOCKSTREAM_TICK_INTERVAL_MS", "10", "STOCKSTREAM_SYMBOLS", "AAPL,MSFT,NVDA");

  private static final List<String> TICK_FIELDS =
      List.of(
          "type",
          "symbol",
          "seq",
          "price",
          "open",
          "high",
          "low",
          "change",
          "changePct",
          "volume",
          "ts");

  @Test
  void welcomeIsTheFirstFrameAndDescribesTheNode(Vertx vertx, VertxTestContext ctx) {
    long before = System.currentTimeMillis();
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, FAST)
                .compose(
                    node ->
                        Future.all(
                            WsClient.connect(vertx, node.port(), "/ws?symbols=aapl"),
                            WsClient.connect(vertx, node.port(), "/ws")))
                .compose(
                    both -> {
                      WsClient a = both.resultAt(0);
                      WsClient b = both.resultAt(1);
                      // a is subscribed, so ticks race the welcome: it must still come first.
                      return a.nextTick("AAPL")
                          .compose(t -> b.next("welcome"))
                          .map(
                              wb -> {
                                long after = System.currentTimeMillis();
                                ctx.verify(
                                    () -> {
                                      JsonObject wa = a.received().get(0);
                                      assertThat(wa.getString("type")).isEqualTo("welcome");
                                      assertThat(wa.getValue("protocol")).isEqualTo(1);
                                      assertThat(wa.getString("connectionId")).isNotBlank();
                                      assertThat(wa.getString("epoch")).isNotBlank();
                                      assertThat(wa.getLong("serverTime")).isBetween(before, after);
                                      assertThat(wa.getJsonArray("symbols").getList())
                                          .containsExactly("AAPL", "MSFT", "NVDA");
                                      assertThat(b.received().get(0)).isSameAs(wb);
                                      assertThat(wb.getString("connectionId"))
                                          .isNotEqualTo(wa.getString("connectionId"));
                                      assertThat(wb.getString("epoch"))
                                          .isEqualTo(wa.getString("epoch"));
                                    });
                                return null;
                              });
                    }));
  }

  @Test
  void subscribeEchoesRefUpperCasesSymbolsAndSnapshotsTheLatestTicks(
      Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            connect(vertx, FAST, "/ws")
                .compose(
                    c ->
                        c.send(subscribe(7, "aapl", "Msft", "AAPL"))
                            .compose(v -> c.next("subscribed"))
                            .compose(
                                s -> {
                                  ctx.verify(
                                      () -> {
                                        assertThat(s.getValue("ref")).isEqualTo(7);
                                        assertThat(s.getJsonArray("symbols").getList())
                                            .containsExactly("AAPL", "MSFT");
                                        JsonArray snapshot = s.getJsonArray("snapshot");
                                        assertThat(snapshot).hasSize(2);
                                        assertTick(snapshot.getJsonObject(0), "AAPL");
                                        assertTick(snapshot.getJsonObject(1), "MSFT");
                                      });
                                  long aapl = snapshotSeq(s, "AAPL");
                                  long msft = snapshotSeq(s, "MSFT");
                                  return Future.all(c.nextTick("AAPL"), c.nextTick("MSFT"))
                                      .map(
                                          ticks -> {
                                            ctx.verify(
                                                () -> {
                                                  // Latest: the next tick is the very next seq.
                                                  JsonObject a = ticks.resultAt(0);
                                                  JsonObject m = ticks.resultAt(1);
                                                  assertTick(a, "AAPL");
                                                  assertThat(a.getLong("seq")).isEqualTo(aapl + 1);
                                                  assertThat(m.getLong("seq")).isEqualTo(msft + 1);
                                                });
                                            return null;
                                          });
                                })));
  }

  @Test
  void ticksFollowWithConsecutiveSeqPerSymbolOnAFastConsumer(Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            connect(vertx, FAST, "/ws?symbols=AAPL,MSFT,NVDA")
                .compose(
                    c ->
                        c.next("subscribed")
                            .compose(
                                s ->
                                    Future.all(
                                            tickAtLeast(c, "AAPL", snapshotSeq(s, "AAPL") + 40),
                                            tickAtLeast(c, "MSFT", snapshotSeq(s, "MSFT") + 40),
                                            tickAtLeast(c, "NVDA", snapshotSeq(s, "NVDA") + 40))
                                        .map(
                                            all -> {
                                              ctx.verify(
                                                  () -> {
                                                    for (String sym :
                                                        List.of("AAPL", "MSFT", "NVDA")) {
                                                      assertConsecutive(
                                                          seqs(c.received(), sym),
                                                          snapshotSeq(s, sym) + 1);
                                                    }
                                                  });
                                              return null;
                                            }))));
  }

  @Test
  void subscribingAgainIsNotAnErrorAndDuplicatesNothing(Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, FAST)
                .compose(
                    node ->
                        WsClient.connect(vertx, node.port(), "/ws?symbols=AAPL")
                            .compose(
                                c ->
                                    c.next("subscribed")
                                        .compose(
                                            first -> {
                                              long start = snapshotSeq(first, "AAPL");
                                              return c.nextTick("AAPL")
                                                  .compose(
                                                      t -> c.send(subscribe(2, "aapl", "msft")))
                                                  .compose(v -> c.next("subscribed"))
                                                  .compose(
                                                      again -> {
                                                        ctx.verify(
                                                            () -> {
                                                              assertThat(again.getValue("ref"))
                                                                  .isEqualTo(2);
                                                              assertThat(
                                                                      again
                                                                          .getJsonArray("symbols")
                                                                          .getList())
                                                                  .containsExactly("AAPL", "MSFT");
                                                              assertThat(snapshotSymbols(again))
                                                                  .containsExactly("MSFT");
                                                            });
                                                        return c.send(subscribe(3, "AAPL"));
                                                      })
                                                  .compose(v -> c.next("subscribed"))
                                                  .compose(
                                                      third -> {
                                                        ctx.verify(
                                                            () -> {
                                                              assertThat(third.getValue("ref"))
                                                                  .isEqualTo(3);
                                                              assertThat(snapshotSymbols(third))
                                                                  .isEmpty();
                                                            });
                                                        return tickAtLeast(c, "AAPL", start + 40);
                                                      })
                                                  .compose(
                                                      t ->
                                                          eventually(
                                                              vertx,
                                                              "two subscriptions",
                                                              () ->
                                                                  node.metric(
                                                                          "stockstream_ws_subscriptions")
                                                                      == 2))
                                                  .map(
                                                      v -> {
                                                        ctx.verify(
                                                            () -> {
                                                              assertThat(types(c.received()))
                                                                  .doesNotContain("error");
                                                              assertConsecutive(
                                                                  seqs(c.received(), "AAPL"),
                                                                  start + 1);
                                                            });
                                                        return null;
                                                      });
                                            }))));
  }

  @Test
  void symbolsOnTheUrlSubscribeAtOnceWithoutRef(Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            connect(vertx, FAST, "/ws?symbols=aapl,msft")
                .compose(
                    c ->
                        c.next("subscribed")
                            .compose(
                                s -> {
                                  ctx.verify(
                                      () -> {
                                        assertThat(c.received().get(0).getString("type"))
                                            .isEqualTo("welcome");
                                        assertThat(s.containsKey("ref")).isFalse();
                                        assertThat(s.getJsonArray("symbols").getList())
                                            .containsExactly("AAPL", "MSFT");
                                        assertThat(snapshotSymbols(s))
                                            .containsExactly("AAPL", "MSFT");
                                      });
                                  return Future.all(c.nextTick("AAPL"), c.nextTick("MSFT"));
                                })));
  }

  @Test
  void unknownSymbolOnTheUrlIsAnErrorWithoutRef(Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            connect(vertx, FAST, "/ws?symbols=aapl,nope")
                .compose(c -> Future.all(c.next("subscribed"), c.next("error")))
                .map(
                    both -> {
                      JsonObject s = both.resultAt(0);
                      JsonObject e = both.resultAt(1);
                      ctx.verify(
                          () -> {
                            assertThat(s.getJsonArray("symbols").getList()).containsExactly("AAPL");
                            assertThat(e.getString("code")).isEqualTo("unknown_symbol");
                            assertThat(e.getJsonArray("symbols").getList()).containsExactly("NOPE");
                            assertThat(e.containsKey("ref")).isFalse();
                          });
                      return null;
                    }));
  }

  @Test
  void unsubscribingAnUnknownSymbolIsAnErrorButANotSubscribedOneIsNot(
      Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            connect(vertx, FAST, "/ws?symbols=AAPL")
                .compose(
                    c ->
                        c.next("subscribed")
                            .compose(s -> c.send(unsubscribe(1, "msft", "nope")))
                            .compose(v -> Future.all(c.next("unsubscribed"), c.next("error")))
                            .map(
                                both -> {
                                  JsonObject u = both.resultAt(0);
                                  JsonObject e = both.resultAt(1);
                                  ctx.verify(
                                      () -> {
                                        assertThat(u.getValue("ref")).isEqualTo(1);
                                        assertThat(u.getJsonArray("symbols").getList())
                                            .containsExactly("MSFT");
                                        assertThat(e.getString("code")).isEqualTo("unknown_symbol");
                                        assertThat(e.getValue("ref")).isEqualTo(1);
                                        assertThat(e.getJsonArray("symbols").getList())
                                            .containsExactly("NOPE");
                                      });
                                  return null;
                                })
                            // AAPL is still subscribed
                            .compose(v -> c.nextTick("AAPL"))));
  }

  @Test
  void unsubscribedSymbolStopsTicking(Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            connect(vertx, FAST, "/ws?symbols=AAPL,MSFT")
                .compose(
                    c ->
                        c.next("subscribed")
                            .compose(s -> c.nextTick("AAPL"))
                            .compose(t -> c.send(unsubscribe(8, "aapl")))
                            .compose(v -> c.next("unsubscribed"))
                            .compose(
                                u -> {
                                  ctx.verify(
                                      () -> {
                                        assertThat(u.getValue("ref")).isEqualTo(8);
                                        assertThat(u.getJsonArray("symbols").getList())
                                            .containsExactly("AAPL");
                                      });
                                  List<JsonObject> sofar = c.received();
                                  List<Long> msft = seqs(sofar, "MSFT");
                                  long last = msft.isEmpty() ? 0 : msft.get(msft.size() - 1);
                                  // 30 MSFT ticks: AAPL ticks at the same rate would show up.
                                  return tickAtLeast(c, "MSFT", last + 30)
                                      .map(
                                          t -> {
                                            List<JsonObject> all = c.received();
                                            int at = indexOf(all, u);
                                            ctx.verify(
                                                () -> {
                                                  assertThat(seqs(all.subList(0, at), "AAPL"))
                                                      .isNotEmpty();
                                                  assertThat(
                                                          seqs(all.subList(at, all.size()), "AAPL"))
                                                      .isEmpty();
                                                });
                                            return null;
                                          });
                                })));
  }

  @Test
  void resubscribingAfterUnsubscribeStartsFromAFreshSnapshot(Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            connect(vertx, FAST, "/ws?symbols=AAPL,MSFT")
                .compose(
                    c ->
                        c.next("subscribed")
                            .compose(s -> c.nextTick("AAPL"))
                            .compose(t -> c.send(unsubscribe(1, "AAPL")))
                            .compose(v -> c.next("unsubscribed"))
                            .compose(v -> c.send(subscribe(2, "AAPL")))
                            .compose(v -> c.next("subscribed"))
                            .compose(
                                again -> {
                                  ctx.verify(
                                      () ->
                                          assertThat(snapshotSymbols(again))
                                              .containsExactly("AAPL"));
                                  long from = snapshotSeq(again, "AAPL");
                                  return seqsAfter(c, again, "AAPL", from + 20)
                                      .map(
                                          seqs -> {
                                            ctx.verify(() -> assertConsecutive(seqs, from + 1));
                                            return null;
                                          });
                                })));
  }

  @Test
  void unknownSymbolIsAnErrorWhileTheKnownOnesAreSubscribed(Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            connect(vertx, FAST, "/ws")
                .compose(
                    c ->
                        c.send(subscribe(5, "aapl", "zzzz"))
                            .compose(v -> Future.all(c.next("subscribed"), c.next("error")))
                            .compose(
                                both -> {
                                  JsonObject s = both.resultAt(0);
                                  JsonObject e = both.resultAt(1);
                                  ctx.verify(
                                      () -> {
                                        assertThat(s.getValue("ref")).isEqualTo(5);
                                        assertThat(s.getJsonArray("symbols").getList())
                                            .containsExactly("AAPL");
                                        assertThat(snapshotSymbols(s)).containsExactly("AAPL");
                                        assertThat(e.getString("code")).isEqualTo("unknown_symbol");
                                        assertThat(e.getString("message")).isNotBlank();
                                        assertThat(e.getValue("ref")).isEqualTo(5);
                                        assertThat(e.getJsonArray("symbols").getList())
                                            .containsExactly("ZZZZ");
                                      });
                                  return tickAtLeast(c, "AAPL", snapshotSeq(s, "AAPL") + 3);
                                })
                            // Only unknown symbols: the error alone, no subscribed.
                            .compose(t -> c.send(subscribe("only", "QQQQ")))
                            .compose(v -> c.next("error"))
                            .compose(
                                e -> {
                                  ctx.verify(
                                      () -> {
                                        assertThat(e.getString("code")).isEqualTo("unknown_symbol");
                                        assertThat(e.getValue("ref")).isEqualTo("only");
                                        assertThat(e.getJsonArray("symbols").getList())
                                            .containsExactly("QQQQ");
                                      });
                                  return c.send(ping("after")).compose(v -> c.next("pong"));
                                })
                            .map(
                                pong -> {
                                  ctx.verify(
                                      () ->
                                          assertThat(
                                                  types(c.received()).stream()
                                                      .filter("subscribed"::equals))
                                              .hasSize(1));
                                  return null;
                                })));
  }

  @Test
  void tooManySubscriptionsSubscribesNothingOfThatRequest(Vertx vertx, VertxTestContext ctx) {
    Map<String, String> env = new HashMap<>(FAST);
    env.put("STOCKSTREAM_MAX_SUBSCRIPTIONS", "2");
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, env)
                .compose(
                    node ->
                        WsClient.connect(vertx, node.port(), "/ws")
                            .compose(
                                c ->
                                    c.send(subscribe(3, "aapl", "msft", "nvda"))
                                        .compose(v -> c.next("error"))
                                        .compose(
                                            e -> {
                                              ctx.verify(
                                                  () -> {
                                                    assertThat(e.getString("code"))
                                                        .isEqualTo("too_many_subscriptions");
                                                    assertThat(e.getValue("ref")).isEqualTo(3);
                                                  });
                                              return c.send(ping("p1"))
                                                  .compose(v -> c.next("pong"));
                                            })
                                        .compose(
                                            p -> {
                                              ctx.verify(
                                                  () -> {
                                                    assertThat(types(c.received()))
                                                        .containsExactly(
                                                            "welcome", "error", "pong");
                                                    assertThat(
                                                            node.metric(
                                                                "stockstream_ws_subscriptions"))
                                                        .isEqualTo(0.0);
                                                  });
                                              return c.send(subscribe(4, "aapl"))
                                                  .compose(v -> c.next("subscribed"));
                                            })
                                        .compose(v -> c.send(subscribe(5, "msft", "nvda")))
                                        .compose(v -> c.next("error"))
                                        .compose(
                                            e -> {
                                              ctx.verify(
                                                  () -> {
                                                    assertThat(e.getString("code"))
                                                        .isEqualTo("too_many_subscriptions");
                                                    assertThat(e.getValue("ref")).isEqualTo(5);
                                                  });
                                              // AAPL is already held: only MSFT is added.
                                              return c.send(subscribe(6, "aapl", "msft"))
                                                  .compose(v -> c.next("subscribed"));
                                            })
                                        .compose(
                                            s -> {
                                              ctx.verify(
                                                  () -> {
                                                    assertThat(s.getValue("ref")).isEqualTo(6);
                                                    assertThat(snapshotSymbols(s))
                                                        .containsExactly("MSFT");
                                                  });
                                              return tickAtLeast(
                                                  c, "MSFT", snapshotSeq(s, "MSFT") + 20);
                                            })
                                        .map(
                                            t -> {
                                              ctx.verify(
                                                  () -> {
                                                    assertThat(seqs(c.received(), "NVDA"))
                                                        .isEmpty();
                                                    assertThat(
                                                            node.metric(
                                                                "stockstream_ws_subscriptions"))
                                                        .isEqualTo(2.0);
                                                  });
                                              return null;
                                            }))));
  }

  @Test
  void pingIsAnsweredWithPongCarryingRefAndServerTime(Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            connect(vertx, FAST, "/ws")
                .compose(
                    c -> {
                      long before = System.currentTimeMillis();
                      return c.send(ping(9))
                          .compose(v -> c.next("pong"))
                          .compose(
                              pong -> {
                                long after = System.currentTimeMillis();
                                ctx.verify(
                                    () -> {
                                      assertThat(pong.getValue("ref")).isEqualTo(9);
                                      assertThat(pong.getLong("serverTime"))
                                          .isBetween(before, after);
                                    });
                                return c.sendText("{\"op\":\"ping\"}").compose(v -> c.next("pong"));
                              })
                          .map(
                              pong -> {
                                ctx.verify(
                                    () -> {
                                      assertThat(pong.containsKey("ref")).isFalse();
                                      assertThat(pong.getLong("serverTime")).isPositive();
                                    });
                                return null;
                              });
                    }));
  }

  @Test
  void refOfAnyJsonTypeIsEchoedUnchanged(Vertx vertx, VertxTestContext ctx) {
    JsonObject objectRef = new JsonObject().put("req", new JsonArray().add(1).add("two"));
    List<Object> refs =
        List.of(objectRef, "abc-1", new JsonArray().add(1).add(new JsonObject()), 3.5, true, -12);
    run(
        vertx,
        ctx,
        () ->
            connect(vertx, FAST, "/ws")
                .compose(
                    c -> {
                      Future<Void> chain = Future.succeededFuture();
                      for (Object ref : refs) {
                        chain =
                            chain
                                .compose(v -> c.send(ping(ref)))
                                .compose(v -> c.next("pong"))
                                .map(
                                    pong -> {
                                      ctx.verify(
                                          () -> assertThat(pong.getValue("ref")).isEqualTo(ref));
                                      return null;
                                    });
                      }
                      return chain
                          // null is a JSON value too, distinct from no ref at all
                          .compose(v -> c.sendText("{\"op\":\"ping\",\"ref\":null}"))
                          .compose(v -> c.next("pong"))
                          .compose(
                              pong -> {
                                ctx.verify(
                                    () -> {
                                      assertThat(pong.containsKey("ref")).isTrue();
                                      assertThat(pong.getValue("ref")).isNull();
                                    });
                                return c.send(subscribe(objectRef, "AAPL"))
                                    .compose(v -> c.next("subscribed"));
                              })
                          .compose(
                              s -> {
                                ctx.verify(
                                    () -> assertThat(s.getValue("ref")).isEqualTo(objectRef));
                                return c.send(unsubscribe("u-1", "AAPL"))
                                    .compose(v -> c.next("unsubscribed"));
                              })
                          .compose(
                              u -> {
                                ctx.verify(() -> assertThat(u.getValue("ref")).isEqualTo("u-1"));
                                return c.sendText(
                                        "{\"op\":\"subscribe\",\"symbols\":[],\"ref\":{\"k\":[true]}}")
                                    .compose(v -> c.next("error"));
                              })
                          .map(
                              e -> {
                                ctx.verify(
                                    () ->
                                        assertThat(e.getValue("ref"))
                                            .isEqualTo(
                                                new JsonObject()
                                                    .put("k", new JsonArray().add(true))));
                                return null;
                              });
                    }));
  }

  @Test
  void gaugesFollowSubscriptionsAndCloses(Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, FAST)
                .compose(
                    node -> {
                      ctx.verify(
                          () -> {
                            assertThat(node.metric("stockstream_ws_connections")).isEqualTo(0.0);
                            assertThat(node.metric("stockstream_ws_subscriptions")).isEqualTo(0.0);
                          });
                      return Future.all(
                              WsClient.connect(vertx, node.port(), "/ws?symbols=AAPL,MSFT"),
                              WsClient.connect(vertx, node.port(), "/ws"))
                          .compose(
                              both -> {
                                WsClient a = both.resultAt(0);
                                WsClient b = both.resultAt(1);
                                return a.next("subscribed")
                                    .compose(v -> b.send(subscribe(1, "AAPL")))
                                    .compose(v -> b.next("subscribed"))
                                    .compose(v -> gauges(vertx, node, 2, 3))
                                    .compose(v -> a.send(unsubscribe(2, "MSFT")))
                                    .compose(v -> a.next("unsubscribed"))
                                    .compose(v -> gauges(vertx, node, 2, 2))
                                    .compose(v -> a.close())
                                    .compose(v -> gauges(vertx, node, 1, 1))
                                    .compose(v -> b.close())
                                    .compose(v -> gauges(vertx, node, 0, 0));
                              });
                    }));
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static Future<WsClient> connect(Vertx vertx, Map<String, String> env, String uri) {
    return TestNode.start(vertx, env).compose(node -> WsClient.connect(vertx, node.port(), uri));
  }

  private static void assertTick(JsonObject t, String symbol) {
    assertThat(t.fieldNames()).containsExactlyInAnyOrderElementsOf(TICK_FIELDS);
    assertThat(t.getString("type")).isEqualTo("tick");
    assertThat(t.getString("symbol")).isEqualTo(symbol);
    assertThat(t.getLong("seq")).isPositive();
    assertThat(t.getDouble("price")).isPositive();
    assertThat(t.getDouble("high")).isGreaterThanOrEqualTo(t.getDouble("low"));
    assertThat(t.getDouble("price")).isBetween(t.getDouble("low"), t.getDouble("high"));
    assertThat(t.getLong("volume")).isNotNegative();
    assertThat(t.getLong("ts")).isCloseTo(System.currentTimeMillis(), within(60_000L));
    assertThat(t.getValue("change")).isInstanceOf(Number.class);
    assertThat(t.getValue("changePct")).isInstanceOf(Number.class);
    assertThat(t.getValue("open")).isInstanceOf(Number.class);
  }

  private static Future<Void> gauges(
      Vertx vertx, TestNode node, int connections, int subscriptions) {
    return eventually(
        vertx,
        "connections=" + connections + " subscriptions=" + subscriptions,
        () ->
            node.metric("stockstream_ws_connections") == connections
                && node.metric("stockstream_ws_subscriptions") == subscriptions);
  }
}
