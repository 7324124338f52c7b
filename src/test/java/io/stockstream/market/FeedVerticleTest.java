package io.stockstream.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.stockstream.protocol.Addresses;
import io.stockstream.protocol.MarketEvent;
import io.stockstream.protocol.Tick;
import io.stockstream.protocol.TickBatch;
import io.stockstream.protocol.TickEvent;
import io.stockstream.support.TestNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 15, timeUnit = TimeUnit.SECONDS)
class FeedVerticleTest {

  private static final Map<String, String> FAST = Map.of("STOCKSTREAM_TICK_INTERVAL_MS", "10");

  /** Vert.x instances a test made besides the injected one. */
  private final List<Vertx> others = new ArrayList<>();

  @AfterEach
  void closeOtherVertxInstances(VertxTestContext ctx) {
    Future.all(others.stream().map(Vertx::close).toList()).onComplete(ctx.succeedingThenComplete());
  }

  /**
   * Registers local consumers of {@link Addresses#TICKS} and {@link Addresses#MARKET} on one
   * context, so that both see the feed's events in the order it published them; {@code onTick}
   * hears each tick of a batch in turn.
   */
  private static Future<Void> listen(
      Vertx vertx, Handler<TickEvent> onTick, Handler<MarketEvent> onMarket) {
    Context context = vertx.getOrCreateContext();
    Promise<Void> ready = Promise.promise();
    context.runOnContext(
        v -> {
          MessageConsumer<TickBatch> ticks =
              vertx
                  .eventBus()
                  .localConsumer(Addresses.TICKS, m -> m.body().ticks().forEach(onTick::handle));
          MessageConsumer<MarketEvent> market =
              vertx.eventBus().localConsumer(Addresses.MARKET, m -> onMarket.handle(m.body()));
          Future.all(ticks.completion(), market.completion()).<Void>mapEmpty().onComplete(ready);
        });
    return ready.future();
  }

  private static Future<Void> listen(Vertx vertx, Handler<TickEvent> onTick) {
    return listen(vertx, onTick, e -> {});
  }

  private static List<Long> oneTo(long n) {
    return LongStream.rangeClosed(1, n).boxed().toList();
  }

  @Test
  void everySymbolsSeqStartsAtOneAndIncreasesByExactlyOne(Vertx vertx, VertxTestContext ctx) {
    // Done once the node is fully up and the ticks were checked, in either order.
    Checkpoint started = ctx.checkpoint();
    Checkpoint verified = ctx.checkpoint();
    int wanted = 30;
    Map<String, List<Long>> seqs = new LinkedHashMap<>();
    Map<String, Integer> indexes = new HashMap<>();
    boolean[] done = {false};
    List<String> symbols = Universe.defaults().stream().map(SymbolSpec::symbol).toList();
    listen(
            vertx,
            e -> {
              if (done[0]) {
                return;
              }
              seqs.computeIfAbsent(e.tick().symbol(), s -> new ArrayList<>()).add(e.seq());
              indexes.put(e.tick().symbol(), e.index());
              if (seqs.size() == symbols.size()
                  && seqs.values().stream().allMatch(l -> l.size() >= wanted)) {
                done[0] = true;
                ctx.verify(
                    () -> {
                      assertThat(seqs.keySet()).containsExactlyInAnyOrderElementsOf(symbols);
                      seqs.forEach(
                          (symbol, list) ->
                              assertThat(list).as(symbol).isEqualTo(oneTo(list.size())));
                      for (int i = 0; i < symbols.size(); i++) {
                        assertThat(indexes.get(symbols.get(i))).isEqualTo(i);
                      }
                    });
                verified.flag();
              }
            })
        .compose(v -> TestNode.start(vertx, FAST))
        .onComplete(ctx.succeeding(node -> started.flag()));
  }

