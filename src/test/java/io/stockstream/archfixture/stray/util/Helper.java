package io.stockstream.archfixture.stray.util;

import io.stockstream.archfixture.stray.protocol.Word;

/** A class in a package no layer names, which the layer rule alone would never look at. */
public final class Helper {
  public Word word() {
    return new Word("stray");
  }
}
