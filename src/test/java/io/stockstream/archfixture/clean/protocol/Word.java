package io.stockstream.archfixture.clean.protocol;

/** The clean fixture's leaf. */
public record Word(String text) {}
