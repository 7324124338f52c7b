package io.stockstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.Http;
import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With {@code STOCKSTREAM_AUTH_JWT_SECRET} set, {@code /ws} and {@code /api/*} need a valid,
 * unexpired HS256 token, as a bearer header or as {@code ?access_token=}; the management port does
 * not.
 */
@ExtendWith(VertxExtension.class)
class JwtAuthTest {

  private static final String SECRET = "test-secret-for-stockstream";
  private static final Map<String, String> AUTH = Map.of("STOCKSTREAM_AUTH_JWT_SECRET", SECRET);

  private static String sign(Vertx vertx, String secret, JsonObject claims, JWTOptions options) {
    JWTAuth jwt =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    return jwt.generateToken(claims, options.setAlgorithm("HS256"));
  }

  private static String valid(Vertx vertx) {
    return sign(
        vertx,
        SECRET,
        new JsonObject().put("sub", "trader-1"),
        new JWTOptions().setExpiresInSeconds(300));
  }

  private static String expired(Vertx vertx) {
    long now = System.currentTimeMillis() / 1000;
    String token =
        sign(
            vertx,
            SECRET,
            new JsonObject().put("sub", "trader-1").put("iat", now - 600).put("exp", now - 300),
            new JWTOptions());
    // Make sure the token really carries the past exp, so that a 401 is about expiry.
    JsonObject payload =
        new JsonObject(
            new String(
                Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
    assertThat(payload.getLong("exp")).isEqualTo(now - 300);
    return token;
  }

  private static String forged(Vertx vertx) {
    return sign(
        vertx,
        "another-secret-entirely",
        new JsonObject().put("sub", "trader-1"),
        new JWTOptions().setExpiresInSeconds(300));
  }

  private static String handshakes(String outcome) {
    return "stockstream_ws_handshakes_total{outcome=\"" + outcome + "\"}";
  }

  private static WebSocketConnectOptions ws(TestNode node, String uri) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port()).setURI(uri);
  }

  /** Expects the handshake to be refused with {@code status}. */
  private static Future<UpgradeRejectedException> refused(
      Vertx vertx, WebSocketConnectOptions options, int status) {
    return WsClient.connect(vertx, options, false)
        .transform(
            ar -> {
              if (ar.succeeded()) {
                ar.result().close();
                return Future.failedFuture(new AssertionError("expected " + status + ", got 101"));
              }
              if (ar.cause() instanceof UpgradeRejectedException e && e.getStatus() == status) {
                return Future.succeededFuture(e);
              }
              return Future.failedFuture(
                  new AssertionError("expected " + status + ", got " + ar.cause(), ar.cause()));
            });
  }

  private static Future<Http.Response> quote(
      Vertx vertx, TestNode node, String uri, String bearer) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(node.port())
            .setURI(uri);
    if (bearer != null) {
      options.putHeader("Authorization", "Bearer " + bearer);
    }
    return Http.request(vertx, options);
  }

  private static void assertUnauthorizedJson(Http.Response r) {
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(r.json().getString("error")).isEqualTo("unauthorized");
  }

  @Test
  void webSocketWithoutTokenGets401(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx, AUTH)
        .compose(
            node ->
                refused(vertx, ws(node, "/ws"), 401)
                    .map(
                        e -> {
                          ctx.verify(
                              () -> {
                                assertThat(e.getBody().toJsonObject().getString("error"))
                                    .isEqualTo("unauthorized");
                                assertThat(node.metric(handshakes("rejected_auth"))).isEqualTo(1.0);
                                assertThat(node.metric(handshakes("accepted"))).isEqualTo(0.0);
                              });
                          return e;
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void webSocketWithForgedExpiredOrGarbageTokenGets401(Vertx vertx, VertxTestContext ctx) {
    String forged = forged(vertx);
    String expired = expired(vertx);
    TestNode.start(vertx, AUTH)
        .compose(
            node ->
                refused(vertx, ws(node, "/ws").addHeader("Authorization", "Bearer " + forged), 401)
                    .compose(
                        e ->
                            refused(
                                vertx,
                                ws(node, "/ws").addHeader("Authorization", "Bearer " + expired),
                                401))
                    .compose(
                        e ->
                            refused(
                                vertx,
                                ws(node, "/ws").addHeader("Authorization", "Bearer not-a-jwt"),
                                401))
                    .compose(e -> refused(vertx, ws(node, "/ws?access_token=" + forged), 401))
                    .compose(e -> refused(vertx, ws(node, "/ws?access_token=" + expired), 401))
                    .compose(e -> refused(vertx, ws(node, "/ws?access_token=garbage.x.y"), 401))
                    .map(
                        e -> {
                          ctx.verify(
                              () -> {
                                assertThat(node.metric(handshakes("rejected_auth"))).isEqualTo(6.0);
                                assertThat(node.metric(handshakes("accepted"))).isEqualTo(0.0);
                                assertThat(node.metric("stockstream_ws_connections"))
                                    .isEqualTo(0.0);
                              });
                          return e;
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void webSocketWithBearerTokenGets101AndWelcome(Vertx vertx, VertxTestContext ctx) {
    String token = valid(vertx);
    TestNode.start(vertx, AUTH)
        .compose(
            node ->
                WsClient.connect(
                        vertx,
                        ws(node, "/ws?symbols=AAPL").addHeader("Authorization", "Bearer " + token),
                        false)
                    .compose(
                        c ->
                            c.next("welcome")
                                .compose(w -> c.next("subscribed"))
                                .map(
                                    s -> {
                                      ctx.verify(
                                          () -> {
                                            assertThat(s.getJsonArray("symbols").getList())
                                                .containsExactly("AAPL");
                                            assertThat(node.metric(handshakes("accepted")))
                                                .isEqualTo(1.0);
                                            assertThat(node.metric(handshakes("rejected_auth")))
                                                .isEqualTo(0.0);
                                          });
                                      return s;
                                    })))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void webSocketWithAccessTokenQueryGets101AndWelcome(Vertx vertx, VertxTestContext ctx) {
    String token = valid(vertx);
    TestNode.start(vertx, AUTH)
        .compose(
            node ->
                WsClient.connect(vertx, ws(node, "/ws?access_token=" + token), false)
                    .compose(c -> c.next("welcome"))
                    .map(
                        w -> {
                          ctx.verify(
                              () -> {
                                assertThat(w.getInteger("protocol")).isEqualTo(1);
                                assertThat(node.metric(handshakes("accepted"))).isEqualTo(1.0);
                              });
                          return w;
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void restWithoutValidTokenGets401Json(Vertx vertx, VertxTestContext ctx) {
    String forged = forged(vertx);
    String expired = expired(vertx);
    TestNode.start(vertx, AUTH)
        .compose(
            node ->
                quote(vertx, node, "/api/quotes/AAPL", null)
                    .compose(
                        r -> {
                          ctx.verify(() -> assertUnauthorizedJson(r));
                          return quote(vertx, node, "/api/quotes/AAPL", forged);
                        })
                    .compose(
                        r -> {
                          ctx.verify(() -> assertUnauthorizedJson(r));
                          return quote(vertx, node, "/api/quotes/AAPL", expired);
                        })
                    .compose(
                        r -> {
                          ctx.verify(() -> assertUnauthorizedJson(r));
                          return quote(vertx, node, "/api/quotes/AAPL", "garbage");
                        })
                    .compose(
                        r -> {
                          ctx.verify(() -> assertUnauthorizedJson(r));
                          return quote(
                              vertx, node, "/api/quotes/AAPL?access_token=" + forged, null);
                        })
                    .compose(
                        r -> {
                          ctx.verify(() -> assertUnauthorizedJson(r));
                          return quote(vertx, node, "/api/symbols", null);
                        })
                    .map(
                        r -> {
                          ctx.verify(
                              () -> {
                                assertUnauthorizedJson(r);
                                // REST refusals are not WebSocket handshakes.
                                assertThat(node.metric(handshakes("rejected_auth"))).isEqualTo(0.0);
                                assertThat(node.metric("stockstream_http_quote_requests_total"))
                                    .isEqualTo(0.0);
                              });
                          return r;
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void restWithBearerOrAccessTokenGets200(Vertx vertx, VertxTestContext ctx) {
    String token = valid(vertx);
    TestNode.start(vertx, AUTH)
        .compose(
            node ->
                quote(vertx, node, "/api/quotes/AAPL", token)
                    .compose(
                        r -> {
                          ctx.verify(
                              () -> {
                                assertThat(r.status()).isEqualTo(200);
                                assertThat(r.json().getString("symbol")).isEqualTo("AAPL");
                                assertThat(r.json().getLong("seq")).isPositive();
                              });
                          return quote(vertx, node, "/api/quotes/AAPL?access_token=" + token, null);
                        })
                    .map(
                        r -> {
                          ctx.verify(
                              () -> {
                                assertThat(r.status()).isEqualTo(200);
                                assertThat(r.json().getString("symbol")).isEqualTo("AAPL");
                                assertThat(node.metric("stockstream_http_quote_requests_total"))
                                    .isEqualTo(2.0);
                              });
                          return r;
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void managementPortNeedsNoToken(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx, AUTH)
        .compose(
            node ->
                Http.get(vertx, node.managementPort(), "/metrics")
                    .compose(
                        r -> {
                          ctx.verify(
                              () -> {
                                assertThat(r.status()).isEqualTo(200);
                                assertThat(r.body().toString())
                                    .contains("stockstream_ws_handshakes_total");
                              });
                          return Http.get(vertx, node.managementPort(), "/health/live");
                        })
                    .map(
                        r -> {
                          ctx.verify(() -> assertThat(r.status()).isEqualTo(200));
                          return r;
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void withoutSecretEverythingIsOpen(Vertx vertx, VertxTestContext ctx) {
    // The control: the 401s above come from the secret, not from the requests themselves.
    TestNode.start(vertx)
        .compose(
            node ->
                quote(vertx, node, "/api/quotes/AAPL", null)
                    .compose(
                        r -> {
                          ctx.verify(() -> assertThat(r.status()).isEqualTo(200));
                          return WsClient.connect(vertx, ws(node, "/ws"), false);
                        })
                    .compose(c -> c.next("welcome")))
        .onComplete(ctx.succeedingThenComplete());
  }
}
