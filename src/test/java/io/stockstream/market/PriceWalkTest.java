package io.stockstream.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.stockstream.protocol.Tick;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PriceWalkTest {

  private static final long SEED = 42;
  private static final int STEPS = 200_000;

  /** Tolerances are this many standard errors: a false alarm has odds of about 1 in 1.7 million. */
  private static final double Z = 5.0;

  private static final SymbolSpec AAPL = Universe.lookup("AAPL").orElseThrow();
  private static final SymbolSpec MSFT = Universe.lookup("MSFT").orElseThrow();
  private static final SymbolSpec TSLA = Universe.lookup("TSLA").orElseThrow();

  /** Very cheap and very volatile, drifting down: it hits the one-cent floor. */
  private static final SymbolSpec PENNY = new SymbolSpec("PNY", "Penny Corp", 0.05, 4.0, -2.0, 10);

  private static final long HOUR_MS = 3_600_000;

  private static boolean onCentGrid(double v) {
    return BigDecimal.valueOf(v).stripTrailingZeros().scale() <= 2;
  }

  private static List<Tick> ticks(PriceWalk walk, int n) {
    List<Tick> out = new ArrayList<>(n);
    out.add(walk.first(1_000));
    for (int i = 1; i < n; i++) {
      out.add(walk.next(1_000 + i));
    }
    return out;
  }

  // ---- the model ------------------------------------------------------------------------------

  @Test
  void expectedMomentsAreThoseOfGeometricBrownianMotion() {
    assertThat(PriceWalk.TRADING_MS_PER_YEAR).isEqualTo(252 * 6.5 * 3600 * 1000);
    for (long interval : new long[] {1, 500, 60_000, HOUR_MS}) {
      PriceWalk w = new PriceWalk(AAPL, SEED, interval);
      double dt = interval / (252 * 6.5 * 3600 * 1000);
      double sigma = AAPL.volatility();
      assertThat(w.expectedLogReturnMean())
          .isCloseTo((AAPL.drift() - sigma * sigma / 2) * dt, within(1e-15));
      assertThat(w.expectedLogReturnVariance()).isCloseTo(sigma * sigma * dt, within(1e-15));
    }
  }

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of("AAPL at the default interval", AAPL, 500L),
        Arguments.of("TSLA at 10 ms", TSLA, 10L),
        // Here the drift is hundreds of standard errors away from 0.
        Arguments.of(
            "strong drift, hourly", new SymbolSpec("UP", "Up Inc.", 50, 0.3, 40.0, 100), HOUR_MS),
        // Here the mean is dominated by the -sigma^2/2 correction (about 16 standard errors).
        Arguments.of(
            "huge volatility, no drift",
            new SymbolSpec("WILD", "Wild Inc.", 50, 3.0, 0.0, 100),
            HOUR_MS));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void logReturnsHaveTheModelsMeanAndVariance(String what, SymbolSpec spec, long intervalMs) {
    PriceWalk walk = new PriceWalk(spec, SEED, intervalMs);
    double[] r = new double[STEPS];
    double sum = 0;
    for (int i = 0; i < STEPS; i++) {
      r[i] = walk.step();
      sum += r[i];
    }
    double mean = sum / STEPS;
    double ss = 0;
    double lag = 0;
    for (int i = 0; i < STEPS; i++) {
      ss += (r[i] - mean) * (r[i] - mean);
      if (i > 0) {
        lag += (r[i] - mean) * (r[i - 1] - mean);
      }
    }
    double variance = ss / (STEPS - 1);
    double autocorrelation = lag / ss;

    double mu = walk.expectedLogReturnMean();
    double sigma2 = walk.expectedLogReturnVariance();
    // Standard error of a sample mean, and of a normal sample's variance.
    double meanTolerance = Z * Math.sqrt(sigma2 / STEPS);
    double varianceTolerance = Z * sigma2 * Math.sqrt(2.0 / (STEPS - 1));

    assertThat(mean).as("%s: mean log return", what).isCloseTo(mu, within(meanTolerance));
    assertThat(variance)
        .as("%s: variance of log returns", what)
        .isCloseTo(sigma2, within(varianceTolerance));
    assertThat(autocorrelation)
        .as("%s: successive returns are independent", what)
        .isCloseTo(0, within(Z / Math.sqrt(STEPS)));
  }

  @Test
  void meanTestCanTellDriftAndItoCorrectionFromZero() {
    // Guards the test above: for these two models a walk without drift, or with the
    // correction's sign wrong, would be far outside the tolerance.
    PriceWalk up =
        new PriceWalk(new SymbolSpec("UP", "Up Inc.", 50, 0.3, 40.0, 100), SEED, HOUR_MS);
    PriceWalk wild =
        new PriceWalk(new SymbolSpec("WILD", "Wild Inc.", 50, 3.0, 0.0, 100), SEED, HOUR_MS);
    for (PriceWalk w : List.of(up, wild)) {
      double tolerance = Z * Math.sqrt(w.expectedLogReturnVariance() / STEPS);
      assertThat(Math.abs(w.expectedLogReturnMean())).isGreaterThan(3 * tolerance);
    }
  }

  @Test
  void differentSymbolsHaveIndependentReturns() {
    PriceWalk a = new PriceWalk(AAPL, SEED, 500);
    PriceWalk b = new PriceWalk(MSFT, SEED, 500);
    double[] x = new double[STEPS];
    double[] y = new double[STEPS];
    double mx = 0;
    double my = 0;
    for (int i = 0; i < STEPS; i++) {
      x[i] = a.step();
      y[i] = b.step();
      mx += x[i];
      my += y[i];
    }
    mx /= STEPS;
    my /= STEPS;
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < STEPS; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    assertThat(sxy / Math.sqrt(sxx * syy)).isCloseTo(0, within(Z / Math.sqrt(STEPS)));
  }

  // ---- prices ---------------------------------------------------------------------------------

  static Stream<Arguments> gridCases() {
    return Stream.of(
        Arguments.of(AAPL, 500L), Arguments.of(TSLA, 10L), Arguments.of(PENNY, HOUR_MS));
  }

  @ParameterizedTest
  @MethodSource("gridCases")
  void pricesAreOnTheCentGridAndNeverZeroOrNegative(SymbolSpec spec, long intervalMs) {
    PriceWalk walk = new PriceWalk(spec, SEED, intervalMs);
    double lowest = Double.MAX_VALUE;
    Tick offGrid = null;
    Tick notPositive = null;
    for (Tick t : ticks(walk, STEPS)) {
      lowest = Math.min(lowest, t.price());
      boolean grid =
          onCentGrid(t.price())
              && onCentGrid(t.open())
              && onCentGrid(t.high())
              && onCentGrid(t.low())
              && onCentGrid(t.change())
              && onCentGrid(t.changePct());
      if (!grid && offGrid == null) {
        offGrid = t;
      }
      boolean positive =
          t.price() >= 0.01
              && t.low() >= 0.01
              && t.open() >= 0.01
              && Double.isFinite(t.changePct());
      if (!positive && notPositive == null) {
        notPositive = t;
      }
    }
    assertThat(offGrid).as("first tick with a field off the cent grid").isNull();
    assertThat(notPositive).as("first tick with a price below one cent").isNull();
    if (spec == PENNY) {
      assertThat(lowest).as("the penny stock reached the floor").isEqualTo(0.01);
    }
  }

  @Test
  void firstTickIsTheStartPriceBeforeAnyMove() {
    SymbolSpec spec = AAPL.withStartPrice(189.5);
    Tick t = new PriceWalk(spec, SEED, 500).first(1_732_200_000_123L);

    assertThat(t.symbol()).isEqualTo("AAPL");
    assertThat(t.seq()).isEqualTo(1);
    assertThat(t.price()).isEqualTo(189.5);
    assertThat(t.open()).isEqualTo(189.5);
    assertThat(t.high()).isEqualTo(189.5);
    assertThat(t.low()).isEqualTo(189.5);
    assertThat(t.change()).isZero();
    assertThat(t.changePct()).isZero();
    assertThat(t.volume()).isZero();
    assertThat(t.ts()).isEqualTo(1_732_200_000_123L);
  }

  @Test
  void startPriceIsRoundedToTheCent() {
    Tick t = new PriceWalk(AAPL.withStartPrice(12.3449), SEED, 500).first(0);
    assertThat(t.price()).isEqualTo(12.34);
    assertThat(t.open()).isEqualTo(12.34);
  }

  @Test
  void seqStartsAtOneAndHasNoHoles() {
    List<Tick> ticks = ticks(new PriceWalk(MSFT, SEED, 500), 10_000);
    for (int i = 0; i < ticks.size(); i++) {
      assertThat(ticks.get(i).seq()).isEqualTo(i + 1);
    }
  }

  @Test
  void sameSeedSymbolAndIntervalGiveTheIdenticalPath() {
    List<Tick> a = ticks(new PriceWalk(AAPL, SEED, 500), 5_000);
    List<Tick> b = ticks(new PriceWalk(AAPL, SEED, 500), 5_000);
    assertThat(a).isEqualTo(b);
  }

  @Test
  void anotherSeedSymbolOrIntervalGivesAnotherPath() {
    List<Double> base = prices(new PriceWalk(AAPL, SEED, 500), 2_000);
    assertThat(prices(new PriceWalk(AAPL, SEED + 1, 500), 2_000)).isNotEqualTo(base);
    assertThat(prices(new PriceWalk(AAPL, SEED, 250), 2_000)).isNotEqualTo(base);
    // Same parameters under another name: a different random stream.
    SymbolSpec twin = new SymbolSpec("AAPL2", "Twin", 189.5, 0.26, 0.08, 400);
    assertThat(prices(new PriceWalk(twin, SEED, 500), 2_000)).isNotEqualTo(base);
    assertThat(PriceWalk.streamSeed(SEED, "AAPL"))
        .isNotEqualTo(PriceWalk.streamSeed(SEED, "AAPL2"))
        .isNotEqualTo(PriceWalk.streamSeed(SEED + 1, "AAPL"));
  }

  private static List<Double> prices(PriceWalk walk, int n) {
    return ticks(walk, n).stream().map(Tick::price).toList();
  }

  @Test
  void pathOfASymbolDoesNotDependOnTheOtherSymbols() {
    List<Tick> alone = ticks(new PriceWalk(AAPL, SEED, 500), 3_000);

    // The same symbol in a market of three, stepped in turn with the others.
    PriceWalk aapl = new PriceWalk(AAPL, SEED, 500);
    PriceWalk msft = new PriceWalk(MSFT, SEED, 500);
    PriceWalk tsla = new PriceWalk(TSLA, SEED, 500);
    List<Tick> inMarket = new ArrayList<>();
    msft.first(1_000);
    inMarket.add(aapl.first(1_000));
    tsla.first(1_000);
    for (int i = 1; i < 3_000; i++) {
      tsla.next(1_000 + i);
      msft.next(1_000 + i);
      inMarket.add(aapl.next(1_000 + i));
      if (i % 3 == 0) {
        tsla.next(1_000 + i); // the others tick more often: still no influence
      }
    }
    assertThat(inMarket).isEqualTo(alone);
  }

  // ---- session fields -------------------------------------------------------------------------

  @Test
  void openHighLowAndChangeAreConsistentWithThePrice() {
    SymbolSpec spec = TSLA;
    List<Tick> ticks = ticks(new PriceWalk(spec, SEED, 500), 50_000);
    double open = Math.round(spec.startPrice() * 100) / 100.0;
    double high = open;
    double low = open;
    boolean moved = false;
    for (Tick t : ticks) {
      high = Math.max(high, t.price());
      low = Math.min(low, t.price());
      moved |= t.price() != open;
      assertThat(t.open()).as("open at seq %d", t.seq()).isEqualTo(open);
      assertThat(t.high()).as("high at seq %d", t.seq()).isEqualTo(high);
      assertThat(t.low()).as("low at seq %d", t.seq()).isEqualTo(low);
      assertThat(t.high()).isGreaterThanOrEqualTo(t.price());
      assertThat(t.price()).isGreaterThanOrEqualTo(t.low());
      assertThat(t.change())
          .as("change at seq %d", t.seq())
          .isEqualTo(Math.round((t.price() - t.open()) * 100) / 100.0)
          .isCloseTo(t.price() - t.open(), within(0.005 + 1e-9));
      assertThat(t.changePct())
          .as("changePct at seq %d", t.seq())
          .isCloseTo((t.price() - t.open()) / t.open() * 100, within(0.005 + 1e-9));
    }
    assertThat(moved).isTrue();
    assertThat(high).isGreaterThan(open);
    assertThat(low).isLessThan(open);
  }

  @Test
  void volumeNeverDecreasesAndGrowsByTheMeanLot() {
    int n = 50_000;
    List<Tick> ticks = ticks(new PriceWalk(AAPL, SEED, 500), n);
    assertThat(ticks.get(0).volume()).isZero();
    for (int i = 1; i < n; i++) {
      assertThat(ticks.get(i).volume())
          .as("volume at seq %d", i + 1)
          .isGreaterThanOrEqualTo(ticks.get(i - 1).volume());
    }
    // Lots are exponential with mean meanLot: their standard deviation is meanLot too.
    double meanLot = (double) ticks.get(n - 1).volume() / (n - 1);
    assertThat(meanLot).isCloseTo(AAPL.meanLot(), within(Z * AAPL.meanLot() / Math.sqrt(n - 1)));
  }

  @Test
  void newSessionResetsOpenHighLowAndVolume() {
    PriceWalk reference = new PriceWalk(TSLA, SEED, 500);
    PriceWalk walk = new PriceWalk(TSLA, SEED, 500);
    List<Tick> before = ticks(walk, 2_000);
    ticks(reference, 2_000);
    Tick last = before.get(before.size() - 1);
    assertThat(last.high()).isGreaterThan(last.low());

    walk.newSession();
    Tick ref = reference.next(5_000);
    Tick t = walk.next(5_000);

    // The same move, only the session fields start again from the last price.
    assertThat(t.seq()).isEqualTo(last.seq() + 1).isEqualTo(ref.seq());
    assertThat(t.price()).isEqualTo(ref.price());
    assertThat(t.open()).isEqualTo(last.price());
    assertThat(t.high()).isEqualTo(Math.max(last.price(), t.price()));
    assertThat(t.low()).isEqualTo(Math.min(last.price(), t.price()));
    assertThat(t.change()).isEqualTo(Math.round((t.price() - last.price()) * 100) / 100.0);
    assertThat(t.volume()).isEqualTo(ref.volume() - last.volume()).isPositive();
    assertThat(t.volume()).isLessThan(last.volume());
  }

  @Test
  void aWalkRestoredFromAnotherWalksStateContinuesExactlyAsItWould() {
    PriceWalk original = new PriceWalk(AAPL, SEED, 500);
    original.first(0);
    Tick last = null;
    for (int i = 0; i < 300; i++) {
      last = original.next(i);
    }
    WalkState state = original.state(0, last, 42);
    PriceWalk successor = new PriceWalk(AAPL, SEED, 500);
    successor.restore(state);
    for (int i = 0; i < 300; i++) {
      assertThat(successor.next(1000 + i)).isEqualTo(original.next(1000 + i));
    }
  }

  @Test
  void aRestoredWalkAfterANewSessionKeepsThatSessionsOpen() {
    PriceWalk original = new PriceWalk(MSFT, SEED, 500);
    original.first(0);
    for (int i = 0; i < 50; i++) {
      original.next(i);
    }
    original.newSession();
    Tick last = original.next(60);
    PriceWalk successor = new PriceWalk(MSFT, SEED, 500);
    successor.restore(original.state(1, last, 0));
    assertThat(successor.next(61)).isEqualTo(original.next(61));
  }
}
