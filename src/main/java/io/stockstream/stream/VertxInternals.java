package io.stockstream.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every use of Vert.x and Netty internals in the service, in one adapter, checked once at start by
 * {@link #check()} so that a Vert.x upgrade that breaks one fails the start with one clear line
 * instead of silently losing a behaviour. Each behaviour has a canary test ({@code
 * VertxInternalsCanaryTest}).
 *
 * <p>The service relies on them for taking an accepted {@code /ws} handshake's connection away from
 * Vert.x's HTTP server ({@link #takeOver}), so that the socket's pipeline holds only Netty's frame
 * decoder, its UTF-8 validator and the hub's handler, and none of Vert.x's per-socket WebSocket
 * objects; for writing ready-made frames to plain TCP sockets past Netty's outbound buffer, to the
 * socket's descriptor; for the bytes of a Vert.x buffer without a copy; and for resetting a plain
 * HTTP connection. The request is only the server's own one, not vertx-web's wrapper, hence {@code
 * /ws} is routed before the Router.
 */
public final class VertxInternals {

  /** Vert.x's names for its HTTP/1.x codec in a server connection's pipeline. */
  private static final String HTTP_DECODER = "httpDecoder";

  private VertxInternals() {}

  /**
   * Fails with one line naming what no longer holds when this Vert.x lacks an internal the service
   * relies on.
   */
  public static void check() {
    try {
      if (!(Buffer.buffer("x") instanceof BufferInternal)) {
        throw broken("Buffer is no longer a BufferInternal");
      }
      if (!ConnectionBase.class.isAssignableFrom(Http1xServerConnection.class)) {
        throw broken("Http1xServerConnection is no longer a ConnectionBase");
      }
      if (!HttpServerMetrics.class.isAssignableFrom(
          Http1xServerConnection.class.getMethod("metrics").getReturnType())) {
        throw broken("Http1xServerConnection's metrics are no longer HttpServerMetrics");
      }
    } catch (NoSuchMethodException | LinkageError e) {
      throw broken(e.toString());
    }
  }

  private static IllegalStateException broken(String what) {
    return new IllegalStateException(
        "this Vert.x is incompatible with stockstream's WebSocket layer: " + what);
  }

  /**
   * Takes the connection of an accepted WebSocket handshake away from Vert.x, on its event loop:
   * writes {@code switching} (the complete {@code 101} response) for the caller to flush, closes
   * Vert.x's books on the request and the connection (its HTTP metrics count a {@code /ws}
   * connection until here, the hub's own from here), removes Vert.x's handler and HTTP codec, which
   * leaves Vert.x's connection object to the collector, and puts {@code handlers} in their place,
   * in order, after TLS when on. What the client sent past the request goes to the first of them.
   *
   * @return the context of the first of {@code handlers}, or null when the client has already gone
   *     (then nothing was written and the pipeline is unchanged)
   */
  static ChannelHandlerContext takeOver(
      HttpServerRequest req, ByteBuf switching, Map<String, ChannelHandler> handlers) {
    ConnectionBase conn = (ConnectionBase) req.connection();
    Channel channel = conn.channel();
    if (!channel.eventLoop().inEventLoop()) {
      switching.release();
      throw new IllegalStateException("a WebSocket upgrade off its connection's event loop");
    }
    if (!channel.isActive()) {
      switching.release();
      return null;
    }
    closeBooks(req, conn);
    ChannelPipeline pipeline = channel.pipeline();
    ChannelHandlerContext decoder = pipeline.context(HTTP_DECODER);
    if (decoder == null) {
      switching.release();
      throw broken("no '" + HTTP_DECODER + "' in " + pipeline.names());
    }
    // From the decoder's context the response meets only TLS on its way out. Not flushed: the
    // caller's first frames follow it in the same send, one segment for the client to wake to.
    decoder.write(switching, decoder.voidPromise());
    List<String> vertxHandlers = new ArrayList<>();
    for (Map.Entry<String, ChannelHandler> h : pipeline) {
      if (!(h.getValue() instanceof SslHandler) && !h.getKey().equals(HTTP_DECODER)) {
        vertxHandlers.add(h.getKey());
      }
    }
    vertxHandlers.forEach(pipeline::remove);
    handlers.forEach(pipeline::addLast);
    pipeline.remove(HTTP_DECODER);
    // The gate paused the request, which may have stopped reading.
    channel.config().setAutoRead(true);
    return pipeline.context(handlers.values().iterator().next());
  }

  /**
   * Reports the upgrade request as answered and its connection as gone to Vert.x's HTTP server
   * metrics, as Vert.x's own upgrade and its end would: nothing will tell them later.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void closeBooks(HttpServerRequest req, ConnectionBase conn) {
    HttpServerMetrics metrics = ((Http1xServerConnection) conn).metrics();
    if (metrics == null) {
      return;
    }
    Object request = ((HttpServerRequestInternal) req).metric();
    req.response().setStatusCode(101);
    if (request != null) {
      metrics.requestEnd(request, (HttpRequest) req, 0);
      metrics.responseBegin(request, (HttpResponse) req.response());
      metrics.responseEnd(request, (HttpResponse) req.response(), 0);
    }
    metrics.disconnected(conn.metric(), conn.remoteAddress());
  }

  /** The bytes of a Vert.x buffer as Netty's, without a copy; its indices are the view's own. */
  static ByteBuf bytes(Buffer buffer) {
    return ((BufferInternal) buffer).getByteBuf();
  }

  /**
   * The socket's own descriptor, for {@link Connection} to write ready-made frames straight to
   * while Netty holds none of the socket's bytes; null where that cannot be done. It can where the
   * socket is plain TCP on Netty's epoll transport (the server's default on Linux) and nothing
   * between {@code out} and the socket handles outbound data (so not under TLS), and where the
   * caller runs on the socket's event loop, which is also where Netty closes the descriptor: a
   * check of {@link FileDescriptor#isOpen()} just before a write then cannot be overtaken by the
   * close (after which the number could name another socket). A frame written there costs one
   * {@code send}, without Netty's outbound entry, its pending-bytes accounting and the walk of the
   * pipeline for the write and for the flush. Written with {@code send}, as Netty writes one
   * buffer: a plain {@code write} goes through the kernel's file layer first, some 2% more of the
   * CPU.
   */
  static Socket directSocket(ChannelHandlerContext out) {
    if (!(out.channel() instanceof EpollSocketChannel channel)
        || !(channel.fd() instanceof Socket socket)
        || !channel.eventLoop().inEventLoop()) {
      return null;
    }
    for (Map.Entry<String, ChannelHandler> h : out.pipeline()) {
      if (h.getValue() == out.handler()) {
        return socket;
      }
      if (h.getValue() instanceof ChannelOutboundHandler) {
        return null;
      }
    }
    throw new IllegalStateException("the WebSocket's frame output left its pipeline");
  }

  /**
   * Drops the TCP connection at once, from the first handler straight to the socket, without
   * waiting for queued writes to be flushed, which never happens for a peer that reads nothing.
   *
   * @return false when the connection was already closed
   */
  static boolean abort(Channel channel) {
    if (!channel.isOpen()) {
      return false;
    }
    ChannelHandlerContext first = channel.pipeline().firstContext();
    if (first != null) {
      first.close();
    } else {
      channel.close();
    }
    return true;
  }

  /**
   * Resets an HTTP connection of the server at once: SO_LINGER 0, so that closing sends an RST,
   * then the close from the first handler, as {@link #abort(Channel)} does. {@link
   * HttpConnection#close()} would first wait for queued response bytes to be flushed, which never
   * happens for a peer that stopped reading; and a plain close would leave the kernel sending what
   * it holds to a peer that reads one byte a second, long after the socket left the process.
   *
   * @return false when the connection was already closed
   */
  public static boolean reset(HttpConnection conn) {
    Channel channel = ((ConnectionBase) conn).channel();
    if (channel.isOpen()) {
      channel.config().setOption(ChannelOption.SO_LINGER, 0);
    }
    return abort(channel);
  }
}
