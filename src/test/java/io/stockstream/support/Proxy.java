package io.stockstream.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.netcrusher.NetCrusherException;
import org.netcrusher.core.meter.RateMeters;
import org.netcrusher.core.reactor.NioReactor;
import org.netcrusher.core.throttle.rate.ByteRateThrottler;
import org.netcrusher.tcp.TcpCrusher;
import org.netcrusher.tcp.TcpCrusherBuilder;

/**
 * A TCP proxy on a free loopback port in front of a node's port, for faults a network makes: it can
 * freeze every connection through it (nothing forwarded either way and nothing closed: the peer
 * vanished without a FIN), drop them (both sides closed), and throttle what the server sends to the
 * client. It wraps netcrusher, which runs its own selector thread. Every method but {@link #port}
 * waits for that thread: call them from a test or worker thread, never from an event loop.
 */
public final class Proxy implements AutoCloseable {

  private final NioReactor reactor;
  private final TcpCrusher crusher;
  private final int port;

  private Proxy(NioReactor reactor, TcpCrusher crusher, int port) {
    this.reactor = reactor;
    this.crusher = crusher;
    this.port = port;
  }

  /** How a proxy is built; the defaults forward at full speed with netcrusher's own buffers. */
  public static final class Builder {
    private final int target;
    private long serverToClientBytesPerSecond;
    private int bufferBytes;
    private int receiveBufferBytes;
    private boolean reset;

    private Builder(int target) {
      this.target = target;
    }

    /**
     * Lets at most this many bytes a second from the server through to the client; the client's own
     * frames are not slowed.
     */
    public Builder throttleServerToClient(long bytesPerSecond) {
      this.serverToClientBytesPerSecond = bytesPerSecond;
      return this;
    }

    /**
     * Holds at most this many bytes in each direction inside the proxy (two buffers of half), and
     * asks the kernel for receive buffers of the same size, so that the proxy itself stores little
     * of what it cannot pass on yet and back-pressure reaches the server soon.
     */
    public Builder smallBuffers(int bytes) {
      this.bufferBytes = bytes;
      this.receiveBufferBytes = bytes;
      return this;
    }

    /** Drops connections with a reset (SO_LINGER 0) instead of an orderly FIN. */
    public Builder resetOnDrop() {
      this.reset = true;
      return this;
    }

    /** Opens the proxy on a free loopback port. */
    public Proxy start() {
      NetCrusherException last = null;
      // A free port found by binding port 0 can be taken again before the proxy binds it.
      for (int attempt = 0; attempt < 5; attempt++) {
        int port = freePort();
        NioReactor reactor = reactor();
        try {
          return new Proxy(reactor, build(port, reactor).buildAndOpen(), port);
        } catch (NetCrusherException e) {
          reactor.close();
          if (!(rootCause(e) instanceof BindException)) {
            throw e;
          }
          last = e;
        }
      }
      throw last;
    }

    private TcpCrusherBuilder build(int port, NioReactor reactor) {
      TcpCrusherBuilder b =
          TcpCrusherBuilder.builder()
              .withReactor(reactor)
              .withBindAddress("127.0.0.1", port)
              .withConnectAddress("127.0.0.1", target)
              .withConnectionTimeoutMs(5_000);
      if (bufferBytes > 0) {
        b.withBufferCount(2).withBufferSize(Math.max(1, bufferBytes / 2));
      }
      if (receiveBufferBytes > 0) {
        b.withRcvBufferSize(receiveBufferBytes);
      }
      if (reset) {
        b.withLingerMs(0);
      }
      if (serverToClientBytesPerSecond > 0) {
        long rate = serverToClientBytesPerSecond;
        // "Incoming" is netcrusher's name for the server-to-client direction.
        b.withIncomingThrottlerFactory(client -> new ByteRateThrottler(rate, 1, TimeUnit.SECONDS));
      }
      return b;
    }
  }

  /** A proxy to {@code targetPort} on loopback, to configure and {@link Builder#start}. */
  public static Builder to(int targetPort) {
    return new Builder(targetPort);
  }

  /** The port clients connect to instead of the node's. */
  public int port() {
    return port;
  }

  /**
   * Stops forwarding in both directions and accepting new connections, without closing anything:
   * each side's bytes pile up in the proxy's sockets until their buffers are full.
   */
  public void freeze() {
    crusher.freeze();
  }

  /** Forwards again whatever piled up, and what comes after. */
  public void unfreeze() {
    crusher.unfreeze();
  }

  /**
   * Drops every connection through the proxy, closing both of its sockets (with a FIN, or a reset
   * with {@link Builder#resetOnDrop}); the proxy still accepts new ones.
   */
  public void dropAll() {
    crusher.closeAllPairs();
  }

  /** How many connections go through the proxy now. */
  public int connections() {
    return crusher.getClientAddresses().size();
  }

  /** Bytes the proxy has written to the server so far, over all its open connections. */
  public long bytesToServer() {
    long sum = 0;
    for (InetSocketAddress client : crusher.getClientAddresses()) {
      RateMeters meters = crusher.getClientByteMeters(client);
      if (meters != null) {
        // The pair's "sent" meter is what its outer socket, the one to the server, wrote.
        sum += meters.getSentMeter().getTotalCount();
      }
    }
    return sum;
  }

  /** Bytes the proxy has written to its clients so far, over all its open connections. */
  public long bytesToClients() {
    long sum = 0;
    for (InetSocketAddress client : crusher.getClientAddresses()) {
      RateMeters meters = crusher.getClientByteMeters(client);
      if (meters != null) {
        // The pair's "read" meter is what its inner socket, the one to the client, wrote.
        sum += meters.getReadMeter().getTotalCount();
      }
    }
    return sum;
  }

  @Override
  public void close() {
    try {
      crusher.close();
    } finally {
      reactor.close();
    }
  }

  private static NioReactor reactor() {
    try {
      // A 5 ms tick: the throttle's granularity, and how soon a frozen pair notices anything.
      return new NioReactor(5);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }
}
