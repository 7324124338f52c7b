package io.stockstream.protocol;

/** How a WebSocket handshake ended, as the contract's {@code outcome} label names it. */
public enum Handshake {
  ACCEPTED,
  REJECTED_ORIGIN,
  REJECTED_CAPACITY,
  REJECTED_AUTH,
  REJECTED_BAD_REQUEST
}
