package io.stockstream.archfixture.clean.metrics;

import io.stockstream.archfixture.clean.protocol.Word;

/** Metrics reaching down to protocol, as allowed. */
public final class Counter {
  public int count(Word word) {
    return word.text().length();
  }
}
