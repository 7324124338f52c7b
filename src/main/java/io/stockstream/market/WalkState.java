package io.stockstream.market;

import io.stockstream.protocol.Tick;

/**
 * The last published tick of one symbol with what its walk needs to continue from it: the state a
 * cluster keeps, so that a new feed leader goes on where the old one stopped.
 *
 * @param index the symbol's position in {@link MarketData}
 * @param last the last tick published, re-published unchanged by a new leader
 * @param logPrice the walk's unrounded log price after {@code last}
 * @param madeNanos epoch nanoseconds at which {@code last} was made
 */
public record WalkState(int index, Tick last, double logPrice, long madeNanos) {}
