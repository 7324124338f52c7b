package io.stockstream.market;

/**
 * One simulated instrument: its ticker, company name and the parameters of its random walk.
 *
 * @param volatility annualised volatility of log returns (0.25 = 25 %)
 * @param drift annualised drift of the price
 * @param meanLot mean number of shares traded per tick
 */
public record SymbolSpec(
    String symbol, String name, double startPrice, double volatility, double drift, int meanLot) {

  public SymbolSpec {
    if (!(startPrice > 0)) {
      throw new IllegalArgumentException("start price of " + symbol + " must be positive");
    }
  }

  public SymbolSpec withStartPrice(double price) {
    return new SymbolSpec(symbol, name, price, volatility, drift, meanLot);
  }
}
