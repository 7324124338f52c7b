package io.stockstream.market;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.protocol.ProtocolJson;
import io.stockstream.protocol.Tick;
import io.stockstream.protocol.TickEvent;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TickRingTest {

  /** A tick whose every field follows from its seq, so that a reader can tell a mixed one. */
  private static Tick tick(long seq) {
    double p = 100 + seq / 100.0;
    return new Tick("AAPL", seq, p, p + 1, p + 2, p - 1, seq / 7.0, -seq / 9.0, seq * 10, seq * 3);
  }

  @Test
  void holdsTheLastCapacityTicksAndNothingBeforeOrAfter() {
    TickRing ring = new TickRing(8);
    assertThat(ring.get(0, "AAPL", 1)).as("empty").isNull();
    for (long seq = 1; seq <= 20; seq++) {
      ring.put(tick(seq), seq * 1_000);
    }
    assertThat(ring.get(0, "AAPL", 12)).as("overwritten by 20").isNull();
    assertThat(ring.get(0, "AAPL", 21)).as("not yet").isNull();
    for (long seq = 13; seq <= 20; seq++) {
      TickEvent e = ring.get(0, "AAPL", seq);
      assertThat(e.tick()).isEqualTo(tick(seq));
      assertThat(e.madeNanos()).isEqualTo(seq * 1_000);
      assertThat(e.frame().getBytes()).isEqualTo(ProtocolJson.tickFrame(tick(seq)).getBytes());
    }
    assertThat(ring.heldAt(21)).isEqualTo(13);
    assertThat(new TickRing(4).heldAt(3)).as("an empty slot").isZero();
  }

  /**
   * Readers racing a writer that laps a small ring over and over get each tick whole or not at all,
   * never one whose fields mix two ticks.
   */
  @Test
  void readersRacingTheWriterSeeWholeTicksOrNone() throws Exception {
    TickRing ring = new TickRing(4);
    AtomicLong written = new AtomicLong();
    List<Long> whole =
        Race.readWhile(
            () -> {
              long read = 0;
              long newest = written.get();
              for (long seq = Math.max(1, newest - 3); seq <= newest; seq++) {
                TickEvent e = ring.get(0, "AAPL", seq);
                if (e != null) {
                  assertThat(e.tick()).isEqualTo(tick(seq));
                  assertThat(e.madeNanos()).isEqualTo(seq * 1_000);
                  read++;
                }
              }
              return read;
            },
            () -> {
              for (long seq = 1; seq <= 2_000_000; seq++) {
                ring.put(tick(seq), seq * 1_000);
                written.set(seq);
              }
            });
    assertThat(whole).as("ticks read whole").allSatisfy(n -> assertThat(n).isPositive());
  }
}
