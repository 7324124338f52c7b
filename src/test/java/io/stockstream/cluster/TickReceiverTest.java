package io.stockstream.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.market.MarketData;
import io.stockstream.market.Universe;
import io.stockstream.protocol.ProtocolJson;
import io.stockstream.protocol.Tick;
import io.stockstream.protocol.TickEvent;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which symbols of a leader's batch skip a seq, and so wait for a mend, decided without a bus. */
class TickReceiverTest {

  private MarketData market;

  @BeforeEach
  void aMarketHoldingAaplUpToTenAndNvdaNever() {
    market =
        new MarketData(
            List.of(Universe.lookup("AAPL").orElseThrow(), Universe.lookup("NVDA").orElseThrow()),
            50,
            "e");
    for (long seq = 1; seq <= 10; seq++) {
      market.append(tick(0, seq));
    }
  }

  private static TickEvent tick(int index, long seq) {
    String symbol = index == 0 ? "AAPL" : "NVDA";
    Tick t = new Tick(symbol, seq, 100, 99, 101, 98, 0.1, 0.1, 10, 1_000 + seq);
    return new TickEvent(index, t, ProtocolJson.tickFrame(t), 1_000_000 + seq);
  }

  @Test
  void aSymbolThatTickedTwiceInOneStepIsNotAHole() {
    // The flake this guards against: 11 and 12 in one batch read as a hole at 12, and the batch
    // waited for a leader that was dying.
    assertThat(TickReceiver.holes(List.of(tick(0, 11), tick(0, 12), tick(0, 13)), market))
        .isEmpty();
  }

  @Test
  void aSkippedSeqAfterWhatTheMarketHoldsIsAHole() {
    assertThat(TickReceiver.holes(List.of(tick(0, 12)), market)).containsExactly(0);
  }

  @Test
  void aSkippedSeqInsideTheBatchIsAHoleNamedOnce() {
    assertThat(TickReceiver.holes(List.of(tick(0, 11), tick(0, 13), tick(0, 15)), market))
        .containsExactly(0);
  }

  @Test
  void aSymbolTheMarketNeverHeldStartsWhereverItsFirstTickIs() {
    assertThat(TickReceiver.holes(List.of(tick(1, 40), tick(1, 41), tick(0, 11)), market))
        .isEmpty();
  }

  @Test
  void ticksTheMarketAlreadyHoldsAreNoHole() {
    assertThat(TickReceiver.holes(List.of(tick(0, 9), tick(0, 10), tick(0, 11)), market)).isEmpty();
    assertThat(TickReceiver.holes(List.of(tick(0, 5), tick(0, 11)), market)).isEmpty();
  }
}
