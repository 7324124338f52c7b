package io.stockstream.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.core.net.impl.VertxHandler;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.function.IntConsumer;

/**
 * Every use of Vert.x and Netty internals in the service, in one adapter, checked once at start by
 * {@link #check()} so that a Vert.x upgrade that breaks one fails the start with one clear line
 * instead of silently losing a behaviour. Each behaviour has a canary test ({@code
 * VertxInternalsCanaryTest}).
 *
 * <p>The service relies on them for writing one ready-made frame to many sockets without a copy,
 * past Vert.x's per-write queue and Netty's frame encoder (Vert.x's public API only makes text
 * frames from a {@code String}, queued and encoded again per socket); reaching the socket's Netty
 * pipeline, to hear when it is writable again, to cap the kernel's send buffer, to check and guard
 * the frames a client sends (and fold the empty fragments Vert.x would lose) and to drop a stuck
 * connection; reaching the channel of a plain HTTP connection, to reset it; and telling an
 * over-long fragmented message from other errors, which Vert.x reports only as an {@code
 * IllegalStateException} whose message says so. The pipeline is only reachable from a socket that
 * came from the server's own request, not from vertx-web's wrapper, hence {@code /ws} is routed
 * before the Router.
 */
public final class VertxInternals {

  private static final String SERVER_WEBSOCKET_IMPL = "io.vertx.core.http.impl.ServerWebSocketImpl";
  private static final String HTTP1_SERVER_CONNECTION =
      "io.vertx.core.http.impl.Http1xServerConnection";
  private static final String MESSAGE_TOO_BIG = "max message size";
  private static final String DIRECT_QUEUE =
      "io.vertx.core.net.impl.VertxConnection$DirectOutboundMessageQueue";
  private static final String QUEUE_FIELD = "outboundMessageQueue";
  static final String WRITABILITY = "writability";
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
      if (!ConnectionBase.class.isAssignableFrom(Class.forName(HTTP1_SERVER_CONNECTION))) {
        throw broken(HTTP1_SERVER_CONNECTION + " is no longer a ConnectionBase");
      }
      if (!WebSocketFrameEncoder.class.isAssignableFrom(WebSocket13FrameEncoder.class)) {
        throw broken("Netty's WebSocket13FrameEncoder is no longer a WebSocketFrameEncoder");
      }
      DirectWrites.check();
    } catch (ClassNotFoundException | LinkageError e) {
      throw broken(e.toString());
    }
  }

  private static IllegalStateException broken(String what) {
    return new IllegalStateException(
        "this Vert.x is incompatible with stockstream's fan-out: " + what);
  }

  /** The bytes of a Vert.x buffer as Netty's, without a copy; its indices are the view's own. */
  static ByteBuf bytes(Buffer buffer) {
    return ((BufferInternal) buffer).getByteBuf();
  }

  /**
   * Where the hub writes complete, ready-made frames ({@link WireFrame}): the context of Netty's
   * WebSocket frame encoder, so that a write starts just past it and meets only what lies between
   * it and the socket (TLS, when on). This skips Vert.x's per-write queue and the walk of the whole
   * pipeline for every frame, and writes no frame header of its own. Everything the hub sends goes
   * this way, so its frames keep their order; only Vert.x's pings and close frames take Vert.x's
   * path, and they need no order with the ticks.
   */
  static ChannelHandlerContext frameOutput(ServerWebSocket ws) {
    ChannelHandlerContext encoder = context(ws).pipeline().context(WebSocketFrameEncoder.class);
    if (encoder == null) {
      throw new IllegalStateException("the WebSocket has no frame encoder in its pipeline");
    }
    return encoder;
  }

  /**
   * Lets Vert.x write a socket's own frames (pings, pongs, the close) straight to it, as Vert.x's
   * strict thread mode does for HTTP connections, instead of through a queue of its own. Everything
   * on a {@code /ws} socket is written on its event loop, and that queue, a 1024-slot chunk of some
   * 4.6 KB, would otherwise stay with every socket for as long as it is open: the largest part of
   * an idle connection's memory.
   */
  static void writeDirect(ServerWebSocket ws) {
    DirectWrites.install(((VertxHandler<?>) context(ws).handler()).getConnection());
  }

  /** The reflective handles of {@link #writeDirect}, found once. */
  private static final class DirectWrites {
    private static final Field QUEUE;
    private static final Constructor<?> DIRECT;
    private static final Throwable MISSING;

    static {
      Field queue = null;
      Constructor<?> direct = null;
      Throwable missing = null;
      try {
        queue = VertxConnection.class.getDeclaredField(QUEUE_FIELD);
        queue.setAccessible(true);
        direct = Class.forName(DIRECT_QUEUE).getDeclaredConstructor(VertxConnection.class);
        direct.setAccessible(true);
        if (!queue.getType().isAssignableFrom(direct.getDeclaringClass())) {
          missing = new IllegalStateException(DIRECT_QUEUE + " no longer fits " + QUEUE_FIELD);
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        missing = e;
      }
      QUEUE = queue;
      DIRECT = direct;
      MISSING = missing;
    }

    static void check() {
      if (MISSING != null) {
        throw broken("VertxConnection's direct write queue: " + MISSING);
      }
    }

    static void install(VertxConnection connection) {
      try {
        QUEUE.set(connection, DIRECT.newInstance(connection));
      } catch (ReflectiveOperationException e) {
        throw broken("VertxConnection's direct write queue: " + e);
      }
    }
  }

  /**
   * Completes the pipeline of an upgraded socket as {@code /ws} needs it: {@link
   * #foldEmptyFragments}, {@link #validateUtf8}, {@link #guardProtocol} and {@link #onWritable}, in
   * that order between Netty's decoder and Vert.x's handler.
   */
  public static void install(ServerWebSocket ws, IntConsumer onViolation, Runnable onWritable) {
    foldEmptyFragments(ws);
    validateUtf8(ws);
    guardProtocol(ws, onViolation);
    onWritable(ws, onWritable);
  }

  /**
   * Tells {@code listener} each time the socket's outbound buffer falls back under its low-water
   * mark (half of {@code WRITE_QUEUE_BYTES}). The hub writes past Vert.x's queue, so Vert.x's own
   * drain handler, which follows that queue, would not hear of it.
   */
  static void onWritable(ServerWebSocket ws, Runnable listener) {
    beforeVertx(ws, WRITABILITY, new WritabilityListener(listener));
  }

  private static final class WritabilityListener extends ChannelInboundHandlerAdapter {
    private final Runnable listener;

    WritabilityListener(Runnable listener) {
      this.listener = listener;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      ctx.fireChannelWritabilityChanged();
      if (ctx.channel().isWritable()) {
        listener.run();
      }
    }
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
    beforeVertx(ws, PROTOCOL_GUARD, new ProtocolGuard(onViolation));
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
   * Vert.x's message aggregator ignores continuation frames while the message so far is empty, so a
   * fragmented message whose first fragment is empty never reaches the message handler (Autobahn
   * 6.1.2, 6.1.3). Empty leading fragments are folded into the next frame, which then starts the
   * message with their type; an empty final continuation ends it as an empty message.
   */
  static void foldEmptyFragments(ServerWebSocket ws) {
    beforeVertx(ws, EMPTY_FRAGMENTS, new EmptyFragmentFolder());
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
    beforeVertx(ws, UTF8_VALIDATOR, new Utf8FrameValidator(false));
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

  /** Adds {@code handler} to the socket's pipeline just before Vert.x's own handler. */
  private static void beforeVertx(ServerWebSocket ws, String name, ChannelHandler handler) {
    ChannelHandlerContext vertxHandler = context(ws);
    vertxHandler.pipeline().addBefore(vertxHandler.name(), name, handler);
  }

  private static ChannelHandlerContext context(ServerWebSocket ws) {
    return ((WebSocketInternal) ws).channelHandlerContext();
  }
}
