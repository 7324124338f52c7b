package io.stockstream.stream;

import java.util.concurrent.atomic.AtomicInteger;

/** The node's WebSocket capacity ({@code MAX_CONNECTIONS}), shared by every web event loop. */
public final class ConnectionSlots {

  private final int maxConnections;
  private final AtomicInteger open = new AtomicInteger();

  public ConnectionSlots(int maxConnections) {
    this.maxConnections = maxConnections;
  }

  /** Takes a slot before the handshake is answered; false when the node is full. */
  boolean tryReserve() {
    while (true) {
      int n = open.get();
      if (n >= maxConnections) {
        return false;
      }
      if (open.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  void release() {
    open.decrementAndGet();
  }

  /** Connections open or being upgraded: the gauge {@code stockstream_ws_connections}. */
  public int open() {
    return open.get();
  }
}
