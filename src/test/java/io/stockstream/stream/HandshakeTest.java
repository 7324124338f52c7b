package io.stockstream.stream;

import static io.stockstream.support.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.Http;
import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The WebSocket handshake over real sockets: who gets {@code 101} and who gets 400, 403 or 503, and
 * that each outcome is counted in {@code stockstream_ws_handshakes_total}.
 */
@ExtendWith(VertxExtension.class)
class HandshakeTest {

  private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

  private static String handshakes(String outcome) {
    return "stockstream_ws_handshakes_total{outcome=\"" + outcome + "\"}";
  }

  private static WebSocketConnectOptions ws(TestNode node) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port()).setURI("/ws");
  }

  private static Future<WsClient> connect(Vertx vertx, WebSocketConnectOptions options) {
    return WsClient.connect(vertx, options, false);
  }

  /** Connects and expects a rejection; yields the status, headers and body the client saw. */
  private static Future<UpgradeRejectedException> rejected(
      Vertx vertx, WebSocketConnectOptions options) {
    return connect(vertx, options)
        .transform(
            ar -> {
              if (ar.succeeded()) {
                ar.result().close();
                return Future.failedFuture(
                    new AssertionError("expected the handshake to be rejected, got 101"));
              }
              if (ar.cause() instanceof UpgradeRejectedException e) {
                return Future.succeededFuture(e);
              }
              return Future.failedFuture(ar.cause());
            });
  }

  /** A fresh connection gets 101 and its welcome, then closes. */
  private static Future<Void> stillServes(Vertx vertx, TestNode node) {
    return connect(vertx, ws(node)).compose(c -> c.next("welcome").compose(w -> c.close()));
  }

  /** A GET /ws with exactly these headers (besides Host), sent with a plain HTTP client. */
  private static Future<Http.Response> rawUpgrade(
      Vertx vertx, TestNode node, Map<String, String> headers) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(node.port())
            .setURI("/ws");
    headers.forEach(options::putHeader);
    return Http.request(vertx, options);
  }

  private static Map<String, String> upgradeHeaders() {
    Map<String, String> h = new HashMap<>();
    h.put("Upgrade", "websocket");
    h.put("Connection", "Upgrade");
    h.put("Sec-WebSocket-Key", KEY);
    h.put("Sec-WebSocket-Version", "13");
    return h;
  }

  @Test
  void noOriginIsAccepted(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx)
        .compose(
            node ->
                connect(vertx, ws(node))
                    .compose(c -> c.next("welcome"))
                    .map(
                        w -> {
                          ctx.verify(
                              () -> {
                                assertThat(w.getInteger("protocol")).isEqualTo(1);
                                assertThat(node.metric(handshakes("accepted"))).isEqualTo(1.0);
                                assertThat(node.metric("stockstream_ws_connections"))
                                    .isEqualTo(1.0);
                              });
                          return w;
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void originOfTheRequestsOwnHostIsAccepted(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx)
        .compose(
            node ->
                connect(vertx, ws(node).addHeader("Origin", "http://127.0.0.1:" + node.port()))
                    .compose(c -> c.next("welcome"))
                    .map(
                        w -> {
                          ctx.verify(
                              () -> {
                                assertThat(node.metric(handshakes("accepted"))).isEqualTo(1.0);
                                assertThat(node.metric(handshakes("rejected_origin")))
                                    .isEqualTo(0.0);
                              });
                          return w;
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void foreignOriginGets403(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx)
        .compose(
            node ->
                rejected(vertx, ws(node).addHeader("Origin", "https://evil.example"))
                    .compose(
                        e -> {
                          ctx.verify(
                              () -> {
                                assertThat(e.getStatus()).isEqualTo(403);
                                assertThat(e.getHeaders().get("Content-Type"))
                                    .startsWith("application/json");
                                JsonObject body = e.getBody().toJsonObject();
                                assertThat(body.getString("error")).isNotBlank();
                                assertThat(body.getString("message")).contains("evil.example");
                                assertThat(node.metric(handshakes("rejected_origin")))
                                    .isEqualTo(1.0);
                                assertThat(node.metric(handshakes("accepted"))).isEqualTo(0.0);
                              });
                          return stillServes(vertx, node);
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void sameHostOnAnotherPortIsForeign(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx)
        .compose(
            node ->
                rejected(
                        vertx,
                        ws(node).addHeader("Origin", "http://127.0.0.1:" + (node.port() + 1)))
                    .map(
                        e -> {
                          ctx.verify(() -> assertThat(e.getStatus()).isEqualTo(403));
                          return e;
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void configuredOriginIsAcceptedAndAnotherGets403(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx, Map.of("STOCKSTREAM_ALLOWED_ORIGINS", "https://a.example"))
        .compose(
            node ->
                connect(vertx, ws(node).addHeader("Origin", "https://a.example"))
                    .compose(c -> c.next("welcome").compose(w -> c.close()))
                    .compose(
                        v -> rejected(vertx, ws(node).addHeader("Origin", "https://b.example")))
                    .compose(
                        e -> {
                          ctx.verify(() -> assertThat(e.getStatus()).isEqualTo(403));
                          // The list replaces the default: not even the own host is allowed now.
                          return rejected(
                              vertx,
                              ws(node).addHeader("Origin", "http://127.0.0.1:" + node.port()));
                        })
                    .map(
                        e -> {
                          ctx.verify(
                              () -> {
                                assertThat(e.getStatus()).isEqualTo(403);
                                assertThat(node.metric(handshakes("accepted"))).isEqualTo(1.0);
                                assertThat(node.metric(handshakes("rejected_origin")))
                                    .isEqualTo(2.0);
                              });
                          return e;
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void wildcardAllowsAnyOrigin(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx, Map.of("STOCKSTREAM_ALLOWED_ORIGINS", "*"))
        .compose(
            node ->
                connect(vertx, ws(node).addHeader("Origin", "https://anything.example"))
                    .compose(c -> c.next("welcome").compose(w -> c.close()))
                    .compose(
                        v ->
                            connect(vertx, ws(node).addHeader("Origin", "null"))
                                .compose(c -> c.next("welcome").compose(w -> c.close())))
                    .map(
                        v -> {
                          ctx.verify(
                              () -> {
                                assertThat(node.metric(handshakes("accepted"))).isEqualTo(2.0);
                                assertThat(node.metric(handshakes("rejected_origin")))
                                    .isEqualTo(0.0);
                              });
                          return v;
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void fullNodeGets503WithRetryAfterAndAcceptsAgainOnceASlotFrees(
      Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx, Map.of("STOCKSTREAM_MAX_CONNECTIONS", "1"))
        .compose(
            node ->
                connect(vertx, ws(node))
                    .compose(
                        first ->
                            first
                                .next("welcome")
                                .compose(w -> rejected(vertx, ws(node)))
                                .compose(
                                    e -> {
                                      ctx.verify(
                                          () -> {
                                            assertThat(e.getStatus()).isEqualTo(503);
                                            String retry = e.getHeaders().get("Retry-After");
                                            assertThat(retry).isNotNull();
                                            assertThat(Integer.parseInt(retry)).isPositive();
                                            assertThat(
                                                    e.getBody().toJsonObject().getString("error"))
                                                .isNotBlank();
                                            assertThat(node.metric(handshakes("rejected_capacity")))
                                                .isEqualTo(1.0);
                                          });
                                      return first.close();
                                    }))
                    // The slot is released when the server sees the close: poll with a deadline.
                    .compose(v -> connectWithin(vertx, node, System.currentTimeMillis() + 5_000))
                    .compose(c -> c.next("welcome").compose(w -> c.close()))
                    .map(
                        v -> {
                          ctx.verify(
                              () -> {
                                assertThat(node.metric(handshakes("accepted"))).isEqualTo(2.0);
                                assertThat(node.metric(handshakes("rejected_capacity")))
                                    .isGreaterThanOrEqualTo(1.0);
                              });
                          return v;
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  /** Retries a handshake that is refused with 503 until it succeeds or the deadline passes. */
  private static Future<WsClient> connectWithin(Vertx vertx, TestNode node, long deadline) {
    return connect(vertx, ws(node))
        .recover(
            e -> {
              boolean full = e instanceof UpgradeRejectedException r && r.getStatus() == 503;
              if (!full || System.currentTimeMillis() > deadline) {
                return Future.failedFuture(e);
              }
              return vertx.timer(20).compose(t -> connectWithin(vertx, node, deadline));
            });
  }

  @Test
  void plainGetWithoutUpgradeGets400Json(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx)
        .compose(
            node ->
                Http.get(vertx, node.port(), "/ws")
                    .compose(
                        r -> {
                          ctx.verify(
                              () -> {
                                assertBadRequest(r);
                                assertThat(node.metric(handshakes("rejected_bad_request")))
                                    .isEqualTo(1.0);
                              });
                          return stillServes(vertx, node);
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void queryThatIsNotPercentEncodedGets400Json(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx, java.util.Map.of("STOCKSTREAM_AUTH_JWT_SECRET", "0123456789abcdef"))
        .compose(
            node -> {
              RequestOptions options =
                  new RequestOptions()
                      .setMethod(HttpMethod.GET)
                      .setHost("127.0.0.1")
                      .setPort(node.port())
                      .setURI("/ws?symbols=%ZZ&access_token=%");
              upgradeHeaders().forEach(options::putHeader);
              return Http.request(vertx, options)
                  .compose(
                      r -> {
                        ctx.verify(
                            () -> {
                              assertBadRequest(r);
                              assertThat(node.metric(handshakes("rejected_bad_request")))
                                  .isEqualTo(1.0);
                            });
                        return Future.succeededFuture();
                      });
            })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void missingKeyGets400Json(Vertx vertx, VertxTestContext ctx) {
    Map<String, String> headers = upgradeHeaders();
    headers.remove("Sec-WebSocket-Key");
    expectBadRequest(vertx, ctx, headers, null);
  }

  @Test
  void keyThatIsNotSixteenBytesOfBase64Gets400Json(Vertx vertx, VertxTestContext ctx) {
    Map<String, String> headers = upgradeHeaders();
    headers.put("Sec-WebSocket-Key", "not a nonce!");
    expectBadRequest(vertx, ctx, headers, null);
  }

  @Test
  void shortKeyGets400Json(Vertx vertx, VertxTestContext ctx) {
    Map<String, String> headers = upgradeHeaders();
    headers.put("Sec-WebSocket-Key", "c2hvcnQ="); // "short": valid base64, 5 bytes
    expectBadRequest(vertx, ctx, headers, null);
  }

  @Test
  void version8Gets400NamingVersion13(Vertx vertx, VertxTestContext ctx) {
    Map<String, String> headers = upgradeHeaders();
    headers.put("Sec-WebSocket-Version", "8");
    expectBadRequest(vertx, ctx, headers, "13");
  }

  /** A raw socket after a hand-made upgrade request, and the head of the server's answer. */
  private record RawUpgrade(NetSocket socket, String head) {}

  private static Future<RawUpgrade> rawHandshake(Vertx vertx, TestNode node) {
    return vertx
        .createNetClient()
        .connect(node.port(), "127.0.0.1")
        .compose(
            socket -> {
              Promise<String> head = Promise.promise();
              Buffer received = Buffer.buffer();
              socket.handler(
                  b -> {
                    received.appendBuffer(b);
                    String text = received.toString(StandardCharsets.ISO_8859_1);
                    int end = text.indexOf("\r\n\r\n");
                    // The head, once the welcome frame behind it shows the server took the socket.
                    if (end >= 0 && text.indexOf("\"welcome\"", end) > 0) {
                      head.tryComplete(text.substring(0, end));
                    }
                  });
              StringBuilder req = new StringBuilder("GET /ws HTTP/1.1\r\n");
              req.append("Host: 127.0.0.1:").append(node.port()).append("\r\n");
              upgradeHeaders()
                  .forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
              req.append("\r\n");
              return socket
                  .write(req.toString())
                  .compose(v -> head.future().timeout(5, TimeUnit.SECONDS))
                  .map(h -> new RawUpgrade(socket, h));
            });
  }

  @Test
  void wellFormedRawUpgradeGets101(Vertx vertx, VertxTestContext ctx) {
    // The control for the malformed cases: the same hand-made request with every header right.
    TestNode.start(vertx)
        .compose(
            node ->
                rawHandshake(vertx, node)
                    .compose(
                        raw -> {
                          ctx.verify(
                              () -> {
                                assertThat(raw.head()).startsWith("HTTP/1.1 101");
                                // RFC 6455 section 1.3: the accept value of the sample nonce.
                                assertThat(raw.head())
                                    .containsIgnoringCase(
                                        "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
                                assertThat(node.metric(handshakes("accepted"))).isEqualTo(1.0);
                                assertThat(node.metric(handshakes("rejected_bad_request")))
                                    .isEqualTo(0.0);
                              });
                          return raw.socket().close();
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void clientThatHangsUpWithoutCloseFrameIsAClientDisconnect(Vertx vertx, VertxTestContext ctx) {
    // Browsers killed, networks gone: the TCP connection just ends. That is the client's doing,
    // not an internal error of the server.
    TestNode.start(vertx)
        .compose(
            node ->
                rawHandshake(vertx, node)
                    .compose(raw -> raw.socket().close())
                    .compose(
                        v ->
                            eventually(
                                vertx,
                                "the connection to be released",
                                () -> node.metric("stockstream_ws_connections") == 0.0))
                    .map(
                        v -> {
                          ctx.verify(
                              () -> {
                                assertThat(node.metric(disconnects("client"))).isEqualTo(1.0);
                                assertThat(node.metric(disconnects("error"))).isEqualTo(0.0);
                              });
                          return v;
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  private static String disconnects(String reason) {
    return "stockstream_ws_disconnects_total{reason=\"" + reason + "\"}";
  }

  private static void expectBadRequest(
      Vertx vertx, VertxTestContext ctx, Map<String, String> headers, String versionHeader) {
    TestNode.start(vertx)
        .compose(
            node ->
                rawUpgrade(vertx, node, headers)
                    .compose(
                        r -> {
                          ctx.verify(
                              () -> {
                                assertBadRequest(r);
                                if (versionHeader != null) {
                                  assertThat(r.header("Sec-WebSocket-Version"))
                                      .isEqualTo(versionHeader);
                                }
                                assertThat(node.metric(handshakes("rejected_bad_request")))
                                    .isEqualTo(1.0);
                                assertThat(node.metric(handshakes("accepted"))).isEqualTo(0.0);
                                assertThat(node.metric("stockstream_ws_connections"))
                                    .isEqualTo(0.0);
                              });
                          return stillServes(vertx, node);
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  private static void assertBadRequest(Http.Response r) {
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(r.json().getString("error")).isEqualTo("bad_request");
    assertThat(r.json().getString("message")).isNotBlank();
  }

  @Test
  void everyOutcomeIsCountedOnce(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx, Map.of("STOCKSTREAM_MAX_CONNECTIONS", "1"))
        .compose(
            node ->
                connect(vertx, ws(node))
                    .compose(
                        held ->
                            held.next("welcome")
                                .compose(w -> rejected(vertx, ws(node)))
                                .compose(
                                    e ->
                                        rejected(
                                            vertx,
                                            ws(node).addHeader("Origin", "https://evil.example")))
                                .compose(e -> Http.get(vertx, node.port(), "/ws"))
                                .compose(
                                    r -> {
                                      Map<String, String> h = upgradeHeaders();
                                      h.put("Sec-WebSocket-Version", "8");
                                      return rawUpgrade(vertx, node, h);
                                    })
                                .map(
                                    r -> {
                                      ctx.verify(
                                          () -> {
                                            assertThat(node.metric(handshakes("accepted")))
                                                .isEqualTo(1.0);
                                            assertThat(node.metric(handshakes("rejected_capacity")))
                                                .isEqualTo(1.0);
                                            assertThat(node.metric(handshakes("rejected_origin")))
                                                .isEqualTo(1.0);
                                            assertThat(
                                                    node.metric(handshakes("rejected_bad_request")))
                                                .isEqualTo(2.0);
                                            assertThat(node.metric(handshakes("rejected_auth")))
                                                .isEqualTo(0.0);
                                          });
                                      return r;
                                    })))
        .onComplete(ctx.succeedingThenComplete());
  }
}
