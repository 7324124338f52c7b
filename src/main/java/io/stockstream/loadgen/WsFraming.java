package io.stockstream.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * The client side of RFC 6455 that the load generator needs, written out by hand: the upgrade
 * request and its answer, the header of a server frame, and masked close and pong frames.
 */
public final class WsFraming {

  public static final int OP_CONTINUATION = 0;
  public static final int OP_TEXT = 1;
  public static final int OP_BINARY = 2;
  public static final int OP_CLOSE = 8;
  public static final int OP_PING = 9;
  public static final int OP_PONG = 10;

  /** Larger server messages are refused: a welcome of 100,000 symbols is about 1 MiB. */
  public static final long MAX_MESSAGE = 16 << 20;

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private WsFraming() {}

  /** A fresh {@code Sec-WebSocket-Key}: 16 random bytes in base64. */
  public static String newKey(RandomGenerator random) {
    byte[] k = new byte[16];
    random.nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }

  /** The {@code Sec-WebSocket-Accept} a server must answer {@code key} with. */
  public static String acceptFor(String key, MessageDigest sha1) {
    sha1.reset();
    byte[] d = sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
    return Base64.getEncoder().encodeToString(d);
  }

  /** The HTTP/1.1 upgrade request; {@code bearer} is null when no header token is sent. */
  public static String upgradeRequest(
      String requestTarget, String hostHeader, String key, String bearer) {
    StringBuilder sb = new StringBuilder(256 + requestTarget.length());
    sb.append("GET ").append(requestTarget).append(" HTTP/1.1\r\n");
    sb.append("Host: ").append(hostHeader).append("\r\n");
    sb.append("Upgrade: websocket\r\nConnection: Upgrade\r\n");
    sb.append("Sec-WebSocket-Key: ").append(key).append("\r\n");
    sb.append("Sec-WebSocket-Version: 13\r\n");
    if (bearer != null) {
      sb.append("Authorization: Bearer ").append(bearer).append("\r\n");
    }
    return sb.append("\r\n").toString();
  }

  /**
   * The end of an HTTP response head in {@code buf} (the index after its blank line), or -1 while
   * it is incomplete.
   */
  public static int headEnd(ByteBuf buf) {
    int end = buf.writerIndex();
    for (int i = buf.readerIndex(); i + 3 < end; i++) {
      if (buf.getByte(i) == '\r'
          && buf.getByte(i + 1) == '\n'
          && buf.getByte(i + 2) == '\r'
          && buf.getByte(i + 3) == '\n') {
        return i + 4;
      }
    }
    return -1;
  }

  /** The status code of a response head, or -1 when its first line is not HTTP. */
  public static int status(String head) {
    if (!head.startsWith("HTTP/1.") || head.length() < 12 || head.charAt(8) != ' ') {
      return -1;
    }
    try {
      return Integer.parseInt(head.substring(9, 12));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The value of header {@code name} (lower case) in a response head, or null. */
  public static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  /**
   * The length of the frame header at the reader index, or 0 while it is incomplete; the payload
   * length is then {@link #payloadLength}.
   */
  public static int headerLength(ByteBuf buf) {
    int avail = buf.readableBytes();
    if (avail < 2) {
      return 0;
    }
    int len = buf.getByte(buf.readerIndex() + 1) & 0x7F;
    int header = len == 126 ? 4 : len == 127 ? 10 : 2;
    return avail < header ? 0 : header;
  }

  /** The payload length of the frame whose header is complete at the reader index. */
  public static long payloadLength(ByteBuf buf) {
    int ri = buf.readerIndex();
    int len = buf.getByte(ri + 1) & 0x7F;
    if (len == 126) {
      return buf.getUnsignedShort(ri + 2);
    }
    if (len == 127) {
      return buf.getLong(ri + 2);
    }
    return len;
  }

  /**
   * A masked client frame, as RFC 6455 requires of clients: close (with a code) or pong (echoing a
   * ping's payload, at most 125 bytes).
   */
  public static ByteBuf clientControl(
      ByteBufAllocator alloc, int opcode, ByteBuf payload, RandomGenerator random) {
    int n = payload.readableBytes();
    ByteBuf f = alloc.buffer(6 + n);
    f.writeByte(0x80 | opcode);
    f.writeByte(0x80 | n);
    int mask = random.nextInt();
    f.writeInt(mask);
    for (int i = 0; i < n; i++) {
      int m = (mask >>> (8 * (3 - (i & 3)))) & 0xFF;
      f.writeByte(payload.getByte(payload.readerIndex() + i) ^ m);
    }
    return f;
  }
}
