package io.stockstream.lifecycle;

/**
 * Whether this node serves or drains: set once by the shutdown path, read by the handshake (which
 * refuses while draining) and by readiness.
 */
public final class Lifecycle {

  private volatile boolean draining;

  /** From now on the node is not ready and accepts no handshake. */
  public void startDraining() {
    draining = true;
  }

  public boolean draining() {
    return draining;
  }
}
