package io.stockstream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connection's tick frames of one batch leave as one buffer, in order with its other frames, and
 * the frames every subscriber shares come back whole: what reaches the socket, on Netty's embedded
 * channel.
 */
class ConnectionCorkTest {

  private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelOutboundHandlerAdapter());
  private final ChannelHandlerContext out = channel.pipeline().firstContext();
  private final Connection c =
      new Connection(out, null, new Flusher(null), UUID.randomUUID(), 20, 40, 0L);
  private final List<ByteBuf> shared = new ArrayList<>();

  @AfterEach
  void everySharedFrameIsBackToItsOneReference() {
    for (ByteBuf frame : shared) {
      assertThat(frame.refCnt()).as("the caller's reference only").isEqualTo(1);
      frame.release();
    }
    channel.finishAndReleaseAll();
  }

  @Test
  void ticksOfOneBatchLeaveAsOneBufferOnlyAtTheFlush() {
    c.writeShared(frame("a"));
    c.writeShared(frame("b"));
    c.writeShared(frame("c"));
    assertThat(channel.outboundMessages()).as("nothing before the flush").isEmpty();

    c.flush();

    assertThat(written()).containsExactly("abc");
  }

  @Test
  void aSingleTickIsTheSharedFrameItselfNotACopy() {
    ByteBuf frame = frame("only");
    c.writeShared(frame);
    c.flush();

    ByteBuf sent = channel.readOutbound();
    assertThat(sent.unwrap()).as("a duplicate of the shared frame").isSameAs(frame);
    sent.skipBytes(sent.readableBytes());
    assertThat(frame.readableBytes()).as("the other subscribers' bytes, untouched").isEqualTo(4);
    sent.release();
  }

  @Test
  void otherFramesKeepTheirPlaceAmongTheTicks() {
    c.writeShared(frame("t1"));
    c.writeShared(frame("t2"));
    c.write(Unpooled.copiedBuffer("reply", StandardCharsets.UTF_8));
    c.writeShared(frame("t3"));
    c.flush();

    assertThat(String.join("|", written())).isEqualTo("t1t2|reply|t3");
  }

  @Test
  void aLongRunOfTicksGoesOutInPiecesOfAtMostTheCork() {
    String tick = "x".repeat(1000);
    int ticks = 3 * Connection.CORK_BYTES / tick.length();
    for (int i = 0; i < ticks; i++) {
      c.writeShared(frame(tick));
    }
    c.flush();

    List<String> pieces = written();
    assertThat(pieces).hasSizeGreaterThanOrEqualTo(3);
    assertThat(pieces)
        .allSatisfy(p -> assertThat(p.length()).isLessThanOrEqualTo(Connection.CORK_BYTES));
    assertThat(String.join("", pieces)).isEqualTo(tick.repeat(ticks));
  }

  private ByteBuf frame(String text) {
    ByteBuf frame = Unpooled.directBuffer().writeBytes(text.getBytes(StandardCharsets.UTF_8));
    shared.add(frame);
    return frame;
  }

  /** Every buffer the socket was given, in order, as text; each released. */
  private List<String> written() {
    List<String> out = new ArrayList<>();
    for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
      out.add(b.toString(StandardCharsets.UTF_8));
      b.release();
    }
    return out;
  }
}
