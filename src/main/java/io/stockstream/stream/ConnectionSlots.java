package io.stockstream.stream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node-wide cap on connections, shared by every web event loop: {@code MAX_CONNECTIONS} for
 * WebSockets, {@code MAX_HTTP_CONNECTIONS} for public-port connections not (yet) upgraded.
 */
public final class ConnectionSlots {

  private final int maxConnections;
  private final AtomicInteger open = new AtomicInteger();

  public ConnectionSlots(int maxConnections) {
    this.maxConnections = maxConnections;
  }

  /** Takes a slot; false when the node is full. */
  public boolean tryReserve() {
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

  public void release() {
    open.decrementAndGet();
  }

  /**
   * Slots taken: the gauge {@code stockstream_ws_connections} (WebSockets open or being upgraded)
   * or {@code stockstream_http_connections}.
   */
  public int open() {
    return open.get();
  }
}
