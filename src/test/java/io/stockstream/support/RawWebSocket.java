package io.stockstream.support;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * A minimal, blocking RFC 6455 client over a plain {@link Socket}, for tests that need a peer that
 * misbehaves: it answers nothing on its own (no pong to a ping, no close to a close) and can send
 * any frame, including ones over the server's limits. Every read has a timeout; nothing here may
 * run on an event loop.
 */
public final class RawWebSocket implements Closeable {

  public static final int CONTINUATION = 0x0;
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  /** One frame from the server, unmasked. */
  public record Frame(boolean fin, int opcode, byte[] payload, long receivedNanos) {

    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    public boolean isClose() {
      return opcode == CLOSE;
    }

    /** The status code of a close frame; 1005 (no status) when it carries none. */
    public int closeCode() {
      if (opcode != CLOSE) {
        throw new IllegalStateException("not a close frame: opcode " + opcode);
      }
      return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
    }

    public String closeReason() {
      return payload.length > 2
          ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
          : "";
    }

    @Override
    public String toString() {
      String body =
          opcode == CLOSE
              ? closeCode() + " " + closeReason()
              : opcode == TEXT ? text() : payload.length + " bytes";
      return "Frame[fin=" + fin + ", opcode=" + opcode + ", " + body + "]";
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final Duration readTimeout;
  private final List<Frame> received = new ArrayList<>();
  private byte[] buf = new byte[8192];
  private int len;

  private RawWebSocket(Socket socket, Duration readTimeout) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.readTimeout = readTimeout;
  }

  /**
   * Opens a TCP connection and performs the opening handshake for {@code uri} (path and query);
   * fails with an IOException naming the status line unless the server answers {@code 101} with the
   * right {@code Sec-WebSocket-Accept}.
   */
  public static RawWebSocket connect(String host, int port, String uri, Duration readTimeout)
      throws IOException {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), (int) readTimeout.toMillis());
      socket.setSoTimeout((int) readTimeout.toMillis());
      RawWebSocket ws = new RawWebSocket(socket, readTimeout);
      ws.handshake(host, port, uri);
      return ws;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  public static RawWebSocket connect(int port, String uri) throws IOException {
    return connect("127.0.0.1", port, uri, Duration.ofSeconds(5));
  }

