package io.stockstream.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.function.IntConsumer;

/**
 * Every use of Vert.x and Netty internals in the service, in one adapter, checked once at start by
 * {@link #check()} so that a Vert.x upgrade that breaks one fails the start with one clear line
 * instead of silently losing a behaviour. Each behaviour has a canary test ({@code
 * VertxInternalsCanaryTest}).
 *
 * <p>The service relies on them for writing one encoded text frame to many sockets without a copy
 * (Vert.x's public API only makes text frames from a {@code String}, encoded again per socket);
 * reaching the socket's Netty pipeline, to consolidate flushes, to cap the kernel's send buffer, to
 * check and guard the frames a client sends (and fold the empty fragments Vert.x would lose) and to
 * drop a stuck connection; reaching the channel of a plain HTTP connection, to reset it; and
 * telling an over-long fragmented message from other errors, which Vert.x reports only as an {@code
 * IllegalStateException} whose message says so. The pipeline is only reachable from a socket that
 * came from the server's own request, not from vertx-web's wrapper, hence {@code /ws} is routed
 * before the Router.
 */
public final class VertxInternals {

  private static final String SERVER_WEBSOCKET_IMPL = "io.vertx.core.http.impl.ServerWebSocketImpl";
  private static final String HTTP1_SERVER_CONNECTION =
      "io.vertx.core.http.impl.Http1xServerConnection";
  private static final String MESSAGE_TOO_BIG = "max message size";
  static final String FLUSH_CONSOLIDATION = "flush-consolidation";
  static final String EMPTY_FRAGMENTS = "empty-fragments";
  static final String UTF8_VALIDATOR = "utf8-validator";
  static final String PROTOCOL_GUARD = "protocol-guard";

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
      Class<?> impl = Class.forName(SERVER_WEBSOCKET_IMPL);
      if (!WebSocketInternal.class.isAssignableFrom(impl)) {
        throw broken(SERVER_WEBSOCKET_IMPL + " is no longer a WebSocketInternal");
      }
      new WebSocketFrameImpl(WebSocketFrameType.TEXT, Unpooled.EMPTY_BUFFER, true);
      if (!ConnectionBase.class.isAssignableFrom(Class.forName(HTTP1_SERVER_CONNECTION))) {
        throw broken(HTTP1_SERVER_CONNECTION + " is no longer a ConnectionBase");
      }
    } catch (ClassNotFoundException | LinkageError e) {
      throw broken(e.toString());
    }
  }

  private static IllegalStateException broken(String what) {
    return new IllegalStateException(
        "this Vert.x is incompatible with stockstream's fan-out: " + what);
  }

  /**
   * Queues an encoded UTF-8 text frame on the socket. The frame wraps the buffer's bytes as
   * unreleasable, so one heap buffer backs every socket's write; each write gets its own slice and
   * indices. A write that fails means the socket is closing, which its close handler deals with, so
   * the write's own future is not needed.
   */
  static void writeText(ServerWebSocket ws, Buffer utf8) {
    ByteBuf bytes = ((BufferInternal) utf8).getByteBuf();
    ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, bytes, true));
  }

  /**
   * Completes the pipeline of an upgraded socket as {@code /ws} needs it: {@link
   * #consolidateFlushes}, {@link #foldEmptyFragments}, {@link #validateUtf8} and {@link
   * #guardProtocol}, in that order between Netty's decoder and Vert.x's handler.
   */
  public static void install(ServerWebSocket ws, IntConsumer onViolation) {
    consolidateFlushes(ws);
    foldEmptyFragments(ws);
    validateUtf8(ws);
    guardProtocol(ws, onViolation);
  }

  /**
   * Fails the connection on a frame that breaks RFC 6455 (or its UTF-8 rule, or the frame size) the
   * way the RFC says: a close frame with the status Netty's decoder found (1002, 1007 or 1009),
   * then the end of the TCP connection. Vert.x's own handler would close the channel at once on
   * such an exception, and when a fragmented message is under way it does so before any close frame
   * leaves, so the guard takes the exception before Vert.x sees it. {@code onViolation} hears the
   * close code first, on the socket's event loop.
   */
  static void guardProtocol(ServerWebSocket ws, IntConsumer onViolation) {
    ChannelHandlerContext vertxHandler = context(ws);
    vertxHandler
        .pipeline()
        .addBefore(vertxHandler.name(), PROTOCOL_GUARD, new ProtocolGuard(onViolation));
  }

  /**
   * Answers the first protocol violation of a connection with its close frame, then closes; and, as
   * RFC 6455 says of a failed connection, processes nothing the peer sends after it.
   */
  private static final class ProtocolGuard extends ChannelInboundHandlerAdapter {
    private final IntConsumer onViolation;
    private boolean failed;

    ProtocolGuard(IntConsumer onViolation) {
      this.onViolation = onViolation;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (failed) {
        // The UTF-8 validator stops checking once it has failed, so the rest of a bad message
        // would otherwise reach Vert.x, which would deliver it as lenient text.
        ReferenceCountUtil.release(msg);
        return;
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!(cause instanceof CorruptedWebSocketFrameException e)) {
        ctx.fireExceptionCaught(cause);
        return;
      }
      if (failed) {
        return;
      }
      failed = true;
      WebSocketCloseStatus status =
          e.closeStatus() != null ? e.closeStatus() : WebSocketCloseStatus.PROTOCOL_ERROR;
      onViolation.accept(status.code());
      // Closed from here, below Vert.x's handler, which would first send a close frame of its own
      // and wait for the client's answer, which the failed decoder no longer reads.
      ctx.writeAndFlush(new CloseWebSocketFrame(status.code(), reason(status)))
          .addListener(f -> ctx.close());
    }

    private static String reason(WebSocketCloseStatus status) {
      if (status.code() == WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code()) {
        return "text is not valid UTF-8";
      }
      if (status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
        return "frame over 64 KiB";
      }
      return "protocol error";
    }
  }

  /**
   * Vert.x flushes every frame written outside a channel read: one syscall per socket per tick.
   * Netty's flush consolidation defers the flush to the end of the event loop's current batch of
   * tasks, so ticks that reach a socket in the same batch leave in one write. Under light load this
   * adds no latency; under heavy load it saves most syscalls.
   */
  static void consolidateFlushes(ServerWebSocket ws) {
    ChannelHandlerContext vertxHandler = context(ws);
    vertxHandler
        .pipeline()
        .addBefore(
            vertxHandler.name(), FLUSH_CONSOLIDATION, new FlushConsolidationHandler(256, true));
  }

  /**
   * Vert.x's message aggregator ignores continuation frames while the message so far is empty, so a
   * fragmented message whose first fragment is empty never reaches the message handler (Autobahn
   * 6.1.2, 6.1.3). Empty leading fragments are folded into the next frame, which then starts the
   * message with their type; an empty final continuation ends it as an empty message.
   */
  static void foldEmptyFragments(ServerWebSocket ws) {
    ChannelHandlerContext vertxHandler = context(ws);
    vertxHandler
        .pipeline()
        .addBefore(vertxHandler.name(), EMPTY_FRAGMENTS, new EmptyFragmentFolder());
  }

  /** Holds back empty non-final data frames until a fragment with bytes, or the last, comes. */
  private static final class EmptyFragmentFolder extends ChannelInboundHandlerAdapter {
    private boolean holding;
    private boolean heldText;
    private int heldRsv;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if ((msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame)
          && !((WebSocketFrame) msg).isFinalFragment()
          && !((WebSocketFrame) msg).content().isReadable()) {
        WebSocketFrame start = (WebSocketFrame) msg;
        holding = true;
        heldText = start instanceof TextWebSocketFrame;
        heldRsv = start.rsv();
        start.release();
        return;
      }
      if (holding && msg instanceof ContinuationWebSocketFrame next) {
        if (!next.isFinalFragment() && !next.content().isReadable()) {
          next.release();
          return;
        }
        holding = false;
        // The new frame takes over the continuation's bytes, and with them its reference.
        ctx.fireChannelRead(
            heldText
                ? new TextWebSocketFrame(next.isFinalFragment(), heldRsv, next.content())
                : new BinaryWebSocketFrame(next.isFinalFragment(), heldRsv, next.content()));
        return;
      }
      ctx.fireChannelRead(msg);
    }
  }

  /**
   * Vert.x decodes text messages leniently (invalid UTF-8 becomes U+FFFD), where RFC 6455 requires
   * failing the connection with 1007. Netty's validator checks every text frame, fragments
   * included, as it comes off the decoder, and reports a bad one as a {@code
   * CorruptedWebSocketFrameException} with status 1007 to the socket's exception handler; it does
   * not close by itself, so the hub closes as for any other violation.
   */
  static void validateUtf8(ServerWebSocket ws) {
    ChannelHandlerContext vertxHandler = context(ws);
    vertxHandler
        .pipeline()
        .addBefore(vertxHandler.name(), UTF8_VALIDATOR, new Utf8FrameValidator(false));
  }

  /**
   * Caps the kernel's send buffer of an upgraded socket at {@code bytes} (Linux doubles what it is
   * asked for). Left alone, the kernel grows a socket's send buffer to megabytes (up to {@code
   * tcp_wmem}'s maximum, 4 MiB by default; on loopback at once), and what sits there is out of the
   * outbox's reach: a client on a slow link would read seconds to minutes of stale ticks, in order,
   * before its write queue ever filled and conflation began.
   */
  static void limitSendBuffer(ServerWebSocket ws, int bytes) {
    context(ws).channel().config().setOption(ChannelOption.SO_SNDBUF, bytes);
  }

  /**
   * Drops the TCP connection at once, from the first handler straight to the socket: Vert.x's own
   * close path first waits for queued writes to be flushed, which never happens for a peer that
   * reads nothing.
   *
   * @return false when the connection was already closed
   */
  static boolean abort(ServerWebSocket ws) {
    return abort(context(ws).channel());
  }

  /**
   * Resets an HTTP connection of the server at once: SO_LINGER 0, so that closing sends an RST,
   * then the close from the first handler, as {@link #abort(ServerWebSocket)} does. {@link
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

  private static boolean abort(Channel channel) {
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

  /** True for the error Vert.x raises when a fragmented message grows past its maximum size. */
  static boolean isMessageTooBig(Throwable t) {
    return t instanceof IllegalStateException
        && String.valueOf(t.getMessage()).contains(MESSAGE_TOO_BIG);
  }

  private static ChannelHandlerContext context(ServerWebSocket ws) {
    return ((WebSocketInternal) ws).channelHandlerContext();
  }
}
