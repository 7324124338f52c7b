package io.stockstream.protocol;

import io.vertx.core.buffer.Buffer;

/** The market opened or closed; {@code frame} is the encoded {@code market} frame. */
public record MarketEvent(boolean open, long ts, Buffer frame) {}
