package io.stockstream.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written client framing against bytes as a server would send them. */
class ConnectionHandlerTest {

  private static final SymbolTable TABLE = SymbolTable.of(List.of("AAPL", "MSFT", "IBM"));

  private final LoopContext loop = new LoopContext(null, TABLE, 1);
  private final String key = WsFraming.newKey(new SplittableRandom(3));
  private final EmbeddedChannel ch = new EmbeddedChannel(false, false);
  private int settled;

  private void connect(double slowRate) throws Exception {
    ConnectionHandler.Plan plan =
        new ConnectionHandler.Plan(
            WsFraming.upgradeRequest("/ws?symbols=AAPL,MSFT", "h:1", key, "jwt"),
            key,
            new int[] {0, 1},
            slowRate);
    ch.pipeline()
        .addLast(
            new ConnectionHandler(loop, plan, System.nanoTime(), 10_000, () -> settled++, null));
    ch.register();
  }

  private String response(String status, String accept) {
    return "HTTP/1.1 "
        + status
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "sec-websocket-accept: "
        + accept
        + "\r\n\r\n";
  }

  private void upgrade() throws Exception {
    connect(0);
    ByteBuf request = ch.readOutbound();
    String sent = request.toString(StandardCharsets.ISO_8859_1);
    request.release();
    assertThat(sent)
        .startsWith("GET /ws?symbols=AAPL,MSFT HTTP/1.1\r\nHost: h:1\r\n")
        .contains("Sec-WebSocket-Key: " + key + "\r\n", "Authorization: Bearer jwt\r\n")
        .endsWith("\r\n\r\n");
    String accept = WsFraming.acceptFor(key, loop.sha1);
    ch.writeInbound(ascii(response("101 Switching Protocols", accept)));
    assertThat(settled).isEqualTo(1);
    loop.stats.measure(true);
  }

