package io.stockstream.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.stockstream.protocol.Disconnect;
import java.nio.charset.StandardCharsets;

/**
 * The inbound side of one upgraded socket, last in its pipeline after Netty's frame decoder and
 * UTF-8 validator: it keeps RFC 6455's rules (pongs, the close handshake, failing the connection at
 * the first violation, after which nothing the client sends is read), puts messages together from
 * their fragments, hears every frame, and tells its {@link Listener} the rest, on its event loop.
 */
final class WebSocketHandler extends ChannelInboundHandlerAdapter {

  /** What a socket's events become: the hub's, or a test's echo. */
  interface Listener {
    /** A whole text message, valid UTF-8. */
    void onText(Connection c, String text);

    /** A whole binary message; the handler releases it after the call. */
    void onBinary(Connection c, ByteBuf message);

    /** A message grew past the handler's limit; the rest of it is not read. */
    void onMessageTooBig(Connection c);

    /**
     * The client started the close, or broke RFC 6455 (then with {@link Disconnect#ABUSE} for an
     * oversized frame, else {@link Disconnect#ERROR}): the close frame is on its way.
     */
    void onClosing(Connection c);

    /** The socket's outbound buffer fell back under its low-water mark. */
    void onWritable(Connection c);

    /** The TCP connection is gone. */
    void onClosed(Connection c);

    /** Something other than the client's frames failed while reading them. */
    void onError(Connection c, Throwable t);
  }

  private final Listener listener;
  private final int maxMessageBytes;
  private Connection connection;

  /** The fragments of the message under way; null between messages and while skipping one. */
  private CompositeByteBuf message;

  private boolean messageIsText;

  /** The rest of a message that grew too large is dropped, up to its final fragment. */
  private boolean skipping;

  private boolean failed;

  WebSocketHandler(Listener listener, int maxMessageBytes) {
    this.listener = listener;
    this.maxMessageBytes = maxMessageBytes;
  }

  /** The connection this socket is, set once, right after the upgrade and before any read. */
  void attach(Connection c) {
    connection = c;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (failed) {
      // Nothing more is read from a failed connection (RFC 6455, 7.1.7); the UTF-8 validator
      // has stopped checking, too.
      ReferenceCountUtil.release(msg);
      return;
    }
    Connection c = connection;
    c.heard(System.nanoTime());
    if (!(msg instanceof WebSocketFrame frame)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    try {
      if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
        // Netty's decoder fails a data frame that comes while a message is under way (1002).
        start(ctx, c, frame);
      } else if (frame instanceof ContinuationWebSocketFrame) {
        append(c, frame);
      } else if (frame instanceof PingWebSocketFrame) {
        if (!c.closing()) {
          c.write(WireFrame.pong(ctx.alloc(), frame.content()));
          c.flush();
        }
      } else if (frame instanceof CloseWebSocketFrame close) {
        closeFrame(c, close.statusCode());
      }
    } finally {
      frame.release();
    }
  }

  /**
   * The client's close: the answer to ours ends the TCP connection; a close of its own is answered
   * with its status (RFC 6455, 5.5.1), and then the server ends it (7.1.1).
   */
  private void closeFrame(Connection c, int code) {
    if (c.startClosing(Disconnect.CLIENT)) {
      listener.onClosing(c);
      c.write(WireFrame.close(c.alloc(), code, ""));
    }
    c.closeWhenWritten();
  }

  private void start(ChannelHandlerContext ctx, Connection c, WebSocketFrame first) {
    messageIsText = first instanceof TextWebSocketFrame;
    if (first.isFinalFragment()) {
      // The common case, a message in one frame: read where it lies.
      deliver(c, first.content());
      return;
    }
    message = ctx.alloc().compositeBuffer();
    append(c, first);
  }

  private void append(Connection c, WebSocketFrame fragment) {
    if (message != null) {
      ByteBuf bytes = fragment.content();
      if (message.readableBytes() + bytes.readableBytes() > maxMessageBytes) {
        dropMessage();
        skipping = true;
        listener.onMessageTooBig(c);
      } else if (bytes.isReadable()) {
        message.addComponent(true, bytes.retain());
      }
    }
    if (fragment.isFinalFragment()) {
      if (message != null) {
        try {
          deliver(c, message);
        } finally {
          dropMessage();
        }
      }
      skipping = false;
    }
  }

  private void deliver(Connection c, ByteBuf bytes) {
    if (skipping) {
      return;
    }
    if (messageIsText) {
      listener.onText(c, bytes.toString(StandardCharsets.UTF_8));
    } else {
      listener.onBinary(c, bytes);
    }
  }

  private void dropMessage() {
    if (message != null) {
      message.release();
      message = null;
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      listener.onWritable(connection);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    dropMessage();
    listener.onClosed(connection);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    // Vert.x's shutdown notice and TLS's events: the hub drains by itself.
    ReferenceCountUtil.release(evt);
  }

  /**
   * Fails the connection at once (RFC 6455, 7.1.7): a close frame with the status Netty's decoder
   * or validator found, after what was already written, then the end of the TCP connection without
   * waiting for an answer the failed decoder could not read. 1009 for an oversized frame counts as
   * abuse, 1002 and 1007 as errors.
   */
  private void fail(Connection c, int code) {
    if (c.startClosing(code == 1009 ? Disconnect.ABUSE : Disconnect.ERROR)) {
      listener.onClosing(c);
      c.write(WireFrame.close(c.alloc(), code, violation(code)));
      c.abortAfter(WebSocketOptions.CLOSING_TIMEOUT_S * 1000L);
    }
    c.closeWhenWritten();
  }

  private static String violation(int code) {
    return switch (code) {
      case 1007 -> "text is not valid UTF-8";
      case 1009 -> "frame over 64 KiB";
      default -> "protocol error";
    };
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException e) {
      if (!failed) {
        failed = true;
        dropMessage();
        WebSocketCloseStatus status =
            e.closeStatus() != null ? e.closeStatus() : WebSocketCloseStatus.PROTOCOL_ERROR;
        fail(connection, status.code());
      }
      return;
    }
    listener.onError(connection, cause);
  }
}
