package io.stockstream.protocol;

import io.vertx.core.buffer.Buffer;

/** A symbol's viewer count changed; {@code frame} is the encoded {@code presence} frame. */
public record PresenceEvent(int index, int viewers, Buffer frame) {}
