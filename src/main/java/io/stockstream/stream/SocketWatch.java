package io.stockstream.stream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;
import java.util.function.IntConsumer;

/**
 * What the hub hears of a socket below Vert.x (see {@link VertxInternals#watch}), in one handler
 * (which also folds empty fragments) because each handler in a pipeline costs every idle socket its
 * memory: the first protocol violation, answered with its close frame and then the close (after
 * which, as RFC 6455 says of a failed connection, nothing the peer sends is processed); and the
 * socket turning writable again.
 */
final class SocketWatch extends EmptyFragmentFolder {
  private final IntConsumer onViolation;
  private final Runnable onWritable;
  private boolean failed;

  SocketWatch(IntConsumer onViolation, Runnable onWritable) {
    this.onViolation = onViolation;
    this.onWritable = onWritable;
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    ctx.fireChannelWritabilityChanged();
    if (ctx.channel().isWritable()) {
      onWritable.run();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (failed) {
      // The UTF-8 validator stops checking once it has failed, so the rest of a bad message
      // would otherwise reach Vert.x, which would deliver it as lenient text.
      ReferenceCountUtil.release(msg);
      return;
    }
    super.channelRead(ctx, msg);
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
