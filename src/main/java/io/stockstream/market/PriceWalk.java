package io.stockstream.market;

import io.stockstream.protocol.Tick;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Geometric Brownian motion of one symbol's price, with its own random stream so that the path by
 * {@code seq} depends only on the seed, the symbol and the tick interval.
 *
 * <p>Each move draws from a generator seeded by (stream, move number) rather than from one running
 * generator, so that a walk restored from its last published state (a cluster's new feed leader)
 * continues exactly as the one that stopped would have.
 */
public final class PriceWalk {

  /** Trading time in a year: 252 sessions of 6.5 hours. */
  static final double TRADING_MS_PER_YEAR = 252 * 6.5 * 3600 * 1000;

  private final SymbolSpec spec;
  private final long stream;
  private final double drift;
  private final double diffusion;

  private double logPrice;
  private long moves;
  private long seq;
  private double open;
  private double high;
  private double low;
  private long volume;

  public PriceWalk(SymbolSpec spec, long seed, long tickIntervalMs) {
    this.spec = spec;
    this.stream = streamSeed(seed, spec.symbol());
    double dt = tickIntervalMs / TRADING_MS_PER_YEAR;
    double sigma = spec.volatility();
    this.drift = (spec.drift() - sigma * sigma / 2) * dt;
    this.diffusion = sigma * Math.sqrt(dt);
    this.logPrice = Math.log(spec.startPrice());
    double start = cents(spec.startPrice());
    this.open = start;
    this.high = start;
    this.low = start;
  }

  /** Mixes the seed with a stable hash of the symbol: one independent stream per symbol. */
  static long streamSeed(long seed, String symbol) {
    long h = 0xcbf29ce484222325L;
    for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ b) * 0x100000001b3L;
    }
    return seed * 0x9E3779B97F4A7C15L ^ h;
  }

  /** Mean of one tick's log return under the model. */
  public double expectedLogReturnMean() {
    return drift;
  }

  /** Variance of one tick's log return under the model. */
  public double expectedLogReturnVariance() {
    return diffusion * diffusion;
  }

  /** Advances the unrounded price by one step and returns the log return. */
  double step() {
    return step(moveRandom());
  }

  private double step(SplittableRandom random) {
    double r = drift + diffusion * random.nextGaussian();
    logPrice += r;
    moves++;
    return r;
  }

  /** The generator of the next move: its own seed, mixed from the stream and the move's number. */
  private SplittableRandom moveRandom() {
    return new SplittableRandom(mix64(stream + moves * 0x9E3779B97F4A7C15L));
  }

  /** SplitMix64's finaliser: neighbouring move numbers get unrelated seeds. */
  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The first tick: the start price, before any move. */
  public Tick first(long ts) {
    volume = 0;
    return tick(ts);
  }

  /** One move of the walk and its tick. */
  public Tick next(long ts) {
    SplittableRandom random = moveRandom();
    step(random);
    // Exponentially distributed lot sizes: many small trades, a few big ones.
    long shares = Math.max(1, Math.round(-Math.log(1 - random.nextDouble()) * spec.meanLot()));
    volume += shares;
    return tick(ts);
  }

  /** What a walk needs to continue exactly from its last tick {@code last}. */
  public WalkState state(int index, Tick last, long madeNanos) {
    return new WalkState(index, last, logPrice, madeNanos);
  }

  /** Continues from a state that another node's walk of the same symbol and seed published. */
  public void restore(WalkState state) {
    Tick t = state.last();
    logPrice = state.logPrice();
    seq = t.seq();
    // The first tick makes no move: tick n follows n - 1 moves.
    moves = t.seq() - 1;
    open = t.open();
    high = t.high();
    low = t.low();
    volume = t.volume();
  }

  /** A new trading session: the current price becomes the open, volume starts again. */
  public void newSession() {
    double p = price();
    open = p;
    high = p;
    low = p;
    volume = 0;
  }

  private Tick tick(long ts) {
    double p = price();
    high = Math.max(high, p);
    low = Math.min(low, p);
    seq++;
    double change = cents(p - open);
    double changePct = cents((p - open) / open * 100);
    return new Tick(spec.symbol(), seq, p, open, high, low, change, changePct, volume, ts);
  }

  private double price() {
    return Math.max(0.01, cents(Math.exp(logPrice)));
  }

  private static double cents(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
