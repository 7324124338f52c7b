package io.stockstream.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stockstream.market.MarketData;
import io.stockstream.market.Universe;
import io.stockstream.protocol.ProtocolJson;
import io.stockstream.protocol.Tick;
import io.stockstream.protocol.TickEvent;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TickWireTest {

  private static final MarketData MARKET =
      new MarketData(
          List.of(Universe.lookup("AAPL").orElseThrow(), Universe.lookup("BRK.B").orElseThrow()),
          500,
          "e");

  private static TickEvent event(int index, long seq) {
    Tick t =
        new Tick(
            MARKET.symbols().get(index), seq, 189.51, 189.5, 190.02, 188.7, 0.01, 0.01, 12_345, 17);
    return new TickEvent(index, t, ProtocolJson.tickFrame(t), 1_796_576_296_163_000_001L);
  }

  @Test
  void aBatchCrossesWithItsHeaderFieldsAndTheLeadersOwnFrameBytes() {
    UUID leader = UUID.randomUUID();
    List<TickEvent> sent = List.of(event(0, 7), event(1, 1), event(0, 8));
    TickWire.Batch got = TickWire.decode(TickWire.encode(leader, 3, sent), MARKET);
    assertThat(got.header()).isEqualTo(new TickWire.Header(leader, 3));
    assertThat(got.ticks()).hasSize(3);
    for (int i = 0; i < sent.size(); i++) {
      TickEvent a = sent.get(i);
      TickEvent b = got.ticks().get(i);
      assertThat(b.index()).isEqualTo(a.index());
      assertThat(b.tick()).isEqualTo(a.tick());
      assertThat(b.madeNanos()).isEqualTo(a.madeNanos());
      assertThat(b.frame().getBytes()).isEqualTo(a.frame().getBytes());
    }
  }

  @Test
  void anEmptyBatchIsABatch() {
    assertThat(TickWire.decode(TickWire.encode(UUID.randomUUID(), 1, List.of()), MARKET).ticks())
        .isEmpty();
  }

  @Test
  void bytesThatAreNotABatchOfThisMarketAreRefused() {
    assertThatThrownBy(() -> TickWire.decode(Buffer.buffer("hello"), MARKET))
        .isInstanceOf(IllegalArgumentException.class);
    Buffer otherVersion = TickWire.encode(UUID.randomUUID(), 1, List.of(event(0, 1)));
    otherVersion.setByte(0, (byte) 9);
    assertThatThrownBy(() -> TickWire.decode(otherVersion, MARKET))
        .isInstanceOf(IllegalArgumentException.class);
    Buffer otherMarket = TickWire.encode(UUID.randomUUID(), 1, List.of(event(0, 1)));
    otherMarket.setInt(29, 5);
    assertThatThrownBy(() -> TickWire.decode(otherMarket, MARKET))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside this market");
  }
}
