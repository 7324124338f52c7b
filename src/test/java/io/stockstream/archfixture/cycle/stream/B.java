package io.stockstream.archfixture.cycle.stream;

import io.stockstream.archfixture.cycle.protocol.A;

/** A feature reaching down to the leaf, which reaches back. */
public final class B {
  public A down() {
    return new A();
  }
}
