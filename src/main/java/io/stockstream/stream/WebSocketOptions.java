package io.stockstream.stream;

import io.vertx.core.http.HttpServerOptions;

/**
 * The WebSocket limits of {@code /ws}, written once, and what its upgrade needs of the server's
 * options.
 */
public final class WebSocketOptions {

  /** The contract's limit on a client frame and message: over it the connection closes (1009). */
  public static final int MAX_MESSAGE_BYTES = 64 * 1024;

  /** How long the server waits for the client's close frame after sending its own, at most. */
  public static final int CLOSING_TIMEOUT_S = 5;

  private WebSocketOptions() {}

  /**
   * Sets what {@link WebSocketUpgrade} needs of the public port's server: HTTP/1.x connections
   * whose pipeline holds only Vert.x's codec and handler, which the upgrade replaces. With
   * clear-text HTTP/2 on, Vert.x's h2c handler would still be in it, in the middle of its read.
   * Compression is never negotiated: ticks are small, and it would cost memory per socket.
   */
  public static HttpServerOptions applyTo(HttpServerOptions options) {
    return options.setHttp2ClearTextEnabled(false);
  }
}
