package io.stockstream.protocol;

/**
 * What one node measured of polling and push on the same data: the figures of {@code GET
 * /api/compare}. Averages are 0 before the first update.
 */
public record Comparison(
    long quoteResponses,
    long httpUpdates,
    double httpBytesPerUpdate,
    long pollsWithSince,
    double missedPerPoll,
    long tickFrames,
    double wsBytesPerUpdate,
    double fanoutP50Ms,
    double fanoutP99Ms) {}
