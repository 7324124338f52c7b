package io.stockstream.protocol;

/** One price update of one symbol, as the contract describes a {@code tick}. */
public record Tick(
    String symbol,
    long seq,
    double price,
    double open,
    double high,
    double low,
    double change,
    double changePct,
    long volume,
    long ts) {}
