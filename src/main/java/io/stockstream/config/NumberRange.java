package io.stockstream.config;

import java.util.function.LongSupplier;

/** The whole numbers a number setting accepts, and the value it takes when it is not given. */
public record NumberRange(long min, long max, LongSupplier fallback, String fallbackText) {

  public NumberRange {
    if (min > max) {
      throw new IllegalArgumentException("empty range " + min + ".." + max);
    }
  }

  /** A range with a fixed default, which is also the default's text. */
  static NumberRange of(long fallback, long min, long max) {
    return new NumberRange(min, max, () -> fallback, Long.toString(fallback));
  }

  /** A TCP port; 0 asks the system for a free one. */
  static NumberRange port(int fallback) {
    return of(fallback, 0, 65_535);
  }

  /** A port the other nodes are told, so it cannot be 0: no one can connect to "any free port". */
  static NumberRange advertisedPort(int fallback) {
    return of(fallback, 1, 65_535);
  }

  /** A range whose default depends on the machine, so its text says how instead of a number. */
  static NumberRange computed(LongSupplier fallback, String fallbackText, long min, long max) {
    return new NumberRange(min, max, fallback, fallbackText);
  }

  public long fallbackValue() {
    return fallback.getAsLong();
  }

  public boolean contains(long n) {
    return n >= min && n <= max;
  }

  /** As users read and write it, e.g. {@code 1..3600000}. */
  public String text() {
    return min + ".." + max;
  }
}
