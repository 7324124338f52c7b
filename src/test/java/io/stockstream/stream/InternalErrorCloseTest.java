package io.stockstream.stream;

import static io.stockstream.support.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The hub's "internal error" branch: an exception on a connection that is neither an I/O error, a
 * closed connection nor a too-big message. From the wire the only one there is comes from TLS:
 * bytes under an established wss:// connection that are not a TLS record make Netty's SslHandler
 * raise a DecoderException. The connection is closed and counted as {@code error}, and the others
 * carry on. (The 1011 close frame itself cannot reach this client: the failed TLS engine is closed
 * for writing; a close frame that does arrive must say 1011.)
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class InternalErrorCloseTest {

  private static final String ERROR = "stockstream_ws_disconnects_total{reason=\"error\"}";
  private static final String CLIENT = "stockstream_ws_disconnects_total{reason=\"client\"}";

  /** What the broken client saw after its garbage: the close code if a close frame came. */
  private record Ended(Integer closeCode, long afterMs, String how) {}

  @Test
  void garbageUnderAnOpenWssConnectionClosesItCountedAsErrorWhileOthersCarryOn(
      Vertx vertx, VertxTestContext ctx) {
    Map<String, String> env =
        Map.of(
            "STOCKSTREAM_TLS_SELF_SIGNED", "true",
            "STOCKSTREAM_TICK_INTERVAL_MS", "20",
            "STOCKSTREAM_SYMBOLS", "AAPL",
            "STOCKSTREAM_WEB_INSTANCES", "1");
    TestNode.start(vertx, env)
        .compose(
            node ->
                WsClient.connect(
                        vertx,
                        new WebSocketConnectOptions()
                            .setHost("127.0.0.1")
                            .setPort(node.port())
                            .setURI("/ws?symbols=AAPL"),
                        true)
                    .compose(good -> good.next("subscribed").map(s -> good))
                    .compose(
                        good ->
                            vertx
                                .executeBlocking(() -> breakTls(node.port()))
                                .compose(
                                    ended -> {
                                      System.out.println("broken wss client: " + ended);
                                      ctx.verify(
                                          () -> {
                                            assertThat(ended.closeCode()).isIn(null, 1011);
                                            assertThat(ended.afterMs())
                                                .as("ms until the server ended it")
                                                .isLessThan(8_000);
                                          });
                                      return eventually(
                                          vertx,
                                          "an error disconnect",
                                          () -> node.metric(ERROR) == 1.0);
                                    })
                                .compose(v -> good.nextTick("AAPL"))
                                .compose(v -> good.nextTick("AAPL"))
                                .map(
                                    t -> {
                                      ctx.verify(
                                          () -> {
                                            assertThat(good.socket().isClosed()).isFalse();
                                            assertThat(node.metric(CLIENT)).isZero();
                                            assertThat(node.metric("stockstream_ws_connections"))
                                                .isEqualTo(1.0);
                                          });
                                      return null;
                                    })
                                .eventually(good::close)))
        .onComplete(ctx.succeedingThenComplete());
  }

  /**
   * Opens wss:// by hand (TLS over a plain socket it keeps), sees the welcome, then writes bytes
   * that are no TLS record to the plain socket and reads until the connection ends.
   */
  private static Ended breakTls(int port) throws Exception {
    try (Socket tcp = new Socket()) {
      tcp.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      tcp.setSoTimeout(10_000);
      SSLSocket tls =
          (SSLSocket) trustAll().getSocketFactory().createSocket(tcp, "127.0.0.1", port, false);
      tls.startHandshake();
      OutputStream out = tls.getOutputStream();
      InputStream in = tls.getInputStream();
      String key = Base64.getEncoder().encodeToString(new byte[16]);
      out.write(
          ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:"
                  + port
                  + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                  + key
                  + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      // The 101 head, then the whole welcome frame, so that what follows starts at a frame.
      while (!got.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        got.write(readByte(in, got));
      }
      assertThat(got.toString(StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 101");
      readByte(in, got);
      int length = readByte(in, got) & 0x7F;
      if (length == 126) {
        length = (readByte(in, got) << 8) | readByte(in, got);
      }
      byte[] welcome = in.readNBytes(length);
      assertThat(new String(welcome, StandardCharsets.UTF_8)).contains("\"type\":\"welcome\"");
      // Not a TLS record: neither a known content type nor an SSLv2 header.
      byte[] garbage = new byte[32];
      Arrays.fill(garbage, (byte) 'G');
      long sent = System.nanoTime();
      tcp.getOutputStream().write(garbage);
      tcp.getOutputStream().flush();
      ByteArrayOutputStream after = new ByteArrayOutputStream();
      String how;
      try {
        byte[] chunk = new byte[4096];
        int n;
        while ((n = in.read(chunk)) >= 0) {
          after.write(chunk, 0, n);
        }
        how = "end of stream";
      } catch (IOException e) {
        how = e.toString();
      }
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
      return new Ended(closeCode(after.toByteArray()), ms, how + ", " + after.size() + " bytes");
    }
  }

  private static int readByte(InputStream in, ByteArrayOutputStream soFar) throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new IOException("closed before the welcome: " + soFar);
    }
    return b;
  }

  /** The status of the first close frame in {@code bytes} (server frames are unmasked). */
  private static Integer closeCode(byte[] b) {
    int at = 0;
    while (at + 2 <= b.length) {
      int opcode = b[at] & 0x0F;
      int len = b[at + 1] & 0x7F;
      int header = 2;
      if (len == 126) {
        if (at + 4 > b.length) {
          return null;
        }
        len = ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
        header = 4;
      } else if (len == 127) {
        return null;
      }
      if (opcode == 0x8 && len >= 2 && at + header + 2 <= b.length) {
        return ((b[at + header] & 0xFF) << 8) | (b[at + header + 1] & 0xFF);
      }
      at += header + len;
    }
    return null;
  }

  private static SSLContext trustAll() throws Exception {
    TrustManager all =
        new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {all}, new SecureRandom());
    return context;
  }
}
