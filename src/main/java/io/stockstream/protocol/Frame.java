package io.stockstream.protocol;

/** The {@code type} of a server frame, as the contract names it (and as metrics label it). */
public enum Frame {
  WELCOME,
  SUBSCRIBED,
  UNSUBSCRIBED,
  TICK,
  PONG,
  PRESENCE,
  MARKET,
  ERROR,
  DRAINING
}
