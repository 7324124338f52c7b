package io.stockstream.protocol;

/**
 * Why the public port's connection guard closed an HTTP connection that had not upgraded to a
 * WebSocket: the {@code reason} label of {@code stockstream_http_connections_closed_total}.
 */
public enum GuardClose {
  /** No complete request head within 10 s of opening: a silent socket or a slowloris. */
  HEADER_TIMEOUT,
  /** No complete request head within 10 s of the previous response: a keep-alive gone quiet. */
  IDLE,
  /** A response not finished within {@code HTTP_RESPONSE_TIMEOUT_MS}: a peer that reads slowly. */
  RESPONSE_TIMEOUT,
  /** Closed on arrival: the node already held {@code MAX_HTTP_CONNECTIONS} of them. */
  CAPACITY
}
