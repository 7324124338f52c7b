package io.stockstream.market;

import java.util.List;
import java.util.Optional;

/** The built-in market: real tickers with realistic start prices, volatilities and lot sizes. */
public final class Universe {

  private static final List<SymbolSpec> DEFAULT =
      List.of(
          new SymbolSpec("AAPL", "Apple Inc.", 189.50, 0.26, 0.08, 400),
          new SymbolSpec("MSFT", "Microsoft Corporation", 420.00, 0.24, 0.09, 250),
          new SymbolSpec("GOOGL", "Alphabet Inc.", 171.20, 0.29, 0.08, 300),
          new SymbolSpec("AMZN", "Amazon.com, Inc.", 185.30, 0.31, 0.09, 350),
          new SymbolSpec("NVDA", "NVIDIA Corporation", 121.40, 0.52, 0.15, 900),
          new SymbolSpec("META", "Meta Platforms, Inc.", 505.80, 0.36, 0.10, 180),
          new SymbolSpec("TSLA", "Tesla, Inc.", 248.50, 0.58, 0.05, 700),
          new SymbolSpec("BRK.B", "Berkshire Hathaway Inc.", 412.10, 0.16, 0.07, 80),
          new SymbolSpec("JPM", "JPMorgan Chase & Co.", 198.70, 0.23, 0.07, 200),
          new SymbolSpec("V", "Visa Inc.", 275.40, 0.19, 0.07, 120),
          new SymbolSpec("JNJ", "Johnson & Johnson", 152.30, 0.15, 0.04, 150),
          new SymbolSpec("WMT", "Walmart Inc.", 67.90, 0.18, 0.06, 500),
          new SymbolSpec("PG", "The Procter & Gamble Company", 166.20, 0.15, 0.05, 140),
          new SymbolSpec("XOM", "Exxon Mobil Corporation", 113.60, 0.25, 0.05, 300),
          new SymbolSpec("MA", "Mastercard Incorporated", 458.90, 0.20, 0.08, 70),
          new SymbolSpec("HD", "The Home Depot, Inc.", 352.10, 0.21, 0.06, 80),
          new SymbolSpec("KO", "The Coca-Cola Company", 62.80, 0.14, 0.04, 450),
          new SymbolSpec("PEP", "PepsiCo, Inc.", 171.40, 0.15, 0.04, 120),
          new SymbolSpec("COST", "Costco Wholesale Corporation", 812.50, 0.20, 0.09, 40),
          new SymbolSpec("ADBE", "Adobe Inc.", 512.30, 0.33, 0.07, 60),
          new SymbolSpec("NFLX", "Netflix, Inc.", 648.20, 0.38, 0.10, 60),
          new SymbolSpec("AMD", "Advanced Micro Devices, Inc.", 158.70, 0.48, 0.12, 600),
          new SymbolSpec("INTC", "Intel Corporation", 31.20, 0.40, 0.00, 1200),
          new SymbolSpec("DIS", "The Walt Disney Company", 101.80, 0.27, 0.05, 250));

  private Universe() {}

  public static List<SymbolSpec> defaults() {
    return DEFAULT;
  }

  /** The built-in parameters of a ticker, if the universe knows it. */
  public static Optional<SymbolSpec> lookup(String symbol) {
    return DEFAULT.stream().filter(s -> s.symbol().equals(symbol)).findFirst();
  }

  /** Parameters for a ticker the universe does not know: a typical large-cap stock. */
  public static SymbolSpec generic(String symbol, double startPrice) {
    return new SymbolSpec(symbol, symbol, startPrice, 0.30, 0.07, 200);
  }
}
