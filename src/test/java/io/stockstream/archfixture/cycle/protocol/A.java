package io.stockstream.archfixture.cycle.protocol;

import io.stockstream.archfixture.cycle.stream.B;

/** The leaf reaching up to a feature: an upward arrow that closes a cycle with {@link B}. */
public final class A {
  public B up() {
    return new B();
  }
}
