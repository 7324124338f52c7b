package io.stockstream.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * Every use of Vert.x and Netty internals in the service, in one adapter, checked once at start by
 * {@link #check()} so that a Vert.x upgrade that breaks one fails the start with one clear line
 * instead of silently losing a behaviour. Each behaviour has a canary test ({@code
 * VertxInternalsCanaryTest}).
 *
 * <p>The service relies on them for writing one ready-made frame to many sockets without a copy,
 * past Vert.x's per-write queue and Netty's frame encoder (Vert.x's public API only makes text
 * frames from a {@code String}, queued and encoded again per socket), and on plain TCP past Netty's
 * outbound buffer, to the socket's descriptor; reaching the socket's Netty pipeline, to hear when
 * it is writable again, to cap the kernel's send buffer, to check and guard the frames a client
 * sends (and fold the empty fragments Vert.x would lose) and to drop a stuck connection; reaching
 * the channel of a plain HTTP connection, to reset it; and telling an over-long fragmented message
 * from other errors, which Vert.x reports only as an {@code IllegalStateException} whose message
 * says so. The pipeline is only reachable from a socket that came from the server's own request,
 * not from vertx-web's wrapper, hence {@code /ws} is routed before the Router.
 */
public final class VertxInternals {

  private static final String SERVER_WEBSOCKET_IMPL = "io.vertx.core.http.impl.ServerWebSocketImpl";
  private static final String HTTP1_SERVER_CONNECTION =
      "io.vertx.core.http.impl.Http1xServerConnection";
  private static final String MESSAGE_TOO_BIG = "max message size";
  private static final String DIRECT_QUEUE =
      "io.vertx.core.net.impl.VertxConnection$DirectOutboundMessageQueue";
  private static final String QUEUE_FIELD = "outboundMessageQueue";
  private static final String FACTORY_FIELD = "connectionFactory";
  private static final String WEBSOCKET_BASE = "io.vertx.core.http.impl.WebSocketImplBase";
  private static final String HEADERS_FIELD = "headers";

  /** What the server socket's own class adds to a WebSocket: its handshake's description. */
  private static final List<String> DESCRIPTION_FIELDS =
      List.of("scheme", "authority", "uri", "path", "query");

  static final String UTF8_VALIDATOR = "utf8-validator";
  static final String WATCH = "hub-watch";

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
      Reflected.check();
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
   * The socket's own descriptor, for {@link Connection} to write ready-made frames straight to
   * while Netty holds none of the socket's bytes; null where that cannot be done. It can where the
   * socket is plain TCP on Netty's epoll transport (the server's default on Linux) and nothing
   * between {@link #frameOutput} and the socket handles outbound data (so not under TLS), and where
   * the caller runs on the socket's event loop, which is also where Netty closes the descriptor: a
   * check of {@link FileDescriptor#isOpen()} just before a write then cannot be overtaken by the
   * close (after which the number could name another socket). A frame written there costs one
   * {@code send}, without Netty's outbound entry, its pending-bytes accounting and the walk of the
   * pipeline for the write and for the flush. Written with {@code send}, as Netty writes one
   * buffer: a plain {@code write} goes through the kernel's file layer first, some 2% more of the
   * CPU.
   */
  static Socket directSocket(ServerWebSocket ws) {
    ChannelHandlerContext out = frameOutput(ws);
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
    throw new IllegalStateException("the WebSocket's frame encoder left its pipeline");
  }

  /**
   * Lets Vert.x write a socket's own frames (pings, pongs, the close) straight to it, as Vert.x's
   * strict thread mode does for HTTP connections, instead of through a queue of its own. Everything
   * on a {@code /ws} socket is written on its event loop, and that queue, a 1024-slot chunk of some
   * 4.6 KB, would otherwise stay with every socket for as long as it is open: the largest part of
   * an idle connection's memory.
   */
  static void writeDirect(ServerWebSocket ws) {
    Reflected.writeDirect(((VertxHandler<?>) context(ws).handler()).getConnection());
  }

  /**
   * Lets go of the handshake once the socket is a WebSocket. Vert.x's handler of the upgraded
   * socket keeps the function that made its connection, and through it the handshake's request,
   * response, headers, Netty request and HTTP connection with its handlers: some 2 KB that would
   * otherwise stay with every socket for as long as it is open. The function has been used once,
   * when the handler was added, and is not used again. The socket's own copy of the handshake goes
   * too (the hub reads it from the request, before the upgrade): {@code ws.headers()}, {@code
   * uri()}, {@code path()}, {@code query()}, {@code scheme()} and {@code authority()} are null from
   * then on.
   */
  static void forgetHandshake(ServerWebSocket ws) {
    Reflected.forgetHandshake((VertxHandler<?>) context(ws).handler(), ws);
  }

  /** The reflective handles of {@link #writeDirect} and {@link #forgetHandshake}, found once. */
  private static final class Reflected {
    private static final Function<ChannelHandlerContext, ?> USED =
        ctx -> {
          throw new IllegalStateException("this connection was already made");
        };
    private static final Field QUEUE;
    private static final Constructor<?> DIRECT;
    private static final Field FACTORY;
    private static final List<Field> HANDSHAKE;
    private static final Throwable MISSING;

    static {
      Field queue = null;
      Constructor<?> direct = null;
      Field factory = null;
      List<Field> handshake = List.of();
      Throwable missing = null;
      try {
        queue = VertxConnection.class.getDeclaredField(QUEUE_FIELD);
        queue.setAccessible(true);
        direct = Class.forName(DIRECT_QUEUE).getDeclaredConstructor(VertxConnection.class);
        direct.setAccessible(true);
        factory = VertxHandler.class.getDeclaredField(FACTORY_FIELD);
        factory.setAccessible(true);
        handshake = handshakeFields();
        if (!queue.getType().isAssignableFrom(direct.getDeclaringClass())) {
          missing = new IllegalStateException(DIRECT_QUEUE + " no longer fits " + QUEUE_FIELD);
        } else if (factory.getType() != Function.class) {
          missing = new IllegalStateException("VertxHandler's " + FACTORY_FIELD + " changed type");
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        missing = e;
      }
      QUEUE = queue;
      DIRECT = direct;
      FACTORY = factory;
      HANDSHAKE = handshake;
      MISSING = missing;
    }

    /**
     * The socket's copy of its handshake, each field by name (a Vert.x without one fails the
     * start): the headers, and the scheme, authority, URI, path and query.
     */
    private static List<Field> handshakeFields() throws ReflectiveOperationException {
      List<Field> fields = new ArrayList<>();
      fields.add(Class.forName(WEBSOCKET_BASE).getDeclaredField(HEADERS_FIELD));
      Class<?> impl = Class.forName(SERVER_WEBSOCKET_IMPL);
      for (String name : DESCRIPTION_FIELDS) {
        fields.add(impl.getDeclaredField(name));
      }
      for (Field f : fields) {
        f.setAccessible(true);
      }
      return List.copyOf(fields);
    }

    static void check() {
      if (MISSING != null) {
        throw broken("the fields an upgraded socket's memory is trimmed through: " + MISSING);
      }
    }

    static void writeDirect(VertxConnection connection) {
      try {
        QUEUE.set(connection, DIRECT.newInstance(connection));
      } catch (ReflectiveOperationException e) {
        throw broken("VertxConnection's direct write queue: " + e);
      }
    }

    static void forgetHandshake(VertxHandler<?> handler, ServerWebSocket ws) {
      try {
        FACTORY.set(handler, USED);
        for (Field f : HANDSHAKE) {
          f.set(ws, null);
        }
      } catch (IllegalAccessException e) {
        throw broken("forgetting an upgraded socket's handshake: " + e);
      }
    }
  }

  /**
   * Completes the pipeline of an upgraded socket as {@code /ws} needs it: {@link #validateUtf8} and
   * {@link #watch}, in that order between Netty's decoder and Vert.x's handler.
   */
  public static void install(ServerWebSocket ws, IntConsumer onViolation, Runnable onWritable) {
    validateUtf8(ws);
    watch(ws, onViolation, onWritable);
  }

  /**
   * Puts the hub's ears on the socket, just before Vert.x's handler ({@link SocketWatch}).
   *
   * <p>{@code onViolation} hears of a frame that breaks RFC 6455 (or its UTF-8 rule, or the frame
   * size), on the socket's event loop, before the connection is failed the way the RFC says: a
   * close frame with the status Netty's decoder found (1002, 1007 or 1009), then the end of the TCP
   * connection. Vert.x's own handler would close the channel at once on such an exception, and when
   * a fragmented message is under way it does so before any close frame leaves.
   *
   * <p>{@code onWritable} hears each time the socket's outbound buffer falls back under its
   * low-water mark (half of {@code WRITE_QUEUE_BYTES}). The hub writes past Vert.x's queue, so
   * Vert.x's own drain handler, which follows that queue, would not hear of it.
   *
   * <p>It also folds empty leading fragments ({@link EmptyFragmentFolder}): Vert.x's message
   * aggregator ignores continuation frames while the message so far is empty, so a fragmented
   * message whose first fragment is empty would never reach the message handler (Autobahn 6.1.2,
   * 6.1.3).
   */
  static void watch(ServerWebSocket ws, IntConsumer onViolation, Runnable onWritable) {
    beforeVertx(ws, WATCH, new SocketWatch(onViolation, onWritable));
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
