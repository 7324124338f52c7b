package io.stockstream.archfixture.stray.protocol;

/** A class in a layer. */
public record Word(String text) {}