  @Test
  void firstTickOfEachSymbolIsItsStartPrice(Vertx vertx, VertxTestContext ctx) {
    // Done once the node is fully up and the ticks were checked, in either order.
    Checkpoint started = ctx.checkpoint();
    Checkpoint verified = ctx.checkpoint();
    Map<String, Double> start =
        Map.of("AAPL", 189.5, "MSFT", 420.0, "ZZZ", 12.34, "BRK.B", 412.10, "NVDA", 121.40);
    Map<String, TickEvent> first = new HashMap<>();
    boolean[] done = {false};
    listen(
            vertx,
            e -> {
              if (done[0]) {
                return;
              }
              first.putIfAbsent(e.tick().symbol(), e);
              if (first.size() == start.size()) {
                done[0] = true;
                ctx.verify(
                    () -> {
                      start.forEach(
                          (symbol, price) -> {
                            TickEvent ev = first.get(symbol);
                            Tick t = ev.tick();
                            assertThat(t.seq()).as(symbol).isEqualTo(1);
                            assertThat(t.price()).as(symbol).isEqualTo(price);
                            assertThat(t.open()).isEqualTo(price);
                            assertThat(t.high()).isEqualTo(price);
                            assertThat(t.low()).isEqualTo(price);
                            assertThat(t.change()).isZero();
                            assertThat(t.changePct()).isZero();
                            assertThat(t.volume()).isZero();
                            assertThat(ev.madeNanos() / 1_000_000).isEqualTo(t.ts());
                            assertThat(t.ts())
                                .isCloseTo(System.currentTimeMillis(), within(5_000L));
                            JsonObject frame = ev.frame().toJsonObject();
                            assertThat(frame.getString("type")).isEqualTo("tick");
                            assertThat(frame.getString("symbol")).isEqualTo(symbol);
                            assertThat(frame.getLong("seq")).isEqualTo(1);
                            assertThat(frame.getDouble("price")).isEqualTo(price);
                            assertThat(frame.getLong("ts")).isEqualTo(t.ts());
                          });
                    });
                verified.flag();
              }
            })
        .compose(
            v ->
                TestNode.start(
                    vertx,
                    Map.of(
                        "STOCKSTREAM_TICK_INTERVAL_MS",
                        "10",
                        "STOCKSTREAM_SYMBOLS",
                        "AAPL:189.5,msft:420.004,ZZZ:12.34,BRK.B,NVDA")))
        .onComplete(ctx.succeeding(node -> started.flag()));
  }

  /** Ticks of several nodes on one bus, grouped by (symbol, seq) in arrival order. */
  private static final class Agreement {
    final Map<String, Map<Long, List<Tick>>> bySymbol = new LinkedHashMap<>();

    void add(Tick t) {
      bySymbol
          .computeIfAbsent(t.symbol(), s -> new HashMap<>())
          .computeIfAbsent(t.seq(), s -> new ArrayList<>())
          .add(t);
    }

    int count(String symbol, long seq) {
      return bySymbol.getOrDefault(symbol, Map.of()).getOrDefault(seq, List.of()).size();
    }

    boolean seenTwice(List<String> symbols, long upto) {
      for (String s : symbols) {
        for (long seq = 1; seq <= upto; seq++) {
          if (count(s, seq) < 2) {
            return false;
          }
        }
      }
      return true;
    }

    void assertIdenticalPrices(List<String> symbols, long upto) {
      for (String s : symbols) {
        for (long seq = 1; seq <= upto; seq++) {
          List<Tick> ticks = bySymbol.get(s).get(seq);
          Tick a = ticks.get(0);
          for (Tick b : ticks) {
            String what = s + " seq " + seq;
            assertThat(b.price()).as(what).isEqualTo(a.price());
            assertThat(b.open()).as(what).isEqualTo(a.open());
            assertThat(b.high()).as(what).isEqualTo(a.high());
            assertThat(b.low()).as(what).isEqualTo(a.low());
            assertThat(b.change()).as(what).isEqualTo(a.change());
            assertThat(b.changePct()).as(what).isEqualTo(a.changePct());
            assertThat(b.volume()).as(what).isEqualTo(a.volume());
          }
        }
      }
    }
  }