  private static ByteBuf ascii(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  /** An unmasked server frame. */
  private static byte[] frame(int opcode, byte[] payload) {
    int n = payload.length;
    int header = n < 126 ? 2 : n < 65536 ? 4 : 10;
    ByteBuf b = Unpooled.buffer(header + n).writeByte(0x80 | opcode);
    if (n < 126) {
      b.writeByte(n);
    } else if (n < 65536) {
      b.writeByte(126).writeShort(n);
    } else {
      b.writeByte(127).writeLong(n);
    }
    b.writeBytes(payload);
    byte[] out = new byte[b.readableBytes()];
    b.readBytes(out);
    return out;
  }

  private static byte[] tick(String symbol, long seq) {
    return frame(
        WsFraming.OP_TEXT,
        ("{\"type\":\"tick\",\"symbol\":\""
                + symbol
                + "\",\"seq\":"
                + seq
                + ",\"price\":1.5,\"ts\":"
                + System.currentTimeMillis()
                + "}")
            .getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void ticksSplitAcrossReadsAreCountedOnceEachWithTheirGaps() throws Exception {
    upgrade();
    ByteBuf all = Unpooled.buffer();
    all.writeBytes(tick("AAPL", 1)).writeBytes(tick("AAPL", 2)).writeBytes(tick("MSFT", 9));
    all.writeBytes(tick("AAPL", 5)).writeBytes(tick("AAPL", 5)).writeBytes(tick("IBM", 1));
    // One byte a read: every frame boundary, and every header, is cut somewhere.
    while (all.isReadable()) {
      ch.writeInbound(all.readRetainedSlice(1));
    }
    all.release();
    Cohort c = loop.stats.normal;
    assertThat(c.ticks).isEqualTo(6);
    assertThat(c.missing).isEqualTo(2);
    assertThat(c.gaps).isEqualTo(1);
    assertThat(c.duplicates).isEqualTo(1);
    assertThat(c.unknownSymbols).as("IBM was not subscribed").isEqualTo(1);
    assertThat(loop.stats.open).isEqualTo(1);
    assertThat(loop.stats.subscriptions).isEqualTo(2);
  }

  @Test
  void aRefusedUpgradeCountsItsStatus() throws Exception {
    connect(0);
    ((ByteBuf) ch.readOutbound()).release();
    ch.writeInbound(ascii("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n\r\n{}"));
    assertThat(loop.stats.failures).containsEntry("http_503", 1L);
    assertThat(settled).isEqualTo(1);
    assertThat(ch.isOpen()).isFalse();
    assertThat(loop.stats.open).isZero();
  }

  @Test
  void aWrongAcceptIsNotAWebSocket() throws Exception {
    connect(0);
    ((ByteBuf) ch.readOutbound()).release();
    ch.writeInbound(ascii(response("101 Switching Protocols", "bm90IGl0")));
    assertThat(loop.stats.failures).containsEntry("bad_accept", 1L);
  }

  @Test
  void pingsAreAnsweredWithMaskedPongsAndACloseIsEchoedAndCounted() throws Exception {
    upgrade();
    ch.writeInbound(Unpooled.wrappedBuffer(frame(WsFraming.OP_PING, new byte[] {1, 2, 3})));
    ByteBuf pong = ch.readOutbound();
    assertThat(pong.getByte(0) & 0xFF).isEqualTo(0x80 | WsFraming.OP_PONG);
    assertThat(pong.getByte(1) & 0xFF).as("masked, 3 bytes").isEqualTo(0x80 | 3);
    for (int i = 0; i < 3; i++) {
      assertThat(pong.getByte(6 + i) ^ pong.getByte(2 + i)).isEqualTo(i + 1);
    }
    pong.release();

    ch.writeInbound(
        Unpooled.wrappedBuffer(frame(WsFraming.OP_CLOSE, new byte[] {0x03, (byte) 0xE9})));
    ByteBuf close = ch.readOutbound();
    assertThat(close.getByte(0) & 0xFF).isEqualTo(0x80 | WsFraming.OP_CLOSE);
    int code =
        ((close.getByte(6) ^ close.getByte(2)) & 0xFF) << 8
            | ((close.getByte(7) ^ close.getByte(3)) & 0xFF);
    assertThat(code).isEqualTo(1001);
    close.release();
    assertThat(loop.stats.closes).containsEntry(1001, 1L);
    assertThat(loop.stats.open).isZero();
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void aDroppedConnectionClosesAs1006AndAMaskedServerFrameAs1002() throws Exception {
    upgrade();
    ch.close();
    assertThat(loop.stats.closes).containsEntry(1006, 1L);

    LoopContext other = new LoopContext(null, TABLE, 2);
    EmbeddedChannel second = new EmbeddedChannel(false, false);
    ConnectionHandler.Plan plan =
        new ConnectionHandler.Plan(
            WsFraming.upgradeRequest("/ws", "h", key, null), key, new int[0], 0);
    second
        .pipeline()
        .addLast(new ConnectionHandler(other, plan, System.nanoTime(), 10_000, () -> {}, null));
    second.register();
    ((ByteBuf) second.readOutbound()).release();
    second.writeInbound(
        ascii(response("101 Switching Protocols", WsFraming.acceptFor(key, other.sha1))));
    second.writeInbound(
        Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, (byte) 0x81, 0, 0, 0, 0, 'x'}));
    assertThat(other.stats.closes).containsEntry(1002, 1L);
  }

  @Test
  void aFragmentedMessageIsAccountedWhenComplete() throws Exception {
    upgrade();
    byte[] whole = tick("MSFT", 4);
    byte[] text = java.util.Arrays.copyOfRange(whole, 2, whole.length);
    ByteBuf b = Unpooled.buffer();
    b.writeByte(WsFraming.OP_TEXT).writeByte(5).writeBytes(text, 0, 5);
    b.writeByte(0x80 | WsFraming.OP_PING).writeByte(0);
    b.writeByte(0x80 | WsFraming.OP_CONTINUATION)
        .writeByte(text.length - 5)
        .writeBytes(text, 5, text.length - 5);
    ch.writeInbound(b);
    assertThat(loop.stats.normal.ticks).isEqualTo(1);
  }

  @Test
  void readingTicksMakesNoObjectPerFrame() throws Exception {
    upgrade();
    int n = 100_000;
    byte[][] frames = new byte[n][];
    int size = 0;
    for (int i = 0; i < n; i++) {
      frames[i] = tick(i % 2 == 0 ? "AAPL" : "MSFT", 1 + i / 2);
      size += frames[i].length;
    }
    ByteBuf big = Unpooled.buffer(size);
    for (byte[] f : frames) {
      big.writeBytes(f);
    }
    // Warm up on the same bytes, so that what is measured is compiled code.
    for (int round = 0; round < 3; round++) {
      ch.writeInbound(big.retainedDuplicate());
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    ch.writeInbound(big.retainedDuplicate());
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    big.release();
    assertThat(loop.stats.normal.ticks).isEqualTo(4L * n);
    // A few objects per read (Netty's, the test's) are fine; one per frame would be 1.6 MB or more.
    assertThat(allocated).as("bytes allocated reading %d frames", n).isLessThan(64 * 1024);
  }
}
