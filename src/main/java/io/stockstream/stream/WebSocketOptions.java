package io.stockstream.stream;

import io.vertx.core.http.HttpServerOptions;

/**
 * The WebSocket limits of {@code /ws}, written once: the server options carry them, and the hub
 * relies on the same numbers when it closes connections.
 */
public final class WebSocketOptions {

  /** The contract's limit on a client frame and message: over it the connection closes (1009). */
  public static final int MAX_MESSAGE_BYTES = 64 * 1024;

  /** How long Vert.x waits for the client's close frame after sending its own. */
  public static final int CLOSING_TIMEOUT_S = 5;

  private WebSocketOptions() {}

  /** Sets the WebSocket options of the public port's server. */
  public static HttpServerOptions applyTo(HttpServerOptions options) {
    return options
        .setMaxWebSocketFrameSize(MAX_MESSAGE_BYTES)
        .setMaxWebSocketMessageSize(MAX_MESSAGE_BYTES)
        // Ticks are small; compression would cost memory per socket and invite bombs.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setWebSocketClosingTimeout(CLOSING_TIMEOUT_S);
  }
}
