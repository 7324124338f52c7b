package io.stockstream.stream;

import java.util.concurrent.atomic.AtomicInteger;

/** The node's WebSocket capacity and drain state, shared by every web event loop. */
public final class Admission {

  private final int maxConnections;
  private final AtomicInteger open = new AtomicInteger();
  private volatile boolean draining;

  public Admission(int maxConnections) {
    this.maxConnections = maxConnections;
  }

  /** Takes a connection slot before the handshake is answered; false when the node is full. */
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

  public int openConnections() {
    return open.get();
  }

  /** From now on the node is not ready and accepts no handshake. */
  public void startDraining() {
    draining = true;
  }

  public boolean draining() {
    return draining;
  }
}
