package io.stockstream.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One WebSocket client connection: sends the upgrade, checks the answer, then reads server frames
 * in place from Netty's buffers (keeping only an unfinished frame) and hands each text message to
 * its loop's accounting; answers pings and closes; paces itself when it is a slow reader.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {

  /** Where one connection goes and how it reads; {@code slowRate} is frames/s, 0 for normal. */
  record Plan(String request, String key, int[] symbols, double slowRate) {}

  private enum State {
    HANDSHAKING,
    OPEN,
    CLOSED
  }

  private final LoopContext loop;
  private final Plan plan;
  private final SeqTracker seqs;
  private final long startNanos;
  private final long timeoutMs;
  private final Runnable settled;
  private final Consumer<List<String>> onWelcome;
  private ChannelHandlerContext ctx;
  private State state = State.HANDSHAKING;
  private ScheduledFuture<?> timeout;
  private ByteBuf cumulation;
  private ByteBuf fragments;
  private int closeCode = 1006;
  // Slow readers: a budget in thousandths of a frame, topped up every LoopContext.REFILL_MS.
  private long budget;
  private boolean paused;

  /**
   * @param settled run once when the handshake succeeds or fails
   * @param onWelcome given the welcome's symbols, then the connection closes (the probe); or null
   */
  ConnectionHandler(
      LoopContext loop,
      Plan plan,
      long startNanos,
      long timeoutMs,
      Runnable settled,
      Consumer<List<String>> onWelcome) {
    this.loop = loop;
    this.plan = plan;
    this.seqs = new SeqTracker(plan.symbols());
    this.startNanos = startNanos;
    this.timeoutMs = timeoutMs;
    this.settled = settled;
    this.onWelcome = onWelcome;
    this.budget = perRefill();
  }

  SeqTracker seqs() {
    return seqs;
  }

  boolean slow() {
    return plan.slowRate() > 0;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    long left = Math.max(1, timeoutMs - (System.nanoTime() - startNanos) / 1_000_000);
    timeout = ctx.executor().schedule(() -> fail("timeout"), left, TimeUnit.MILLISECONDS);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    // With TLS the SslHandler holds this until its handshake is done.
    ctx.writeAndFlush(
        Unpooled.wrappedBuffer(plan.request().getBytes(StandardCharsets.ISO_8859_1)),
        ctx.voidPromise());
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    loop.stats.read(in.readableBytes());
    if (state == State.CLOSED) {
      in.release();
      return;
    }
    ByteBuf buf;
    if (cumulation == null) {
      buf = in;
    } else {
      cumulation.writeBytes(in);
      in.release();
      buf = cumulation;
    }
    consume(buf);
    if (buf == in) {
      if (in.isReadable() && state != State.CLOSED) {
        // Keep only the unfinished frame; the next read completes it.
        cumulation = ctx.alloc().buffer(Math.max(1024, in.readableBytes()));
        cumulation.writeBytes(in);
      }
      in.release();
    } else {
      tidyCumulation();
    }
  }

  private void tidyCumulation() {
    if (cumulation != null && !cumulation.isReadable()) {
      cumulation.release();
      cumulation = null;
    } else if (cumulation != null) {
      cumulation.discardSomeReadBytes();
    }
  }

  private void consume(ByteBuf buf) {
    if (state == State.HANDSHAKING && !handshake(buf)) {
      return;
    }
    long nowMs = System.currentTimeMillis();
    while (state == State.OPEN) {
      if (slow() && budget < 1000) {
        pause();
        return;
      }
      int header = WsFraming.headerLength(buf);
      if (header == 0) {
        return;
      }
      int ri = buf.readerIndex();
      int b0 = buf.getByte(ri);
      if ((buf.getByte(ri + 1) & 0x80) != 0 || (b0 & 0x70) != 0) {
        protocolError(); // a server never masks, and no extension was negotiated
        return;
      }
      long length = WsFraming.payloadLength(buf);
      if (length < 0 || length > WsFraming.MAX_MESSAGE) {
        protocolError();
        return;
      }
      if (buf.readableBytes() < header + length) {
        return;
      }
      int payload = ri + header;
      buf.readerIndex(payload + (int) length);
      frame(b0, buf, payload, (int) length, nowMs);
    }
  }

  private void frame(int b0, ByteBuf buf, int at, int length, long nowMs) {
    boolean fin = (b0 & 0x80) != 0;
    int opcode = b0 & 0x0F;
    switch (opcode) {
      case WsFraming.OP_TEXT, WsFraming.OP_BINARY -> {
        if (fin) {
          byte[] b = loop.scratch(length);
          buf.getBytes(at, b, 0, length);
          message(b, length, nowMs);
        } else {
          fragments = ctx.alloc().buffer(length * 2);
          fragments.writeBytes(buf, at, length);
        }
      }
      case WsFraming.OP_CONTINUATION -> {
        if (fragments == null || fragments.readableBytes() + length > WsFraming.MAX_MESSAGE) {
          protocolError();
          return;
        }
        fragments.writeBytes(buf, at, length);
        if (fin) {
          int n = fragments.readableBytes();
          byte[] b = loop.scratch(n);
          fragments.getBytes(fragments.readerIndex(), b, 0, n);
          fragments.release();
          fragments = null;
          message(b, n, nowMs);
        }
      }
      case WsFraming.OP_PING -> reply(WsFraming.OP_PONG, buf.slice(at, length), false);
      case WsFraming.OP_CLOSE -> {
        closeCode = length >= 2 ? buf.getUnsignedShort(at) : 1005;
        reply(WsFraming.OP_CLOSE, buf.slice(at, Math.min(length, 2)), true);
      }
      default -> {} // pong, or an opcode from the future: nothing to do
    }
  }

  private void message(byte[] b, int length, long nowMs) {
    if (slow()) {
      budget -= 1000;
    }
    loop.text(this, b, length, nowMs);
  }

  void welcome(byte[] b, int symbolsAt, int length) {
    if (onWelcome != null) {
      onWelcome.accept(FrameScanner.strings(b, symbolsAt, length));
      ctx.close();
    }
  }

  private void reply(int opcode, ByteBuf payload, boolean thenClose) {
    ByteBuf frame = WsFraming.clientControl(ctx.alloc(), opcode, payload, loop.random);
    if (thenClose) {
      closing();
      ctx.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(frame, ctx.voidPromise());
    }
  }

  private void protocolError() {
    closeCode = 1002;
    ByteBuf code = Unpooled.buffer(2).writeShort(1002);
    reply(WsFraming.OP_CLOSE, code, true);
    code.release();
  }

  /** Reads the 101 answer; false while it is incomplete or when the handshake failed. */
  private boolean handshake(ByteBuf buf) {
    int end = WsFraming.headEnd(buf);
    if (end < 0) {
      if (buf.readableBytes() > 64 * 1024) {
        fail("bad_response");
      }
      return false;
    }
    String head =
        buf.toString(buf.readerIndex(), end - buf.readerIndex(), StandardCharsets.ISO_8859_1);
    buf.readerIndex(end);
    int status = WsFraming.status(head);
    if (status != 101) {
      fail(status < 0 ? "bad_response" : "http_" + status);
      return false;
    }
    String accept = WsFraming.header(head, "sec-websocket-accept");
    if (!WsFraming.acceptFor(plan.key(), loop.sha1).equals(accept)) {
      fail("bad_accept");
      return false;
    }
    timeout.cancel(false);
    state = State.OPEN;
    loop.stats.handshakeOk(startNanos, System.nanoTime(), seqs.subscriptions(), slow());
    if (slow()) {
      loop.addSlowReader(this);
    }
    settled.run();
    return true;
  }

  /** A failed attempt: counted once, by cause, and closed. */
  void fail(String cause) {
    if (state != State.HANDSHAKING) {
      return;
    }
    state = State.CLOSED;
    loop.stats.failed(cause, System.nanoTime());
    settled.run();
    if (ctx != null) {
      ctx.close();
    }
  }

  /** Leaves the open state once, counting the close by its code. */
  private void closing() {
    if (state == State.OPEN) {
      state = State.CLOSED;
      loop.stats.closed(closeCode, seqs.subscriptions(), slow());
      if (slow()) {
        loop.removeSlowReader(this);
      }
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) {
      fail("tls");
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(Causes.of(cause));
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    fail("closed");
    closing();
    if (timeout != null) {
      timeout.cancel(false);
    }
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
    if (fragments != null) {
      fragments.release();
      fragments = null;
    }
  }

  // --- slow readers -------------------------------------------------------------------------

  private long perRefill() {
    return Math.round(plan.slowRate() * LoopContext.REFILL_MS); // thousandths of a frame
  }

  /** Stops reading from the socket, so that the server sees this connection's window fill. */
  private void pause() {
    if (!paused) {
      paused = true;
      ctx.channel().config().setAutoRead(false);
    }
  }

  /** Tops the budget up (at most a second's worth) and reads on while it lasts. */
  void refill() {
    budget = Math.min(budget + perRefill(), Math.max(1000, perRefill() * 10));
    if (!paused || budget < 1000 || state != State.OPEN) {
      return;
    }
    if (cumulation != null) {
      consume(cumulation);
      tidyCumulation();
    }
    if (budget >= 1000 && state == State.OPEN) {
      paused = false;
      ctx.channel().config().setAutoRead(true);
    }
  }
}