  @Test
  void twoNodesWithTheSameSeedAgreeOnEveryPriceBySeq(Vertx vertx, VertxTestContext ctx) {
    // Done once the node is fully up and the ticks were checked, in either order.
    Checkpoint started = ctx.checkpoint();
    Checkpoint verified = ctx.checkpoint();
    // Both nodes publish on this Vert.x's bus: every (symbol, seq) arrives once from each.
    List<String> symbols = Universe.defaults().stream().map(SymbolSpec::symbol).toList();
    long upto = 25;
    Agreement seen = new Agreement();
    Checkpoint secondUp = ctx.checkpoint();
    boolean[] secondStarted = {false};
    boolean[] done = {false};
    listen(
            vertx,
            e -> {
              if (done[0]) {
                return;
              }
              seen.add(e.tick());
              if (!secondStarted[0] && e.tick().symbol().equals("AAPL") && e.seq() == 20) {
                // The second node starts only now, so its timing is not the first one's.
                secondStarted[0] = true;
                TestNode.start(vertx, FAST).onComplete(ctx.succeeding(node -> secondUp.flag()));
              }
              if (secondStarted[0] && seen.seenTwice(symbols, upto)) {
                done[0] = true;
                ctx.verify(
                    () -> {
                      seen.assertIdenticalPrices(symbols, upto);
                      List<Tick> firstAapl = seen.bySymbol.get("AAPL").get(1L);
                      assertThat(firstAapl).hasSize(2);
                      assertThat(firstAapl.get(1).ts())
                          .as("the second node ticked later")
                          .isGreaterThan(firstAapl.get(0).ts());
                    });
                verified.flag();
              }
            })
        .compose(v -> TestNode.start(vertx, FAST))
        .onComplete(ctx.succeeding(node -> started.flag()));
  }

  @Test
  void aSymbolsPricesDoNotDependOnTheOtherSymbolsOfTheNode(Vertx vertx, VertxTestContext ctx) {
    // Done once the node is fully up and the ticks were checked, in either order.
    Checkpoint started = ctx.checkpoint();
    Checkpoint verified = ctx.checkpoint();
    // The default universe has AAPL first and NVDA fifth; the other node has them second and
    // first, among other symbols. Each node has a Vert.x of its own: their symbol indexes differ,
    // so they must not share an event bus.
    Vertx other = Vertx.vertx();
    others.add(other);
    List<String> common = List.of("AAPL", "NVDA");
    long upto = 25;
    Agreement seen = new Agreement();
    boolean[] done = {false};
    Context here = vertx.getOrCreateContext();
    Handler<TickEvent> onTick =
        e -> {
          if (done[0]) {
            return;
          }
          seen.add(e.tick());
          if (seen.seenTwice(common, upto)) {
            done[0] = true;
            ctx.verify(
                () -> {
                  seen.assertIdenticalPrices(common, upto);
                  assertThat(seen.bySymbol).containsKeys("ZZZ", "MSFT");
                });
            verified.flag();
          }
        };
    listen(vertx, onTick)
        // The other node's ticks are handled on this test's context too, one at a time.
        .compose(v -> listen(other, e -> here.runOnContext(x -> onTick.handle(e))))
        .compose(v -> TestNode.start(vertx, FAST))
        .compose(
            v ->
                TestNode.start(
                    other,
                    Map.of(
                        "STOCKSTREAM_TICK_INTERVAL_MS", "10",
                        "STOCKSTREAM_SYMBOLS", "NVDA,AAPL,ZZZ")))
        .onComplete(ctx.succeeding(node -> started.flag()));
  }

