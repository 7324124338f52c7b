package io.stockstream.stream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * Holds back empty non-final data frames until a fragment with bytes, or the last, comes, and then
 * lets that one start the message with their type: Vert.x's aggregator would drop a message whose
 * first fragment is empty. Netty's UTF-8 validator before it sees the frames as they came.
 */
class EmptyFragmentFolder extends ChannelInboundHandlerAdapter {
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