  private void handshake(String host, int port, String uri) throws IOException {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String key = Base64.getEncoder().encodeToString(nonce);
    String request =
        "GET "
            + uri
            + " HTTP/1.1\r\n"
            + "Host: "
            + host
            + ":"
            + port
            + "\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Key: "
            + key
            + "\r\n"
            + "Sec-WebSocket-Version: 13\r\n"
            + "\r\n";
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String head = readHead();
    String[] lines = head.split("\r\n");
    if (!lines[0].startsWith("HTTP/1.1 101")) {
      throw new IOException("handshake refused: " + lines[0]);
    }
    String accept = null;
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon > 0
          && line.substring(0, colon)
              .trim()
              .toLowerCase(Locale.ROOT)
              .equals("sec-websocket-accept")) {
        accept = line.substring(colon + 1).trim();
      }
    }
    if (!expectedAccept(key).equals(accept)) {
      throw new IOException("bad Sec-WebSocket-Accept: " + accept);
    }
  }

  /** Reads the response head byte by byte, so that no frame byte after it is consumed. */
  private String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed during the handshake: " + head);
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
      if (head.size() > 16 * 1024) {
        throw new IOException("response head too long");
      }
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  private static String expectedAccept(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      return Base64.getEncoder()
          .encodeToString(sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- sending ------------------------------------------------------------------------------

  public void sendText(String text) throws IOException {
    sendFrame(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  public void sendBinary(byte[] data) throws IOException {
    sendFrame(true, BINARY, data);
  }

  public void sendPong(byte[] data) throws IOException {
    sendFrame(true, PONG, data);
  }

  public void sendClose(int code) throws IOException {
    sendFrame(true, CLOSE, new byte[] {(byte) (code >> 8), (byte) code});
  }

  /** Writes one masked frame, as every client frame must be; any opcode, any size. */
  public void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
    sendFrame(fin, 0, opcode, true, payload);
  }

  /**
   * Writes one frame exactly as given, including what RFC 6455 forbids a client: reserved bits
   * ({@code rsv}, 0 to 7), reserved opcodes, or no mask.
   */
  public void sendFrame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload)
      throws IOException {
    out.write(encode(fin, rsv, opcode, masked, payload));
    out.flush();
  }

  /**
   * Writes only the first {@code bytes} bytes of one masked frame, as a client whose connection is
   * lost in the middle of a frame; returns how many bytes the whole frame has.
   */
  public int sendFrameCutAfter(boolean fin, int opcode, byte[] payload, int bytes)
      throws IOException {
    byte[] frame = encode(fin, 0, opcode, true, payload);
    if (bytes <= 0 || bytes >= frame.length) {
      throw new IllegalArgumentException(
          "a cut frame has 1 to " + (frame.length - 1) + " of its " + frame.length + " bytes");
    }
    out.write(frame, 0, bytes);
    out.flush();
    return frame.length;
  }

  private static byte[] encode(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    f.write((fin ? 0x80 : 0) | (rsv & 0x07) << 4 | (opcode & 0x0F));
    int maskBit = masked ? 0x80 : 0;
    int n = payload.length;
    if (n < 126) {
      f.write(maskBit | n);
    } else if (n <= 0xFFFF) {
      f.write(maskBit | 126);
      f.write(n >> 8);
      f.write(n);
    } else {
      f.write(maskBit | 127);
      long ln = n;
      for (int shift = 56; shift >= 0; shift -= 8) {
        f.write((int) (ln >> shift));
      }
    }
    byte[] mask = new byte[4];
    if (masked) {
      ThreadLocalRandom.current().nextBytes(mask);
      f.write(mask, 0, 4);
    }
    byte[] body = new byte[n];
    for (int i = 0; i < n; i++) {
      body[i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    f.write(body, 0, n);
    return f.toByteArray();
  }

  // ---- receiving ----------------------------------------------------------------------------

  /**
   * The next frame from the server; waits at most the read timeout.
   *
   * @throws SocketTimeoutException when no whole frame arrived in time (the stream stays usable)
   * @throws EOFException when the server closed the TCP connection
   */
  public Frame readFrame() throws IOException {
    return readFrame(readTimeout);
  }

  private Frame readFrame(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Frame f = parse();
      if (f != null) {
        received.add(f);
        return f;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("no whole frame within " + timeout);
      }
      socket.setSoTimeout((int) Math.max(1, Duration.ofNanos(left).toMillis()));
      if (len == buf.length) {
        buf = Arrays.copyOf(buf, buf.length * 2);
      }
      int r = in.read(buf, len, buf.length - len);
      if (r < 0) {
        throw new EOFException("server closed the connection");
      }
      len += r;
    }
  }

  /**
   * Reads frames until one matches, within {@code within}; every frame read is kept in {@link
   * #received()}.
   */
  public Frame readUntil(Predicate<Frame> match, Duration within) throws IOException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("no matching frame within " + within + ": " + received);
      }
      Frame f = readFrame(Duration.ofNanos(left));
      if (match.test(f)) {
        return f;
      }
    }
  }

  /** Reads frames until the server's close frame, within {@code within}. */
  public Frame readUntilClose(Duration within) throws IOException {
    return readUntil(Frame::isClose, within);
  }

  /** Parses one whole frame out of the buffer, or returns null when more bytes are needed. */
  private Frame parse() throws IOException {
    if (len < 2) {
      return null;
    }
    int b0 = buf[0] & 0xFF;
    int b1 = buf[1] & 0xFF;
    if ((b1 & 0x80) != 0) {
      throw new IOException("server frames must not be masked");
    }
    int pos = 2;
    long n = b1 & 0x7F;
    if (n == 126) {
      if (len < 4) {
        return null;
      }
      n = ((buf[2] & 0xFF) << 8) | (buf[3] & 0xFF);
      pos = 4;
    } else if (n == 127) {
      if (len < 10) {
        return null;
      }
      n = 0;
      for (int i = 2; i < 10; i++) {
        n = (n << 8) | (buf[i] & 0xFF);
      }
      pos = 10;
    }
    if (n > Integer.MAX_VALUE - pos) {
      throw new IOException("frame too large: " + n);
    }
    int total = pos + (int) n;
    if (len < total) {
      if (buf.length < total) {
        buf = Arrays.copyOf(buf, total);
      }
      return null;
    }
    byte[] payload = Arrays.copyOfRange(buf, pos, total);
    System.arraycopy(buf, total, buf, 0, len - total);
    len -= total;
    return new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload, System.nanoTime());
  }

  /** Every frame read so far, in order. */
  public List<Frame> received() {
    return List.copyOf(received);
  }

  /** Drops the TCP connection without a close frame, as a killed browser tab or a lost network. */
  public void abort() throws IOException {
    socket.close();
  }

  /** Answers a close (best effort) and closes the TCP connection. */
  @Override
  public void close() throws IOException {
    try {
      if (!socket.isClosed() && !socket.isOutputShutdown()) {
        sendClose(1000);
      }
    } catch (IOException alreadyGone) {
      // the server may have closed first
    } finally {
      socket.close();
    }
  }
}
