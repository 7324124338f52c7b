package io.stockstream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.protocol.ProtocolJson;
import io.stockstream.protocol.Tick;
import io.stockstream.protocol.TickEvent;
import io.stockstream.stream.ResumePlanner.Plan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ResumePlannerTest {

  private static final List<String> NAMES = List.of("AAPL", "MSFT", "TSLA");
  private static final String EPOCH = "epoch-now";

  private static TickEvent event(int index, long seq) {
    double p = 100 + seq / 100.0;
    Tick t = new Tick(NAMES.get(index), seq, p, 100, p, 100, p - 100, 1.0, seq * 10, 1_000 + seq);
    return new TickEvent(index, t, ProtocolJson.tickFrame(t), 1_000_000L * (1_000 + seq));
  }

  /**
   * A market as one loop sees it: per symbol, ticks {@code oldest..newest} are still held and this
   * loop delivered up to {@code delivered} (0: none yet).
   */
  private static final class FakeHistory implements ResumePlanner.History {
    private final Map<Integer, long[]> symbols = new HashMap<>();
    final List<String> rangeCalls = new ArrayList<>();

    FakeHistory symbol(int index, long oldest, long delivered, long newest) {
      symbols.put(index, new long[] {oldest, delivered, newest});
      return this;
    }

    @Override
    public TickEvent delivered(int symbol) {
      long[] s = symbols.get(symbol);
      return s == null || s[1] == 0 ? null : event(symbol, s[1]);
    }

    @Override
    public TickEvent newest(int symbol) {
      long[] s = symbols.get(symbol);
      return s == null || s[2] == 0 ? null : event(symbol, s[2]);
    }

    @Override
    public List<TickEvent> range(int symbol, long after, long upto) {
      rangeCalls.add(NAMES.get(symbol) + " (" + after + ", " + upto + "]");
      long[] s = symbols.get(symbol);
      if (s == null || after + 1 < s[0] || upto > s[2]) {
        return null;
      }
      List<TickEvent> out = new ArrayList<>();
      for (long seq = after + 1; seq <= upto; seq++) {
        out.add(event(symbol, seq));
      }
      return out;
    }
  }

  private static Map<String, Integer> added(String... symbols) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String s : symbols) {
      out.put(s, NAMES.indexOf(s));
    }
    return out;
  }

  private static List<String> snapshot(Plan p) {
    return p.snapshot().stream().map(t -> t.tick().symbol() + "#" + t.seq()).toList();
  }

  private static List<String> replay(Plan p) {
    return p.replay().stream().map(e -> e.tick().symbol() + "#" + e.seq()).toList();
  }

  // ---- plain subscribe ------------------------------------------------------------------------

  @Test
  void aPlainSubscribeSnapshotsTheDeliveredTickNotTheNewest() {
    FakeHistory h = new FakeHistory().symbol(0, 1, 10, 12);
    Plan p = ResumePlanner.plan(added("AAPL"), null, null, EPOCH, h);

    assertThat(snapshot(p)).containsExactly("AAPL#10");
    assertThat(p.snapshot().get(0).tick()).isEqualTo(event(0, 10).tick());
    assertThat(p.gaps()).isNull();
    assertThat(p.replay()).isEmpty();
    assertThat(p.holdBack()).isEmpty();
    assertThat(h.rangeCalls).isEmpty();
  }

  @Test
  void aPlainSubscribeBeforeTheFirstDeliveredTickHasTheNewestAsSnapshotAndHoldsItBack() {
    FakeHistory h = new FakeHistory().symbol(1, 1, 0, 2);
    Plan p = ResumePlanner.plan(added("MSFT", "TSLA"), null, null, EPOCH, h);

    assertThat(p.snapshot()).extracting(TickEvent::seq).containsExactly(2L);
    assertThat(p.gaps()).isNull();
    assertThat(p.replay()).isEmpty();
    assertThat(p.holdBack()).containsExactly(Map.entry(1, 2L));
  }

  @Test
  void theSnapshotFollowsTheRequestOrder() {
    FakeHistory h = new FakeHistory().symbol(0, 1, 5, 5).symbol(1, 1, 7, 7).symbol(2, 1, 3, 3);
    Plan p = ResumePlanner.plan(added("TSLA", "AAPL", "MSFT"), null, null, EPOCH, h);

    assertThat(snapshot(p)).containsExactly("TSLA#3", "AAPL#5", "MSFT#7");
  }

  // ---- since, same epoch ----------------------------------------------------------------------

  @ParameterizedTest(name = "epoch {0}")
  @ValueSource(strings = {"", EPOCH})
  void aSinceInTheCurrentEpochReplaysTheMissedTicksUpToTheDelivered(String epoch) {
    FakeHistory h = new FakeHistory().symbol(0, 1, 10, 12);
    Plan p =
        ResumePlanner.plan(
            added("AAPL"), Map.of("AAPL", 7L), epoch.isEmpty() ? null : epoch, EPOCH, h);

    assertThat(replay(p)).containsExactly("AAPL#8", "AAPL#9", "AAPL#10");
    assertThat(p.snapshot()).isEmpty();
    assertThat(p.gaps()).isNotNull().isEmpty();
    assertThat(p.holdBack()).isEmpty();
    assertThat(h.rangeCalls).containsExactly("AAPL (7, 10]");
  }

  @Test
  void aSinceAtTheDeliveredTickNeedsNothing() {
    FakeHistory h = new FakeHistory().symbol(0, 1, 10, 12);
    Plan p = ResumePlanner.plan(added("AAPL"), Map.of("AAPL", 10L), EPOCH, EPOCH, h);

    assertThat(p.snapshot()).isEmpty();
    assertThat(p.replay()).isEmpty();
    assertThat(p.gaps()).isEmpty();
    assertThat(p.holdBack()).isEmpty();
    assertThat(h.rangeCalls).isEmpty();
  }

  @Test
  void aSinceOfZeroBeforeAnyTickNeedsNothing() {
    FakeHistory h = new FakeHistory();
    Plan p = ResumePlanner.plan(added("AAPL"), Map.of("AAPL", 0L), null, EPOCH, h);

    assertThat(p.snapshot()).isEmpty();
    assertThat(p.replay()).isEmpty();
    assertThat(p.gaps()).isEmpty();
    assertThat(p.holdBack()).isEmpty();
  }

  @Test
  void aSinceOfZeroReplaysEverythingStillHeld() {
    FakeHistory h = new FakeHistory().symbol(0, 1, 3, 3);
    Plan p = ResumePlanner.plan(added("AAPL"), Map.of("AAPL", 0L), null, EPOCH, h);

    assertThat(replay(p)).containsExactly("AAPL#1", "AAPL#2", "AAPL#3");
    assertThat(p.gaps()).isEmpty();
  }

  @Test
  void aSinceOlderThanTheHistoryIsAGapWithASnapshot() {
    FakeHistory h = new FakeHistory().symbol(0, 50, 100, 100);
    Plan p = ResumePlanner.plan(added("AAPL"), Map.of("AAPL", 10L), null, EPOCH, h);

    assertThat(h.rangeCalls).containsExactly("AAPL (10, 100]");
    assertThat(p.gaps()).containsExactly("AAPL");
    assertThat(snapshot(p)).containsExactly("AAPL#100");
    assertThat(p.replay()).isEmpty();
    assertThat(p.holdBack()).isEmpty();
  }

  @Test
  void aSinceJustInsideTheHistoryIsReplayed() {
    FakeHistory h = new FakeHistory().symbol(0, 50, 52, 52);
    Plan p = ResumePlanner.plan(added("AAPL"), Map.of("AAPL", 49L), null, EPOCH, h);

    assertThat(replay(p)).containsExactly("AAPL#50", "AAPL#51", "AAPL#52");
    assertThat(p.gaps()).isEmpty();
  }

  @ParameterizedTest(name = "since {0}, delivered 10, newest 12")
  @ValueSource(longs = {11, 12})
  void aSinceBeyondTheDeliveredButPublishedIsHeldBackNotReplayed(long since) {
    FakeHistory h = new FakeHistory().symbol(2, 1, 10, 12);
    Plan p = ResumePlanner.plan(added("TSLA"), Map.of("TSLA", since), EPOCH, EPOCH, h);

    assertThat(p.holdBack()).containsExactly(Map.entry(2, since));
    assertThat(p.replay()).isEmpty();
    assertThat(p.snapshot()).isEmpty();
    assertThat(p.gaps()).isEmpty();
    assertThat(h.rangeCalls).isEmpty();
  }

  @Test
  void aSinceBeforeAnyDeliveryButPublishedIsHeldBack() {
    FakeHistory h = new FakeHistory().symbol(0, 1, 0, 2);
    Plan p = ResumePlanner.plan(added("AAPL"), Map.of("AAPL", 1L), null, EPOCH, h);

    assertThat(p.holdBack()).containsExactly(Map.entry(0, 1L));
    assertThat(p.gaps()).isEmpty();
  }

  @ParameterizedTest(name = "since {0}, delivered {1}, newest {2}")
  @CsvSource({"13, 10, 12", "1000000, 10, 12", "11, 10, 10", "5, 0, 0"})
  void aSinceBeyondAnythingPublishedIsAGap(long since, long delivered, long newest) {
    FakeHistory h = new FakeHistory().symbol(0, 1, delivered, newest);
    Plan p = ResumePlanner.plan(added("AAPL"), Map.of("AAPL", since), null, EPOCH, h);

    assertThat(p.gaps()).containsExactly("AAPL");
    assertThat(snapshot(p)).isEqualTo(delivered == 0 ? List.of() : List.of("AAPL#" + delivered));
    assertThat(p.holdBack()).isEmpty();
    assertThat(p.replay()).isEmpty();
  }

  @ParameterizedTest(name = "since {0}, delivered 10, newest 12")
  @ValueSource(longs = {13, 1010})
  void inAClusterASinceALittlePastThisNodesNewestIsAwaitedNotAGap(long since) {
    FakeHistory h = new FakeHistory().symbol(0, 1, 10, 12);
    Plan p = ResumePlanner.plan(added("AAPL"), Map.of("AAPL", since), null, EPOCH, h, 1000);

    assertThat(p.holdBack()).containsExactly(Map.entry(0, since));
    assertThat(p.gaps()).isEmpty();
    assertThat(p.snapshot()).isEmpty();
  }

  @Test
  void inAClusterASinceFarPastThisNodesNewestIsStillAGap() {
    FakeHistory h = new FakeHistory().symbol(0, 1, 10, 12);
    Plan p = ResumePlanner.plan(added("AAPL"), Map.of("AAPL", 1011L), null, EPOCH, h, 1000);

    assertThat(p.gaps()).containsExactly("AAPL");
    assertThat(p.holdBack()).isEmpty();
  }

  // ---- since, other epoch ---------------------------------------------------------------------

  @Test
  void anotherEpochIsAGapForEverySinceSymbol() {
    FakeHistory h = new FakeHistory().symbol(0, 1, 10, 12).symbol(1, 1, 20, 20).symbol(2, 1, 0, 0);
    Plan p =
        ResumePlanner.plan(
            added("AAPL", "MSFT", "TSLA"),
            Map.of("AAPL", 5L, "MSFT", 20L, "TSLA", 1L),
            "epoch-before",
            EPOCH,
            h);

    assertThat(p.gaps()).containsExactly("AAPL", "MSFT", "TSLA");
    assertThat(snapshot(p)).containsExactly("AAPL#10", "MSFT#20");
    assertThat(p.replay()).isEmpty();
    assertThat(p.holdBack()).isEmpty();
    assertThat(h.rangeCalls).isEmpty();
  }

  @Test
  void inAnotherEpochASymbolWithoutSinceIsAPlainSnapshot() {
    FakeHistory h = new FakeHistory().symbol(0, 1, 10, 10).symbol(1, 1, 20, 20);
    Plan p =
        ResumePlanner.plan(added("AAPL", "MSFT"), Map.of("MSFT", 3L), "epoch-before", EPOCH, h);

    assertThat(p.gaps()).containsExactly("MSFT");
    assertThat(snapshot(p)).containsExactly("AAPL#10", "MSFT#20");
  }

  // ---- gaps and mixed requests ----------------------------------------------------------------

  @Test
  void gapsAreNullWithoutSinceAndAListWithEvenAnEmptySince() {
    FakeHistory h = new FakeHistory().symbol(0, 1, 10, 10);
    assertThat(ResumePlanner.plan(added("AAPL"), null, null, EPOCH, h).gaps()).isNull();
    assertThat(ResumePlanner.plan(added("AAPL"), null, "other", EPOCH, h).gaps()).isNull();

    Plan p = ResumePlanner.plan(added("AAPL"), Map.of(), null, EPOCH, h);
    assertThat(p.gaps()).isNotNull().isEmpty();
    assertThat(snapshot(p)).containsExactly("AAPL#10");
  }

  @Test
  void aSymbolWithoutASinceEntryInASinceRequestGetsASnapshot() {
    FakeHistory h = new FakeHistory().symbol(0, 1, 10, 10).symbol(1, 1, 20, 20);
    Plan p = ResumePlanner.plan(added("AAPL", "MSFT"), Map.of("AAPL", 8L), null, EPOCH, h);

    assertThat(replay(p)).containsExactly("AAPL#9", "AAPL#10");
    assertThat(snapshot(p)).containsExactly("MSFT#20");
    assertThat(p.gaps()).isEmpty();
  }

  @Test
  void aSinceEntryForASymbolNotAddedIsIgnored() {
    FakeHistory h = new FakeHistory().symbol(0, 1, 10, 10).symbol(1, 50, 60, 60);
    Plan p = ResumePlanner.plan(added("AAPL"), Map.of("MSFT", 1L), null, EPOCH, h);

    assertThat(snapshot(p)).containsExactly("AAPL#10");
    assertThat(p.gaps()).isEmpty();
    assertThat(p.replay()).isEmpty();
    assertThat(h.rangeCalls).isEmpty();
  }

  @Test
  void eachSymbolOfOneRequestIsPlannedOnItsOwnInRequestOrder() {
    FakeHistory h =
        new FakeHistory()
            .symbol(0, 1, 10, 10) // replay 9..10
            .symbol(1, 90, 100, 100) // since 5 is too old: gap
            .symbol(2, 1, 30, 31); // since 31: hold back
    Map<String, Long> since = new LinkedHashMap<>();
    since.put("TSLA", 31L);
    since.put("MSFT", 5L);
    since.put("AAPL", 8L);
    Plan p = ResumePlanner.plan(added("MSFT", "AAPL", "TSLA"), since, EPOCH, EPOCH, h);

    assertThat(replay(p)).containsExactly("AAPL#9", "AAPL#10");
    assertThat(p.gaps()).containsExactly("MSFT");
    assertThat(snapshot(p)).containsExactly("MSFT#100");
    assertThat(p.holdBack()).containsExactly(Map.entry(2, 31L));
  }

  @Test
  void replaysOfSeveralSymbolsComeOneSymbolAfterTheOtherInRequestOrder() {
    FakeHistory h = new FakeHistory().symbol(0, 1, 3, 3).symbol(1, 1, 12, 12);
    Plan p =
        ResumePlanner.plan(added("MSFT", "AAPL"), Map.of("AAPL", 1L, "MSFT", 10L), null, EPOCH, h);

    assertThat(replay(p)).containsExactly("MSFT#11", "MSFT#12", "AAPL#2", "AAPL#3");
  }
}
