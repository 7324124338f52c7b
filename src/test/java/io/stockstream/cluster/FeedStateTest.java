package io.stockstream.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.market.MarketData;
import io.stockstream.market.Universe;
import io.stockstream.market.WalkState;
import io.stockstream.protocol.Tick;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The rules the replicated map applies to the feed's state, run on plain entries. */
class FeedStateTest {

  private static final MarketData MARKET =
      new MarketData(List.of(Universe.lookup("NVDA").orElseThrow()), 500, "e");

  private static WalkState state(long seq) {
    Tick t = new Tick("NVDA", seq, 121.4, 121.0, 122.0, 120.5, 0.4, 0.33, 900, 1_000 + seq);
    return new WalkState(0, t, Math.log(121.4012345), 77);
  }

  @Test
  void aSymbolsStepComesBackAsItWasWrittenEveryTickInOrder() {
    List<WalkState> step = List.of(state(12), state(13));
    byte[] bytes = FeedState.encode(4, step);
    assertThat(FeedState.termOf(bytes)).isEqualTo(4);
    assertThat(FeedState.decode(bytes, MARKET)).isEqualTo(step);
  }

  @Test
  void aWriteOfTheSameOrALaterTermReplacesTheState() {
    Map.Entry<Integer, byte[]> entry =
        new AbstractMap.SimpleEntry<>(0, FeedState.encode(2, List.of(state(10))));
    assertThat(
            new FeedState.Write(2, Map.of(0, FeedState.encode(2, List.of(state(11)))))
                .process(entry))
        .isTrue();
    assertThat(
            new FeedState.Write(3, Map.of(0, FeedState.encode(3, List.of(state(12)))))
                .process(entry))
        .isTrue();
    assertThat(FeedState.decode(entry.getValue(), MARKET).get(0).last().seq()).isEqualTo(12);
  }

  @Test
  void aDeposedLeadersWriteIsRefusedAndChangesNothing() {
    Map.Entry<Integer, byte[]> entry =
        new AbstractMap.SimpleEntry<>(0, FeedState.encode(5, List.of(state(40))));
    assertThat(
            new FeedState.Write(4, Map.of(0, FeedState.encode(4, List.of(state(41)))))
                .process(entry))
        .isFalse();
    assertThat(FeedState.decode(entry.getValue(), MARKET).get(0).last().seq()).isEqualTo(40);
  }

  @Test
  void termsOnlyGoUpAndStartAtOne() {
    Map.Entry<String, Object> entry = new AbstractMap.SimpleEntry<>("term", null);
    assertThat(new FeedState.NextTerm().process(entry)).isEqualTo(1L);
    assertThat(new FeedState.NextTerm().process(entry)).isEqualTo(2L);
  }

  @Test
  void aNewerTermDeposesItsHolderAndOnlyItsHolderMayUseIt() {
    Terms terms = new Terms();
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    assertThat(terms.admits(1, a)).isTrue();
    terms.seen(1, a);
    assertThat(terms.admits(1, a)).isTrue();
    assertThat(terms.admits(1, b)).as("another member under the same term").isFalse();
    terms.seen(2, b);
    assertThat(terms.admits(1, a)).as("the deposed leader").isFalse();
    assertThat(terms.admits(2, b)).isTrue();
    terms.seen(1, a);
    assertThat(terms.highest()).isEqualTo(2);
  }
}
