package io.stockstream.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client that stops reading: a blocking {@link Socket} with a small receive buffer that
 * completes the RFC 6455 handshake, sends what it is told, and then reads nothing until {@link
 * #drain} reads back everything the server managed to queue for it and parses it into frames. Every
 * read has a timeout; use it from a test or worker thread, never from an event loop.
 */
public final class StalledClient implements AutoCloseable {

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** Bytes read after the handshake's response head, not yet parsed. */
  private final ByteArrayOutputStream early = new ByteArrayOutputStream();

  /**
   * What {@link #drain} read back: its size on the wire, the text messages, the close frame's code
   * and reason if one came, and whether the stream ended (end of stream or reset) without one.
   */
  public record Drained(
      long bytes, List<String> texts, Integer closeCode, String closeReason, boolean eof) {

    /** The text frames whose JSON type is {@code tick}. */
    public long ticks() {
      return texts.stream().filter(t -> t.contains("\"type\":\"tick\"")).count();
    }
  }

  private StalledClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /**
   * Connects with a receive buffer of {@code receiveBufferBytes} (set before connecting, so that
   * the TCP window is small from the start) and completes the handshake for {@code uri}.
   *
   * @throws IOException when the server does not answer {@code 101} with the right accept key
   */
  public static StalledClient connect(
      String host, int port, String uri, int receiveBufferBytes, Duration timeout)
      throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(receiveBufferBytes);
    socket.setSoTimeout((int) timeout.toMillis());
    socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
    StalledClient client = new StalledClient(socket);
    try {
      client.handshake(host, port, uri);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
    return client;
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
            + "Sec-WebSocket-Version: 13\r\n\r\n";
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();

    // Read the response head; whatever follows it already belongs to the frames.
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    byte[] chunk = new byte[4096];
    int end = -1;
    while (end < 0) {
      int n = in.read(chunk);
      if (n < 0) {
        throw new EOFException("closed during the handshake: " + head);
      }
      head.write(chunk, 0, n);
      end = indexOf(head.toByteArray(), "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      if (end < 0 && head.size() > 64 * 1024) {
        throw new IOException("no end of the response head");
      }
    }
    byte[] all = head.toByteArray();
    String text = new String(all, 0, end, StandardCharsets.ISO_8859_1);
    early.write(all, end + 4, all.length - end - 4);
    if (!text.startsWith("HTTP/1.1 101")) {
      throw new IOException("handshake refused: " + text);
    }
    String expected = accept(key);
    boolean accepted =
        text.lines()
            .anyMatch(
                l ->
                    l.regionMatches(true, 0, "Sec-WebSocket-Accept:", 0, 21)
                        && l.substring(21).trim().equals(expected));
    if (!accepted) {
      throw new IOException("wrong or missing Sec-WebSocket-Accept: " + text);
    }
  }

  static String accept(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      return Base64.getEncoder()
          .encodeToString(sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Sends one masked text frame, as a client must. */
  public void sendText(String text) throws IOException {
    sendFrame(0x1, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Answers a close with a masked close frame of {@code code}. */
  public void sendClose(int code) throws IOException {
    sendFrame(0x8, new byte[] {(byte) (code >> 8), (byte) code});
  }

  private void sendFrame(int opcode, byte[] payload) throws IOException {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.write(0x80 | opcode);
    int n = payload.length;
    if (n < 126) {
      f.write(0x80 | n);
    } else if (n < 65536) {
      f.write(0x80 | 126);
      f.write(n >> 8);
      f.write(n);
    } else {
      throw new IllegalArgumentException("frame too large for this client");
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    f.write(mask);
    for (int i = 0; i < n; i++) {
      f.write(payload[i] ^ mask[i & 3]);
    }
    out.write(f.toByteArray());
    out.flush();
  }

  /**
   * Reads everything the server queued for this client, and what it sends after, until its close
   * frame, the end of the stream or {@code deadline}, whichever comes first; parses it into frames.
   */
  public Drained drain(Duration deadline) throws IOException {
    long until = System.nanoTime() + deadline.toNanos();
    ByteArrayOutputStream pending = new ByteArrayOutputStream();
    pending.write(early.toByteArray());
    long bytes = early.size();
    early.reset();
    List<String> texts = new ArrayList<>();
    byte[] chunk = new byte[64 * 1024];
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    boolean eof = false;
    while (true) {
      // Parse every whole frame buffered so far.
      byte[] buf = pending.toByteArray();
      int pos = 0;
      while (true) {
        Frame f = Frame.parse(buf, pos);
        if (f == null) {
          break;
        }
        pos = f.next;
        byte[] payload = java.util.Arrays.copyOfRange(buf, f.payloadStart, f.next);
        switch (f.opcode) {
          case 0x0, 0x1 -> {
            message.write(payload);
            if (f.fin) {
              texts.add(message.toString(StandardCharsets.UTF_8));
              message.reset();
            }
          }
          case 0x8 -> {
            Integer code =
                payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : null;
            String reason =
                payload.length > 2
                    ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
                    : "";
            return new Drained(bytes, texts, code, reason, false);
          }
          default -> {
            // Pings, pongs and binary frames are not what this client looks for.
          }
        }
      }
      pending.reset();
      pending.write(buf, pos, buf.length - pos);
      if (eof || System.nanoTime() - until > 0) {
        return new Drained(bytes, texts, null, null, eof);
      }
      int n;
      try {
        n = in.read(chunk);
      } catch (SocketTimeoutException e) {
        continue;
      } catch (SocketException reset) {
        // The server dropped the connection abortively: that, too, is its end.
        n = -1;
      }
      if (n < 0) {
        eof = true;
      } else {
        bytes += n;
        pending.write(chunk, 0, n);
      }
    }
  }

  /** A parsed server frame header; server frames are never masked. */
  private record Frame(boolean fin, int opcode, int payloadStart, int next) {
    static Frame parse(byte[] b, int at) {
      if (b.length - at < 2) {
        return null;
      }
      boolean fin = (b[at] & 0x80) != 0;
      int opcode = b[at] & 0x0f;
      long len = b[at + 1] & 0x7f;
      int header = 2;
      if (len == 126) {
        if (b.length - at < 4) {
          return null;
        }
        len = ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
        header = 4;
      } else if (len == 127) {
        if (b.length - at < 10) {
          return null;
        }
        len = 0;
        for (int i = 0; i < 8; i++) {
          len = (len << 8) | (b[at + 2 + i] & 0xff);
        }
        header = 10;
      }
      if ((b[at + 1] & 0x80) != 0) {
        throw new IllegalStateException("the server masked a frame");
      }
      long next = at + header + len;
      if (next > b.length) {
        return null;
      }
      return new Frame(fin, opcode, at + header, (int) next);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
