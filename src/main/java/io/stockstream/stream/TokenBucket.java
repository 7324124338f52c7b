package io.stockstream.stream;

/**
 * The rate limit of one connection's client frames: a token bucket of {@code burst} tokens refilled
 * at {@code ratePerSecond}; {@code burst} refusals in a row mark the client as abusive.
 */
final class TokenBucket {

  private final double ratePerNano;
  private final int burst;
  private double tokens;
  private long tokensAt;
  private int strikes;

  TokenBucket(int ratePerSecond, int burst, long nowNanos) {
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.tokensAt = nowNanos;
  }

  /** True when the client may send one more frame at {@code nowNanos} (System.nanoTime). */
  boolean allow(long nowNanos) {
    tokens = Math.min(burst, tokens + (nowNanos - tokensAt) * ratePerNano);
    tokensAt = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      strikes = 0;
      return true;
    }
    strikes++;
    return false;
  }

  /** True after {@code burst} refused frames in a row: the client ignores {@code rate_limited}. */
  boolean abusive() {
    return strikes >= burst;
  }
}
