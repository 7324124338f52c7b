package io.stockstream.http;

import static io.stockstream.support.OnOneContext.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.Http;
import io.stockstream.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** With auth on, {@code /api/compare} answers 401 without a token and its figures with one. */
@ExtendWith(VertxExtension.class)
class CompareAuthTest {

  private static final String SECRET = "compare-secret-for-stockstream";

  private static String token(Vertx vertx) {
    JWTAuth jwt =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
    return jwt.generateToken(
        new JsonObject().put("sub", "analyst"),
        new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(300));
  }

  private static Future<Http.Response> compare(Vertx vertx, TestNode node, String bearer) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(node.port())
            .setURI("/api/compare");
    if (bearer != null) {
      options.putHeader("Authorization", "Bearer " + bearer);
    }
    return Http.request(vertx, options);
  }

  @Test
  void compareNeedsATokenAndWithOneAnswersTheDocumentedShape(Vertx vertx, VertxTestContext ctx) {
    String token = token(vertx);
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, Map.of("STOCKSTREAM_AUTH_JWT_SECRET", SECRET))
                .compose(
                    node ->
                        compare(vertx, node, null)
                            .compose(
                                without -> {
                                  ctx.verify(
                                      () -> {
                                        assertThat(without.status()).isEqualTo(401);
                                        assertThat(without.header("Content-Type"))
                                            .startsWith("application/json");
                                        assertThat(without.json().getString("error"))
                                            .isEqualTo("unauthorized");
                                        // Nothing of the figures leaks into the refusal.
                                        assertThat(without.json().containsKey("http")).isFalse();
                                      });
                                  return compare(vertx, node, "not-a-jwt");
                                })
                            .compose(
                                garbage -> {
                                  ctx.verify(() -> assertThat(garbage.status()).isEqualTo(401));
                                  return compare(vertx, node, token);
                                })
                            .map(
                                with -> {
                                  ctx.verify(() -> assertShape(with));
                                  return null;
                                })));
  }

  private static void assertShape(Http.Response r) {
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    JsonObject http = r.json().getJsonObject("http");
    JsonObject ws = r.json().getJsonObject("websocket");
    assertThat(http).as("http").isNotNull();
    assertThat(ws).as("websocket").isNotNull();
    // PROTOCOL.md: quote responses, bytes per update, missed per poll; tick frames, bytes per
    // update, fan-out p50 and p99. The field names are the ones QuoteApiTest checks by value.
    for (String field : List.of("quoteResponses", "avgBytesPerUpdate", "avgMissedPerPoll")) {
      assertThat(http.getValue(field)).as("http.%s", field).isInstanceOf(Number.class);
      assertThat(http.getDouble(field)).as("http.%s", field).isGreaterThanOrEqualTo(0.0);
    }
    for (String field :
        List.of("tickFrames", "avgBytesPerUpdate", "fanoutLatencyP50Ms", "fanoutLatencyP99Ms")) {
      assertThat(ws.getValue(field)).as("websocket.%s", field).isInstanceOf(Number.class);
      assertThat(ws.getDouble(field)).as("websocket.%s", field).isGreaterThanOrEqualTo(0.0);
    }
    // The 401s were not quote responses, and nothing else was polled or pushed.
    assertThat(http.getLong("quoteResponses")).isZero();
    assertThat(ws.getLong("tickFrames")).isZero();
  }
}
