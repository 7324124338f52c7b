package io.stockstream.web;

import io.stockstream.config.Config;
import io.stockstream.metrics.Meters;
import io.stockstream.protocol.GuardClose;
import io.stockstream.stream.ConnectionSlots;
import io.stockstream.stream.VertxInternals;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Closes the public port's HTTP connections that hold a file descriptor for nothing, until they
 * upgrade to a WebSocket: no request head within 10 s of opening or of the previous response, a
 * response unfinished after {@code HTTP_RESPONSE_TIMEOUT_MS}, or a node already at {@code
 * MAX_HTTP_CONNECTIONS}.
 */
public final class ConnectionGuard {

  /**
   * The contract's rule: a complete request head within 10 s of opening or of the last response.
   */
  static final long HEAD_TIMEOUT_MS = 10_000;

  /** How often a loop looks for deadlines passed: each is acted on within this much of its time. */
  static final long SWEEP_MS = 250;

  /** What the guard holds for one connection, from its opening to its upgrade or its end. */
  private static final class Guarded {
    final HttpConnection conn;

    /** The request being answered, or null between two. */
    HttpServerRequest current;

    /** A response has ended on it: a later head timeout is a keep-alive gone quiet. */
    boolean served;

    /** Upgraded or closed: no longer counted, no longer in a queue. */
    boolean gone;

    /** When the rule it waits under closes it, in {@link System#nanoTime()}. */
    long deadline;

    Guarded(HttpConnection conn) {
      this.conn = conn;
    }
  }

  private final Vertx vertx;
  private final ConnectionSlots capacity;
  private final Meters meters;
  private final long headNanos = TimeUnit.MILLISECONDS.toNanos(HEAD_TIMEOUT_MS);
  private final long responseNanos;

  // Touched only on this guard's event loop: nothing here is shared, so nothing is locked.
  private final Map<HttpConnection, Guarded> guarded = new IdentityHashMap<>();
  // Each queue holds deadlines of one length taken from one clock, so its insertion order is its
  // deadline order: arming is an append, disarming a removal, and a sweep reads only what is due.
  private final LinkedHashSet<Guarded> awaitingHead = new LinkedHashSet<>();
  private final LinkedHashSet<Guarded> responding = new LinkedHashSet<>();

  public ConnectionGuard(Vertx vertx, Config config, ConnectionSlots capacity, Meters meters) {
    this.vertx = vertx;
    this.capacity = capacity;
    this.meters = meters;
    this.responseNanos = TimeUnit.MILLISECONDS.toNanos(config.httpResponseTimeoutMs());
  }

  /**
   * Sets what the guard relies on in the public port's options: HTTP/1.x only. With clear-text
   * HTTP/2 on (Vert.x's default), a connection reaches the connection handler only after its first
   * bytes, which tell HTTP/2 from HTTP/1.x: a silent socket would never be seen.
   */
  public static HttpServerOptions applyTo(HttpServerOptions options) {
    return options.setHttp2ClearTextEnabled(false);
  }

  /**
   * Puts every connection of {@code server} under the guard before {@code requests} sees it, and
   * starts this loop's sweep. To be called on the verticle's context, before {@code listen}: the
   * sweep's timer then ends with the verticle.
   */
  public HttpServer install(HttpServer server, Handler<HttpServerRequest> requests) {
    vertx.setPeriodic(SWEEP_MS, id -> sweep());
    return server
        .connectionHandler(this::opened)
        .requestHandler(
            req -> {
              began(req);
              requests.handle(req);
            });
  }

  /** The handshake {@code req} has made its connection a WebSocket, which the hub now keeps. */
  public void upgraded(HttpServerRequest req) {
    Guarded g = guarded.get(req.connection());
    if (g != null) {
      forget(g);
    }
  }

  private void opened(HttpConnection conn) {
    if (!capacity.tryReserve()) {
      // Dropped before anything is read or written: a 503 would first need its request read,
      // which is what a flood of silent sockets never sends.
      meters.guardClosed(GuardClose.CAPACITY);
      VertxInternals.reset(conn);
      return;
    }
    Guarded g = new Guarded(conn);
    guarded.put(conn, g);
    // Never called once the connection has upgraded (Vert.x replaces its handler): upgraded()
    // forgets those.
    conn.closeHandler(v -> forget(g));
    arm(g, awaitingHead, headNanos);
  }

  private void began(HttpServerRequest req) {
    Guarded g = guarded.get(req.connection());
    if (g == null) {
      return;
    }
    if (req.version() == HttpVersion.HTTP_2) {
      // Streams overlap on HTTP/2, which one current request cannot follow. The public port
      // offers no HTTP/2 (no ALPN, no h2c), so this is for a future configuration only.
      forget(g);
      return;
    }
    g.current = req;
    arm(g, responding, responseNanos);
    // Called when the response's end() is called, or, for a file, once the file has been written;
    // vertx-web would replace it only for RoutingContext.addEndHandler, which nothing here uses.
    req.response().endHandler(v -> ended(g, req));
  }

  private void ended(Guarded g, HttpServerRequest req) {
    // A pipelined request may have begun before the end handler of the one before it ran.
    if (g.gone || g.current != req) {
      return;
    }
    g.current = null;
    g.served = true;
    arm(g, awaitingHead, headNanos);
  }

  private void arm(Guarded g, LinkedHashSet<Guarded> queue, long nanos) {
    awaitingHead.remove(g);
    responding.remove(g);
    g.deadline = System.nanoTime() + nanos;
    queue.add(g);
  }

  private void forget(Guarded g) {
    if (g.gone) {
      return;
    }
    g.gone = true;
    g.current = null;
    guarded.remove(g.conn);
    awaitingHead.remove(g);
    responding.remove(g);
    capacity.release();
  }

  private void sweep() {
    long now = System.nanoTime();
    for (Guarded g : due(awaitingHead, now)) {
      close(g, g.served ? GuardClose.IDLE : GuardClose.HEADER_TIMEOUT);
    }
    for (Guarded g : due(responding, now)) {
      close(g, GuardClose.RESPONSE_TIMEOUT);
    }
  }

  /** The connections of {@code queue} whose deadline has passed, copied: closing changes it. */
  private static List<Guarded> due(LinkedHashSet<Guarded> queue, long now) {
    List<Guarded> due = new ArrayList<>();
    for (Guarded g : queue) {
      if (g.deadline - now > 0) {
        break;
      }
      due.add(g);
    }
    return due;
  }

  private void close(Guarded g, GuardClose reason) {
    forget(g);
    meters.guardClosed(reason);
    // Not close(): that waits for queued response bytes to leave, which a slow reader never takes;
    // and a reset frees the kernel's buffers too, which a slow reader would keep filled.
    VertxInternals.reset(g.conn);
  }
}
