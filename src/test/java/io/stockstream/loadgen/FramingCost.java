package io.stockstream.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Measures what reading a tick frame costs with the load generator's hand-written framing against
 * Netty's own WebSocket decoder (what its client handshaker installs), both feeding the same
 * scanner: CPU time and bytes allocated per frame. A measurement to run by hand, not a test:
 *
 * <pre>
 * java -cp target/test-classes:target/stockstream.jar io.stockstream.loadgen.FramingCost
 * </pre>
 */
public final class FramingCost {

  private static final int FRAMES = 200_000;

  private FramingCost() {}

  public static void main(String[] args) throws Exception {
    ByteBuf stream = ticks(FRAMES);
    for (int round = 0; round < 5; round++) {
      report("lean  (ConnectionHandler)", lean(stream), round);
      report("netty (WebSocket13FrameDecoder)", netty(stream), round);
    }
  }

  private static void report(String name, long[] nanosAndBytes, int round) {
    System.out.printf(
        "round %d %-32s %6.1f ns/frame %8.1f bytes allocated/frame%n",
        round, name, nanosAndBytes[0] / (double) FRAMES, nanosAndBytes[1] / (double) FRAMES);
  }

  /** The scanner and tracker the lean path uses, behind Netty's decoder instead. */
  private static final class NettyTail extends SimpleChannelInboundHandler<TextWebSocketFrame> {
    final FrameScanner scanner = new FrameScanner();
    final SeqTracker seqs = new SeqTracker(new int[] {0, 1});
    final SymbolTable table = SymbolTable.of(List.of("AAPL", "MSFT"));
    byte[] scratch = new byte[4096];
    long ticks;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame f) {
      ByteBuf c = f.content();
      int n = c.readableBytes();
      c.getBytes(c.readerIndex(), scratch, 0, n);
      scanner.scan(scratch, 0, n);
      seqs.observe(table.indexOf(scratch, scanner.symbolStart, scanner.symbolLength), scanner.seq);
      ticks++;
    }
  }

  private static long[] netty(ByteBuf stream) {
    NettyTail tail = new NettyTail();
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new WebSocket13FrameDecoder(
                WebSocketDecoderConfig.newBuilder()
                    .expectMaskedFrames(false)
                    .allowMaskMismatch(true)
                    .build()),
            tail);
    ch.config().setAllocator(PooledByteBufAllocator.DEFAULT);
    return measure(ch, stream);
  }

  private static long[] lean(ByteBuf stream) throws Exception {
    LoopContext loop = new LoopContext(null, SymbolTable.of(List.of("AAPL", "MSFT")), 1);
    String key = WsFraming.newKey(new SplittableRandom(1));
    EmbeddedChannel ch = new EmbeddedChannel(false, false);
    ch.config().setAllocator(PooledByteBufAllocator.DEFAULT);
    ch.pipeline()
        .addLast(
            new ConnectionHandler(
                loop,
                new ConnectionHandler.Plan("GET / HTTP/1.1\r\n\r\n", key, new int[] {0, 1}, 0),
                System.nanoTime(),
                60_000,
                () -> {},
                null));
    ch.register();
    ch.writeInbound(
        ByteBufAllocator.DEFAULT
            .buffer()
            .writeBytes(
                ("HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: "
                        + WsFraming.acceptFor(key, loop.sha1)
                        + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1)));
    return measure(ch, stream);
  }

  private static long[] measure(EmbeddedChannel ch, ByteBuf stream) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    // Reads of 16 KiB, as a busy socket delivers them.
    long cpu = threads.getCurrentThreadCpuTime();
    long bytes = threads.getCurrentThreadAllocatedBytes();
    ByteBuf s = stream.duplicate();
    while (s.isReadable()) {
      ch.writeInbound(s.readRetainedSlice(Math.min(16 * 1024, s.readableBytes())));
    }
    return new long[] {
      threads.getCurrentThreadCpuTime() - cpu, threads.getCurrentThreadAllocatedBytes() - bytes
    };
  }

  private static ByteBuf ticks(int n) {
    ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer();
    for (int i = 0; i < n; i++) {
      byte[] p =
          ("{\"type\":\"tick\",\"symbol\":\""
                  + (i % 2 == 0 ? "AAPL" : "MSFT")
                  + "\",\"seq\":"
                  + (1 + i / 2)
                  + ",\"price\":189.23,\"open\":187.10,\"high\":190.02,\"low\":186.55,"
                  + "\"change\":2.13,\"changePct\":1.14,\"volume\":1234567,\"ts\":1732200000123}")
              .getBytes(StandardCharsets.US_ASCII);
      b.writeByte(0x81).writeByte(126).writeShort(p.length).writeBytes(p);
    }
    return b;
  }
}
