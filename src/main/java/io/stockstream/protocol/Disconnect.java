package io.stockstream.protocol;

/** Why a WebSocket connection ended, as the contract's {@code reason} label names it. */
public enum Disconnect {
  CLIENT,
  SLOW_CONSUMER,
  ABUSE,
  IDLE,
  SHUTDOWN,
  ERROR
}
