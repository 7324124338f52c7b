package io.stockstream.market;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LatestFrameTest {

  /** A frame that follows from its seq, of a length that varies with it (4 to 200 bytes). */
  private static Buffer frame(long seq) {
    return Buffer.buffer(String.valueOf(seq).repeat(1 + (int) (seq % 40)));
  }

  @Test
  void givesACopyOfTheFrameOfItsSeqAndNothingForAnother() {
    LatestFrame latest = new LatestFrame();
    assertThat(latest.get(1)).as("nothing held yet").isNull();
    assertThat(latest.get(0)).as("no tick has seq 0").isNull();

    Buffer held = frame(7);
    latest.put(7, held);
    assertThat(latest.get(7)).isEqualTo(held);
    assertThat(latest.get(6)).isNull();
    assertThat(latest.get(8)).isNull();

    latest.get(7).setByte(0, (byte) 'x');
    assertThat(latest.get(7)).as("the caller's copy is its own").isEqualTo(held);
  }

  @Test
  void holdsALongerFrameThanAnyBeforeAndAShorterOneExactly() {
    LatestFrame latest = new LatestFrame();
    latest.put(1, Buffer.buffer("a".repeat(10)));
    latest.put(2, Buffer.buffer("b".repeat(500)));
    assertThat(latest.get(2)).isEqualTo(Buffer.buffer("b".repeat(500)));
    latest.put(3, Buffer.buffer("c"));
    assertThat(latest.get(3)).isEqualTo(Buffer.buffer("c"));
    assertThat(latest.get(2)).isNull();
  }

  /**
   * Readers racing a writer that replaces the frame over and over, growing it now and then, get the
   * frame of the seq they ask for whole or nothing, never bytes of another.
   */
  @Test
  void readersRacingTheWriterSeeTheirSeqsFrameWholeOrNone() throws Exception {
    LatestFrame latest = new LatestFrame();
    AtomicLong written = new AtomicLong();
    List<Long> whole =
        Race.readWhile(
            () -> {
              long seq = written.get();
              Buffer b = latest.get(seq);
              if (b == null) {
                return 0;
              }
              assertThat(b).isEqualTo(frame(seq));
              return 1;
            },
            () -> {
              for (long seq = 1; seq <= 1_000_000; seq++) {
                latest.put(seq, frame(seq));
                written.set(seq);
              }
            });
    assertThat(whole).as("frames read whole").allSatisfy(n -> assertThat(n).isPositive());
  }
}
