package io.stockstream.support;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * A blocking HTTP/1.1 peer over a plain {@link Socket}, for tests of what the server does to
 * clients that stall: it sends exactly the bytes it is given, when it is given them, reads only
 * when told to, and can wait for the server to end the connection. Every read has a timeout;
 * nothing here may run on an event loop.
 */
public final class RawHttp implements Closeable {

  /** One response: its status and body (by {@code Content-Length}). */
  public record Response(int status, String head, String body) {}

  /** How the connection ended: when, and how many bytes came from the server before. */
  public record Closed(long atNanos, long bytesRead) {}

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final long openedNanos;
  private long bytesRead;

  private RawHttp(Socket socket, long openedNanos) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.openedNanos = openedNanos;
  }

  /** Opens a TCP connection to {@code 127.0.0.1:port} and sends nothing. */
  public static RawHttp connect(int port) throws IOException {
    return connect(port, 0);
  }

  /**
   * Opens a TCP connection with a receive buffer of {@code receiveBufferBytes} (0: the system's),
   * set before connecting so that the TCP window is small from the start.
   */
  public static RawHttp connect(int port, int receiveBufferBytes) throws IOException {
    Socket socket = new Socket();
    try {
      if (receiveBufferBytes > 0) {
        socket.setReceiveBufferSize(receiveBufferBytes);
      }
      socket.setTcpNoDelay(true);
      long opened = System.nanoTime();
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      return new RawHttp(socket, opened);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** A GET of {@code uri} with only a {@code Host} header, as one complete request head. */
  public static String get(String uri) {
    return "GET " + uri + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  }

  /** When the connection was opened (just before the TCP connect), in {@link System#nanoTime()}. */
  public long openedNanos() {
    return openedNanos;
  }

  public void send(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Reads one whole response, whose body has a {@code Content-Length}, within {@code within}. */
  public Response readResponse(Duration within) throws IOException {
    socket.setSoTimeout((int) within.toMillis());
    String head = readHead();
    int status = Integer.parseInt(head.substring(9, 12));
    int length = 0;
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0
          && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
        length = Integer.parseInt(line.substring(colon + 1).trim());
      }
    }
    byte[] body = in.readNBytes(length);
    bytesRead += body.length;
    if (body.length < length) {
      throw new EOFException("body cut at " + body.length + " of " + length + " bytes");
    }
    return new Response(status, head, new String(body, StandardCharsets.UTF_8));
  }

  private String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed in the response head: " + head);
      }
      bytesRead++;
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  /**
   * Reads, and drops, whatever comes until the server ends the connection (end of stream or reset),
   * and says when that was.
   *
   * @throws SocketTimeoutException when the connection is still open after {@code within}
   */
  public Closed awaitClose(Duration within) throws IOException {
    long deadline = System.nanoTime() + within.toNanos();
    byte[] buf = new byte[64 * 1024];
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("still open after " + within);
      }
      socket.setSoTimeout((int) Math.max(1, Duration.ofNanos(left).toMillis()));
      int n;
      try {
        n = in.read(buf);
      } catch (SocketTimeoutException e) {
        throw new SocketTimeoutException("still open after " + within);
      } catch (SocketException reset) {
        return new Closed(System.nanoTime(), bytesRead);
      }
      if (n < 0) {
        return new Closed(System.nanoTime(), bytesRead);
      }
      bytesRead += n;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
