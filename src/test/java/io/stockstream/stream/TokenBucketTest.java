package io.stockstream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenBucketTest {

  private static final long T0 = 1_000_000_000_000L; // an arbitrary System.nanoTime
  private static final long SECOND = 1_000_000_000L;

  /** Spends the bucket down at {@code now}; returns how many frames were allowed. */
  private static int drain(TokenBucket b, long now) {
    int allowed = 0;
    while (b.allow(now)) {
      allowed++;
      if (allowed > 10_000) {
        throw new AssertionError("the bucket never runs dry");
      }
    }
    return allowed;
  }

  @ParameterizedTest(name = "burst {1} at {0}/s")
  @CsvSource({"20, 40", "1, 1", "10, 3", "100, 100"})
  void aBurstIsAllowedAtOnceAndTheNextIsRefused(int rate, int burst) {
    TokenBucket b = new TokenBucket(rate, burst, T0);
    for (int i = 0; i < burst; i++) {
      assertThat(b.allow(T0)).as("frame %d", i + 1).isTrue();
    }
    assertThat(b.allow(T0)).as("frame %d", burst + 1).isFalse();
  }

  @Test
  void tokensRefillAtTheRate() {
    TokenBucket b = new TokenBucket(10, 5, T0);
    assertThat(drain(b, T0)).isEqualTo(5);

    assertThat(b.allow(T0 + 99_000_000L)).as("0.99 of a token").isFalse();
    assertThat(b.allow(T0 + 101_000_000L)).as("a token after 100 ms").isTrue();
    assertThat(b.allow(T0 + 101_000_000L)).as("only one").isFalse();
  }

  @Test
  void aSecondRefillsRateTokens() {
    TokenBucket b = new TokenBucket(20, 40, T0);
    drain(b, T0);
    assertThat(drain(b, T0 + SECOND + 1_000L)).isEqualTo(20);
  }

  @Test
  void partialTokensAccumulateAcrossRefusals() {
    TokenBucket b = new TokenBucket(10, 5, T0);
    drain(b, T0);
    // Four refused tries 30 ms apart: 0.3, 0.6, 0.9 tokens, then 1.2 at 120 ms.
    assertThat(b.allow(T0 + 30_000_000L)).isFalse();
    assertThat(b.allow(T0 + 60_000_000L)).isFalse();
    assertThat(b.allow(T0 + 90_000_000L)).isFalse();
    assertThat(b.allow(T0 + 120_000_000L)).isTrue();
    // 0.2 left: the next token is due 80 ms later, not 100.
    assertThat(b.allow(T0 + 195_000_000L)).isFalse();
    assertThat(b.allow(T0 + 205_000_000L)).isTrue();
  }

  @Test
  void tokensCapAtTheBurst() {
    TokenBucket b = new TokenBucket(20, 40, T0);
    drain(b, T0);
    assertThat(drain(b, T0 + 3_600 * SECOND)).as("an hour idle is still one burst").isEqualTo(40);
  }

  @Test
  void aNewBucketStartsFullButNoFuller() {
    assertThat(drain(new TokenBucket(20, 40, T0), T0 + 10 * SECOND)).isEqualTo(40);
  }

  @Test
  void aSteadyClientAtTheRateIsNeverRefused() {
    TokenBucket b = new TokenBucket(20, 1, T0);
    assertThat(b.allow(T0)).isTrue();
    for (int i = 1; i <= 1_000; i++) {
      assertThat(b.allow(T0 + i * 50_000_001L)).as("frame %d", i).isTrue();
    }
  }

  @Test
  void theClientBecomesAbusiveAfterBurstRefusalsInARow() {
    TokenBucket b = new TokenBucket(20, 3, T0);
    drain(b, T0); // 3 allowed, 1 refused
    assertThat(b.abusive()).isFalse();
    assertThat(b.allow(T0)).isFalse();
    assertThat(b.abusive()).as("two refusals").isFalse();
    assertThat(b.allow(T0)).isFalse();
    assertThat(b.abusive()).as("three refusals").isTrue();
    assertThat(b.allow(T0)).isFalse();
    assertThat(b.abusive()).as("and stays so while refused").isTrue();
  }

  @Test
  void anAllowedFrameResetsTheStrikes() {
    TokenBucket b = new TokenBucket(10, 3, T0);
    drain(b, T0);
    assertThat(b.allow(T0)).isFalse();
    assertThat(b.allow(T0)).isFalse(); // 3 refusals: abusive
    assertThat(b.abusive()).isTrue();

    assertThat(b.allow(T0 + 100_000_001L)).isTrue();
    assertThat(b.abusive()).isFalse();

    assertThat(b.allow(T0 + 100_000_001L)).isFalse();
    assertThat(b.allow(T0 + 100_000_001L)).isFalse();
    assertThat(b.abusive()).as("two refusals since the allowed one").isFalse();
    assertThat(b.allow(T0 + 100_000_001L)).isFalse();
    assertThat(b.abusive()).isTrue();
  }

  @Test
  void refusalsSpreadOutButUnbrokenStillCount() {
    TokenBucket b = new TokenBucket(1, 2, T0);
    drain(b, T0); // one refusal
    assertThat(b.allow(T0 + SECOND / 2)).isFalse(); // half a token: a second refusal
    assertThat(b.abusive()).isTrue();
  }

  @Test
  void aFreshBucketIsNotAbusive() {
    assertThat(new TokenBucket(20, 40, T0).abusive()).isFalse();
  }
}
