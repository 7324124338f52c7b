package io.stockstream.market;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.protocol.ProtocolJson;
import io.stockstream.protocol.Tick;
import io.stockstream.protocol.TickEvent;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MarketDataTest {

  private static final List<SymbolSpec> SPECS =
      List.of(
          Universe.lookup("AAPL").orElseThrow(),
          Universe.lookup("MSFT").orElseThrow(),
          Universe.lookup("TSLA").orElseThrow());

  private static TickEvent event(int index, long seq) {
    SymbolSpec spec = SPECS.get(index);
    double p = 100 + seq / 100.0;
    Tick t = new Tick(spec.symbol(), seq, p, 100, p, 100, p - 100, 1.0, seq * 10, 1_000 + seq);
    return new TickEvent(index, t, ProtocolJson.tickFrame(t), 1_000_000L * (1_000 + seq));
  }

  /** Appends ticks 1..upto of one symbol. */
  private static void appendUpTo(MarketData m, int index, long upto) {
    for (long seq = 1; seq <= upto; seq++) {
      m.append(event(index, seq));
    }
  }

  private static List<Long> seqs(List<TickEvent> events) {
    return events.stream().map(TickEvent::seq).toList();
  }

  // ---- capacity -------------------------------------------------------------------------------

  @ParameterizedTest(name = "interval {0} ms keeps {1} ticks")
  @CsvSource({
    "500, 1000", // 60 s is only 120 ticks: at least 1000
    "60000, 1000",
    "3600000, 1000",
    "60, 1000", // exactly 1000 ticks in 60 s
    "59, 1017", // 60 s worth, rounded up
    "10, 6000",
    "7, 8572",
    "6, 10000",
    "1, 10000" // 60 s would be 60000: capped
  })
  void historyKeepsTheLargerOfAThousandTicksAndSixtySecondsWithinTheCap(
      long intervalMs, int expected) {
    assertThat(MarketData.historyCapacity(intervalMs)).isEqualTo(expected);
    assertThat(expected).isLessThanOrEqualTo(MarketData.MAX_HISTORY);
  }

  @ParameterizedTest(name = "{0} symbols at {1} ms, {2} MB of heap: {3} ticks each")
  @CsvSource({
    "24, 500, 960, 1000", // the default market: 1.9 MB of 480
    "6000, 500, 960, 1000", // 480 MB of 480
    "6001, 500, 960, 120", // 1000 ticks would be 480.08 MB: 60 s is 58 MB
    "10000, 1000, 960, 60",
    "50000, 500, 960, 120", // 60 s is 480 MB
    "50001, 500, 960, 0", // not even 60 s fits
    "600, 1, 960, 10000", // the cap: 480 MB
    "601, 1, 960, 1000", // 10,000 ticks would be 480.8 MB: 1000 ticks (1 s) is 48 MB
    "1, 1, 0, 0"
  })
  void historyKeepsTheLargerAmountThatFitsHalfTheHeapOrNothing(
      int symbols, long intervalMs, long heapMb, int expected) {
    long heap = heapMb * 1_000_000;
    int capacity = MarketData.historyCapacity(intervalMs, symbols, heap);
    assertThat(capacity).isEqualTo(expected);
    if (capacity > 0) {
      assertThat(MarketData.historyBytes(symbols, capacity)).isLessThanOrEqualTo(heap / 2);
      assertThat(capacity)
          .isIn(MarketData.historyCapacity(intervalMs), MarketData.leastHistory(intervalMs));
      assertThat(MarketData.withHistory(SPECS, capacity, "e").historyPerSymbol())
          .isEqualTo(capacity);
    }
  }

  @Test
  void historyHoldsExactlyItsCapacity() {
    MarketData m = new MarketData(SPECS, 10, "e");
    int capacity = MarketData.historyCapacity(10);
    assertThat(capacity).isEqualTo(6_000);
    appendUpTo(m, 0, capacity + 250);

    long latest = capacity + 250;
    List<TickEvent> all = m.range(0, latest - capacity, latest);
    assertThat(all).hasSize(capacity);
    assertThat(all.get(0).seq()).isEqualTo(251);
    assertThat(all.get(capacity - 1).seq()).isEqualTo(latest);
    assertThat(m.range(0, latest - capacity - 1, latest)).as("one tick too many").isNull();
  }

  // ---- range ----------------------------------------------------------------------------------

  @Test
  void rangeReturnsExactlyTheTicksAfterUpToInOrder() {
    MarketData m = new MarketData(SPECS, 500, "e");
    appendUpTo(m, 0, 50);
    appendUpTo(m, 1, 30);

    List<TickEvent> r = m.range(0, 10, 20);
    assertThat(seqs(r)).containsExactly(11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L);
    assertThat(r).allSatisfy(e -> assertThat(e.tick().symbol()).isEqualTo("AAPL"));
    assertThat(r.get(0).tick().price()).isEqualTo(100.11);

    assertThat(seqs(m.range(0, 0, 50))).hasSize(50).startsWith(1L).endsWith(50L).isSorted();
    assertThat(seqs(m.range(1, 29, 30))).containsExactly(30L);
    assertThat(m.range(0, 20, 20)).as("nothing after 20 up to 20").isEmpty();
    assertThat(seqs(m.range(1, 0, 30))).hasSize(30);
  }

  @Test
  void rangeIsNullOnceTheOldestNeededTickWasOverwritten() {
    MarketData m = new MarketData(SPECS, 500, "e");
    int capacity = MarketData.historyCapacity(500);
    appendUpTo(m, 2, 1_500);

    assertThat(m.range(2, 400, 600)).as("401..500 were overwritten").isNull();
    assertThat(m.range(2, 0, 10)).as("the oldest ticks are gone").isNull();
    assertThat(m.range(2, 1_500 - capacity - 1, 1_500)).as("more than the capacity").isNull();
    List<TickEvent> kept = m.range(2, 1_500 - capacity, 1_500);
    assertThat(kept).hasSize(capacity);
    assertThat(seqs(kept)).startsWith(501L).endsWith(1_500L).isSorted();
    assertThat(seqs(m.range(2, 1_400, 1_500))).hasSize(100).startsWith(1_401L);
  }

  @Test
  void aTickReadBackIsTheOneAppendedWithTheSameFrameBytes() {
    MarketData m = new MarketData(SPECS, 500, "e");
    appendUpTo(m, 1, 30);
    for (TickEvent back : m.range(1, 0, 30)) {
      TickEvent appended = event(1, back.seq());
      assertThat(back.index()).isEqualTo(1);
      assertThat(back.tick()).isEqualTo(appended.tick());
      assertThat(back.madeNanos()).isEqualTo(appended.madeNanos());
      assertThat(back.frame().getBytes()).isEqualTo(appended.frame().getBytes());
    }
    assertThat(m.held(1)).isEqualTo(m.range(1, 0, 30));
  }

  @Test
  void aHeldTickCostsEightyBytesOfHeap() {
    assertThat(MarketData.historyBytes(1_000, 1_000)).isEqualTo(80_000_000L);
  }

  @Test
  void rangeOfOneSymbolIsNotDisturbedByAnother() {
    MarketData m = new MarketData(SPECS, 500, "e");
    appendUpTo(m, 0, 20);
    appendUpTo(m, 1, 5_000);
    assertThat(seqs(m.range(0, 0, 20))).hasSize(20).startsWith(1L).endsWith(20L);
  }

  // ---- latest, complete, lookup ---------------------------------------------------------------

  @Test
  void latestIsNullBeforeTheFirstTickThenTheLastAppended() {
    MarketData m = new MarketData(SPECS, 500, "e");
    assertThat(m.latest(0)).isNull();
    assertThat(m.latestSeq(0)).isZero();
    TickEvent first = event(0, 1);
    m.append(first);
    assertThat(m.latest(0)).isEqualTo(first);
    appendUpTo(m, 0, 42);
    assertThat(m.latest(0)).isEqualTo(event(0, 42));
    assertThat(m.latestSeq(0)).isEqualTo(42);
    assertThat(m.latest(1)).isNull();
  }

  @Test
  void theLatestQuoteIsTheLatestTicksFieldsOrNullBeforeTheFirst() {
    MarketData m = new MarketData(SPECS, 500, "e");
    assertThat(m.latestTick(0)).isNull();
    appendUpTo(m, 0, 42);
    assertThat(m.latestTick(0)).isEqualTo(event(0, 42).tick());
    assertThat(m.latestTick(1)).isNull();
  }

  @Test
  void aTickIsReadBackByItsSeqWithTheFeedsFrameOrNullOnceGone() {
    MarketData m = MarketData.withHistory(SPECS, 4, "e");
    assertThat(m.tick(0, 1)).isNull();
    appendUpTo(m, 0, 10);
    assertThat(m.tick(0, 10)).as("the latest, its frame copied").isEqualTo(event(0, 10));
    assertThat(m.tick(0, 7)).as("an older one, its frame encoded again").isEqualTo(event(0, 7));
    assertThat(m.tick(0, 6)).as("overwritten").isNull();
    assertThat(m.tick(0, 11)).as("not yet").isNull();
  }

  /**
   * Readers racing a writer that laps a short history get, as the latest, a whole tick with its own
   * frame, never one whose fields or bytes mix two ticks.
   */
  @Test
  void theLatestReadWhileTheWriterLapsTheHistoryIsAWholeTickAndAWholeQuote() throws Exception {
    MarketData m = MarketData.withHistory(SPECS, 4, "e");
    m.append(event(0, 1));
    List<Long> whole =
        Race.readWhile(
            () -> {
              TickEvent e = m.latest(0);
              assertThat(e).isEqualTo(event(0, e.seq()));
              Tick t = m.latestTick(0);
              assertThat(t).isEqualTo(event(0, t.seq()).tick());
              return 1;
            },
            () -> {
              for (long seq = 2; seq <= 300_000; seq++) {
                m.append(event(0, seq));
              }
            });
    assertThat(whole).allSatisfy(n -> assertThat(n).isPositive());
  }

  /** The latest is read back from plain data: the object appended is not kept. */
  @Test
  void theLatestTickIsNotKeptAsTheObjectAppended() {
    MarketData m = new MarketData(SPECS, 500, "e");
    TickEvent appended = event(2, 1);
    m.append(appended);
    assertThat(m.latest(2)).isEqualTo(appended).isNotSameAs(appended);
    assertThat(m.latest(2).frame()).isNotSameAs(appended.frame());
  }

  @Test
  void completeOnlyOnceEverySymbolHasATick() {
    MarketData m = new MarketData(SPECS, 500, "e");
    assertThat(m.complete()).isFalse();
    appendUpTo(m, 0, 100);
    assertThat(m.complete()).as("many ticks of one symbol are not enough").isFalse();
    m.append(event(2, 1));
    assertThat(m.complete()).isFalse();
    m.append(event(1, 1));
    assertThat(m.complete()).isTrue();
    m.append(event(1, 2));
    assertThat(m.complete()).isTrue();
  }

  @Test
  void indexOfFindsUpperCaseSymbolsAndGivesMinusOneForUnknown() {
    MarketData m = new MarketData(SPECS, 500, "e");
    assertThat(m.indexOf("AAPL")).isZero();
    assertThat(m.indexOf("MSFT")).isEqualTo(1);
    assertThat(m.indexOf("TSLA")).isEqualTo(2);
    assertThat(m.indexOf("NOPE")).isEqualTo(-1);
    assertThat(m.indexOf("")).isEqualTo(-1);
    assertThat(m.indexOf("NVDA")).as("in the universe but not in this market").isEqualTo(-1);
  }

  @Test
  void describesItsSymbolsInOrder() {
    MarketData m = new MarketData(SPECS, 500, "abc123");
    assertThat(m.size()).isEqualTo(3);
    assertThat(m.symbols()).containsExactly("AAPL", "MSFT", "TSLA");
    assertThat(m.spec(1)).isEqualTo(SPECS.get(1));
    assertThat(m.epoch()).isEqualTo("abc123");
    assertThat(m.marketOpen()).isTrue();
    m.marketOpen(false);
    assertThat(m.marketOpen()).isFalse();
  }

  // ---- a history copied from a peer -----------------------------------------------------------

  @Test
  void fillPutsOlderTicksUnderTheLatestWithoutReplacingIt() {
    MarketData m = new MarketData(SPECS, 500, "e");
    m.append(event(0, 10));
    for (long seq = 1; seq <= 9; seq++) {
      m.fill(event(0, seq));
    }
    assertThat(m.latest(0).seq()).isEqualTo(10);
    assertThat(seqs(m.range(0, 0, 10))).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
  }

  @Test
  void fillOfANewerTickMakesItTheLatestAndCountsTheSymbol() {
    MarketData m = new MarketData(SPECS, 500, "e");
    m.fill(event(1, 5));
    assertThat(m.latest(1).seq()).isEqualTo(5);
    m.fill(event(1, 3));
    assertThat(m.latest(1).seq()).isEqualTo(5);
    appendUpTo(m, 0, 1);
    m.fill(event(2, 1));
    assertThat(m.complete()).isTrue();
  }

  @Test
  void heldListsWhatTheRingHoldsOldestFirstSkippingHoles() {
    MarketData m = new MarketData(SPECS, 500, "e");
    assertThat(m.held(0)).isEmpty();
    int capacity = m.historyPerSymbol();
    appendUpTo(m, 0, capacity + 5);
    List<Long> held = seqs(m.held(0));
    assertThat(held).hasSize(capacity);
    assertThat(held.get(0)).isEqualTo(6L);
    assertThat(held.get(held.size() - 1)).isEqualTo(capacity + 5L);

    MarketData gappy = new MarketData(SPECS, 500, "e");
    gappy.append(event(1, 1));
    gappy.append(event(1, 3));
    assertThat(seqs(gappy.held(1))).containsExactly(1L, 3L);
  }
}