  @Test
  void marketClosesAndReopensOnScheduleAndNoTickIsPublishedWhileClosed(
      Vertx vertx, VertxTestContext ctx) {
    // Done once the node is fully up and the ticks were checked, in either order.
    Checkpoint started = ctx.checkpoint();
    Checkpoint verified = ctx.checkpoint();
    List<Object> log = new ArrayList<>();
    int[] closedAt = {-1};
    int[] openedAt = {-1};
    Map<String, Integer> ticksAfterOpen = new HashMap<>();
    boolean[] done = {false};
    Handler<TickEvent> onTick =
        e -> {
          if (done[0]) {
            return;
          }
          log.add(e);
          if (openedAt[0] >= 0) {
            ticksAfterOpen.merge(e.tick().symbol(), 1, Integer::sum);
          }
          if (ticksAfterOpen.size() == 2
              && ticksAfterOpen.values().stream().allMatch(n -> n >= 3)) {
            done[0] = true;
            ctx.verify(() -> verifyClosedPhase(log, closedAt[0], openedAt[0]));
            verified.flag();
          }
        };
    Handler<MarketEvent> onMarket =
        e -> {
          if (done[0]) {
            return;
          }
          log.add(e);
          // A close counts once the session before it had ticks enough to have moved.
          if (!e.open() && closedAt[0] < 0 && log.size() >= 20) {
            closedAt[0] = log.size() - 1;
          } else if (e.open() && closedAt[0] >= 0 && openedAt[0] < 0) {
            openedAt[0] = log.size() - 1;
          }
        };
    listen(vertx, onTick, onMarket)
        .compose(
            v ->
                TestNode.start(
                    vertx,
                    Map.of(
                        "STOCKSTREAM_TICK_INTERVAL_MS", "10",
                        // Expensive enough that every tick moves the price by whole cents.
                        "STOCKSTREAM_SYMBOLS", "AAPL:100000,MSFT:250000",
                        "STOCKSTREAM_MARKET_SCHEDULE", "cycle:300/300")))
        .onComplete(ctx.succeeding(node -> started.flag()));
  }

  private static void verifyClosedPhase(List<Object> log, int closedAt, int openedAt) {
    MarketEvent closed = (MarketEvent) log.get(closedAt);
    MarketEvent opened = (MarketEvent) log.get(openedAt);
    assertThat(closed.open()).isFalse();
    assertThat(opened.open()).isTrue();
    assertThat(opened.ts()).isGreaterThan(closed.ts());
    assertThat(closed.frame().toJsonObject())
        .isEqualTo(
            new JsonObject().put("type", "market").put("status", "closed").put("ts", closed.ts()));
    assertThat(opened.frame().toJsonObject())
        .isEqualTo(
            new JsonObject().put("type", "market").put("status", "open").put("ts", opened.ts()));

    // Nothing between the two events, in publishing order and in time.
    assertThat(log.subList(closedAt + 1, openedAt)).as("published while closed").isEmpty();
    for (Object o : log) {
      if (o instanceof TickEvent e) {
        assertThat(e.tick().ts() > closed.ts() && e.tick().ts() < opened.ts())
            .as("tick %s made while closed", e.tick())
            .isFalse();
      }
    }

    Map<String, List<Tick>> bySymbol = new LinkedHashMap<>();
    for (Object o : log) {
      if (o instanceof TickEvent e) {
        bySymbol.computeIfAbsent(e.tick().symbol(), s -> new ArrayList<>()).add(e.tick());
      }
    }
    for (Map.Entry<String, List<Tick>> entry : bySymbol.entrySet()) {
      List<Tick> ticks = entry.getValue();
      // The closure leaves no hole in seq.
      assertThat(ticks.stream().map(Tick::seq).toList())
          .as(entry.getKey())
          .isEqualTo(oneTo(ticks.size()));
    }
    // A new session starts at the reopening: its open is the last price before the close.
    for (String symbol : bySymbol.keySet()) {
      Tick lastBefore = null;
      Tick firstAfter = null;
      for (int i = 0; i < log.size(); i++) {
        if (log.get(i) instanceof TickEvent e && e.tick().symbol().equals(symbol)) {
          if (i < closedAt) {
            lastBefore = e.tick();
          } else if (i > openedAt && firstAfter == null) {
            firstAfter = e.tick();
          }
        }
      }
      assertThat(lastBefore).as("%s ticked before the close", symbol).isNotNull();
      assertThat(firstAfter).as("%s ticked after the reopening", symbol).isNotNull();
      assertThat(firstAfter.seq()).as(symbol).isEqualTo(lastBefore.seq() + 1);
      assertThat(firstAfter.open())
          .as(symbol + " open after reopening")
          .isEqualTo(lastBefore.price());
      assertThat(firstAfter.high()).isEqualTo(Math.max(lastBefore.price(), firstAfter.price()));
      assertThat(firstAfter.low()).isEqualTo(Math.min(lastBefore.price(), firstAfter.price()));
      assertThat(firstAfter.change())
          .isEqualTo(Math.round((firstAfter.price() - lastBefore.price()) * 100) / 100.0);
    }
  }
}
