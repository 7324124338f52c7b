package io.stockstream.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Complete WebSocket frames as a server sends them (RFC 6455: FIN, unmasked): text, and the ping,
 * pong and close control frames, in direct memory ready for the socket. Server frames carry no
 * mask, so one such buffer can be written to every subscriber, each write a retained duplicate.
 */
final class WireFrame {

  private static final int FIN_TEXT = 0x81;
  private static final int FIN_CLOSE = 0x88;
  private static final int FIN_PING = 0x89;
  private static final int FIN_PONG = 0x8A;

  /** RFC 6455 5.5: a control frame's payload is at most 125 bytes; a close's reason 123. */
  private static final int MAX_CONTROL_PAYLOAD = 125;

  private WireFrame() {}

  /** A text frame of the UTF-8 {@code payload}; the caller owns (and releases) the buffer. */
  static ByteBuf text(ByteBufAllocator alloc, Buffer payload) {
    return frame(alloc, FIN_TEXT, VertxInternals.bytes(payload));
  }

  /**
   * A text frame whose payload is {@code head}, then {@code shared} (a buffer many frames share,
   * written as a duplicate, not copied), then {@code tail}; the caller writes the three in order.
   */
  static ByteBuf head(ByteBufAllocator alloc, Buffer head, int sharedLength, int tailLength) {
    ByteBuf bytes = VertxInternals.bytes(head);
    int length = bytes.readableBytes() + sharedLength + tailLength;
    ByteBuf frame = alloc.directBuffer(headerLength(length) + bytes.readableBytes());
    writeHeader(frame, FIN_TEXT, length);
    frame.writeBytes(bytes, bytes.readerIndex(), bytes.readableBytes());
    return frame;
  }

  /**
   * The bytes of {@code payload} in direct memory for as long as anything refers to them, to be
   * shared by many frames: each write takes a {@code duplicate()}, whose release frees nothing.
   */
  static ByteBuf constant(Buffer payload) {
    ByteBuf bytes = VertxInternals.bytes(payload);
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.readableBytes());
    bytes.getBytes(bytes.readerIndex(), direct);
    direct.flip();
    return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct));
  }

  /**
   * A ping control frame of {@code payload} (at most 125 bytes, RFC 6455 5.5) for every connection
   * to share, as {@link #constant} is.
   */
  static ByteBuf ping(Buffer payload) {
    int length = payload.length();
    if (length > MAX_CONTROL_PAYLOAD) {
      throw new IllegalArgumentException("a ping's payload is at most 125 bytes, not " + length);
    }
    return constant(
        Buffer.buffer(2 + length)
            .appendByte((byte) FIN_PING)
            .appendByte((byte) length)
            .appendBuffer(payload));
  }

  /** The pong that answers a ping of {@code payload}; the caller owns the buffer. */
  static ByteBuf pong(ByteBufAllocator alloc, ByteBuf payload) {
    return frame(alloc, FIN_PONG, payload);
  }

  /**
   * A close frame with {@code code} and {@code reason} (cut to fit), or with no payload when {@code
   * code} is negative (the answer to a close that carried none); the caller owns the buffer.
   */
  static ByteBuf close(ByteBufAllocator alloc, int code, String reason) {
    if (code < 0) {
      return frame(alloc, FIN_CLOSE, Unpooled.EMPTY_BUFFER);
    }
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    int reasonLength = Math.min(text.length, MAX_CONTROL_PAYLOAD - 2);
    ByteBuf frame = alloc.directBuffer(4 + reasonLength);
    writeHeader(frame, FIN_CLOSE, 2 + reasonLength);
    return frame.writeShort(code).writeBytes(text, 0, reasonLength);
  }

  private static int headerLength(int payloadLength) {
    return payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
  }

  /**
   * A final frame whose first byte is {@code finAndOpcode} (0x81 text, 0x82 binary, 0x8A pong...),
   * with a copy of {@code payload}; the caller owns the buffer.
   */
  static ByteBuf frame(ByteBufAllocator alloc, int finAndOpcode, ByteBuf payload) {
    int length = payload.readableBytes();
    ByteBuf frame = alloc.directBuffer(headerLength(length) + length);
    writeHeader(frame, finAndOpcode, length);
    return frame.writeBytes(payload, payload.readerIndex(), length);
  }

  private static void writeHeader(ByteBuf frame, int finAndOpcode, int payloadLength) {
    frame.writeByte(finAndOpcode);
    if (payloadLength < 126) {
      frame.writeByte(payloadLength);
    } else if (payloadLength <= 0xFFFF) {
      frame.writeByte(126).writeShort(payloadLength);
    } else {
      frame.writeByte(127).writeLong(payloadLength);
    }
  }
}
