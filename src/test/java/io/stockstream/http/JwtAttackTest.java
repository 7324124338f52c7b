package io.stockstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.http.JwtForge.Attack;
import io.stockstream.support.Http;
import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Every forged, confused, expired, malformed or oversized token gets the contract's 401 JSON on
 * REST and on the WebSocket handshake, over real sockets, and no token reaches the logs.
 */
@ExtendWith(VertxExtension.class)
class JwtAttackTest {

  private static final String SECRET = "test-secret-for-stockstream";
  private static final Map<String, String> AUTH = Map.of("STOCKSTREAM_AUTH_JWT_SECRET", SECRET);
  private static final String QUOTE = "/api/quotes/AAPL";
  private static final String REJECTED_AUTH =
      "stockstream_ws_handshakes_total{outcome=\"rejected_auth\"}";
  private static final String ACCEPTED = "stockstream_ws_handshakes_total{outcome=\"accepted\"}";

  /** What the server answered: a status, a Content-Type and a body; or a failure. */
  private record Outcome(int status, String contentType, Buffer body, Throwable failure) {

    /** Null when this is the contract's 401, else what is wrong with it. */
    String problem() {
      if (failure != null) {
        return "failed: " + failure;
      }
      String summary = status + " " + contentType + " " + abbreviated(body);
      if (status != 401 || contentType == null || !contentType.startsWith("application/json")) {
        return summary;
      }
      try {
        JsonObject json = body.toJsonObject();
        boolean ok =
            "unauthorized".equals(json.getString("error"))
                && json.getValue("message") instanceof String m
                && !m.isBlank();
        return ok ? null : summary;
      } catch (RuntimeException e) {
        return summary;
      }
    }

    private static String abbreviated(Buffer body) {
      String s = body == null ? "" : body.toString();
      return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
  }

  private static String encoded(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static Future<Outcome> rest(Vertx vertx, TestNode node, String uri, String auth) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(node.port())
            .setURI(uri);
    if (auth != null) {
      options.putHeader("Authorization", auth);
    }
    return Http.request(vertx, options)
        .transform(
            ar ->
                Future.succeededFuture(
                    ar.succeeded()
                        ? new Outcome(
                            ar.result().status(),
                            ar.result().header("Content-Type"),
                            ar.result().body(),
                            null)
                        : new Outcome(0, null, null, ar.cause())));
  }

  private static Future<Outcome> ws(Vertx vertx, TestNode node, String uri, String auth) {
    WebSocketConnectOptions options =
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port()).setURI(uri);
    if (auth != null) {
      options.addHeader("Authorization", auth);
    }
    return WsClient.connect(vertx, options, false)
        .transform(
            ar -> {
              if (ar.succeeded()) {
                return ar.result().close().transform(v -> Future.succeededFuture(upgraded()));
              }
              if (ar.cause() instanceof UpgradeRejectedException e) {
                return Future.succeededFuture(
                    new Outcome(
                        e.getStatus(), e.getHeaders().get("Content-Type"), e.getBody(), null));
              }
              return Future.succeededFuture(new Outcome(0, null, null, ar.cause()));
            });
  }

  private static Outcome upgraded() {
    return new Outcome(101, null, Buffer.buffer("(upgraded)"), null);
  }

  /** Sends {@code attack} every way it can be sent; adds what was not the contract's 401. */
  private static Future<Void> send(Vertx vertx, TestNode node, Attack attack, List<String> wrong) {
    Future<Void> chain = Future.succeededFuture();
    if (attack.authorization() != null) {
      chain =
          chain
              .compose(v -> rest(vertx, node, QUOTE, attack.authorization()))
              .map(o -> record(wrong, attack, "REST header", o))
              .compose(v -> ws(vertx, node, "/ws", attack.authorization()))
              .map(o -> record(wrong, attack, "/ws header", o));
    }
    if (attack.query() != null) {
      String query = "?access_token=" + encoded(attack.query());
      chain =
          chain
              .compose(v -> rest(vertx, node, QUOTE + query, null))
              .map(o -> record(wrong, attack, "REST query", o))
              .compose(v -> ws(vertx, node, "/ws" + query, null))
              .map(o -> record(wrong, attack, "/ws query", o));
    }
    return chain;
  }

  private static Void record(List<String> wrong, Attack attack, String how, Outcome outcome) {
    String problem = outcome.problem();
    if (problem != null) {
      wrong.add(attack.name() + " / " + how + ": " + problem);
    }
    return null;
  }

  private static int handshakesSent(List<Attack> attacks) {
    int n = 0;
    for (Attack a : attacks) {
      n += (a.authorization() == null ? 0 : 1) + (a.query() == null ? 0 : 1);
    }
    return n;
  }

  @Test
  void everyAttackGets401JsonOnRestAndWebSocketAndNoTokenIsLogged(
      Vertx vertx, VertxTestContext ctx) {
    JwtForge forge = new JwtForge(SECRET);
    List<Attack> attacks = forge.attacks();
    String valid = forge.valid(0);
    // A real token with many claims, near TokenAuth's cap: long tokens are not refused as such.
    String validLong = forge.valid(5_800);
    String probe = forge.valid(3);
    assertThat(validLong.length())
        .isBetween(TokenAuth.MAX_TOKEN_CHARS - 512, TokenAuth.MAX_TOKEN_CHARS);
    assertThat(attacks)
        .filteredOn(a -> a.name().startsWith("100 KiB"))
        .hasSize(2)
        .allMatch(a -> a.query().length() >= 100 * 1024 && a.query().length() < 101 * 1024);
    List<String> secrets = new ArrayList<>(List.of(valid, validLong));
    for (Attack a : attacks) {
      secrets.addAll(a.secrets());
    }
    for (String token : List.of(valid, validLong)) {
      secrets.add(token.substring(token.lastIndexOf('.') + 1));
    }
    List<String> wrong = Collections.synchronizedList(new ArrayList<>());
    List<String> controls = Collections.synchronizedList(new ArrayList<>());
    LogCapture logs = new LogCapture();
    TestNode.start(vertx, AUTH)
        .compose(
            node -> {
              Future<Void> chain = Future.succeededFuture();
              for (Attack attack : attacks) {
                chain = chain.compose(v -> send(vertx, node, attack, wrong));
              }
              return chain
                  .map(
                      v -> {
                        ctx.verify(
                            () -> {
                              assertThat(wrong).as("attacks not refused with 401 JSON").isEmpty();
                              assertThat(node.metric(REJECTED_AUTH))
                                  .isEqualTo((double) handshakesSent(attacks));
                              assertThat(node.metric(ACCEPTED)).isEqualTo(0.0);
                            });
                        return v;
                      })
                  // The controls: the same node lets a real token through, every way it can come.
                  .compose(v -> accepted(vertx, node, valid, controls))
                  .compose(v -> accepted(vertx, node, validLong, controls))
                  .map(
                      v -> {
                        ctx.verify(
                            () -> {
                              assertThat(controls).as("valid tokens not accepted").isEmpty();
                              assertThat(node.metric(ACCEPTED)).isEqualTo(4.0);
                              assertThat(node.metric(REJECTED_AUTH))
                                  .isEqualTo((double) handshakesSent(attacks));
                            });
                        return v;
                      });
            })
        .map(
            v -> {
              // The capture and the search work: a token logged by us or by Vert.x is found.
              LoggerFactory.getLogger("io.stockstream.probe").debug("probe {}", probe);
              io.vertx.core.internal.logging.LoggerFactory.getLogger("io.vertx.probe")
                  .debug("probe " + probe);
              ctx.verify(
                  () -> {
                    assertThat(logs.leaks(List.of(probe)))
                        .anyMatch(s -> s.startsWith("io.stockstream.probe "))
                        .anyMatch(s -> s.startsWith("io.vertx.probe "));
                    assertThat(logs.leaks(secrets)).as("tokens in the logs").isEmpty();
                  });
              return v;
            })
        .onComplete(ar -> logs.close())
        .onComplete(ctx.succeedingThenComplete());
  }

  /** Expects {@code token} to get 200 on REST and 101 on /ws, as a header and as a query. */
  private static Future<Void> accepted(
      Vertx vertx, TestNode node, String token, List<String> problems) {
    String query = "?access_token=" + encoded(token);
    String bearer = "Bearer " + token;
    return rest(vertx, node, QUOTE, bearer)
        .map(o -> expect(problems, "REST header", o, 200))
        .compose(v -> rest(vertx, node, QUOTE + query, null))
        .map(o -> expect(problems, "REST query", o, 200))
        .compose(v -> ws(vertx, node, "/ws", bearer))
        .map(o -> expect(problems, "/ws header", o, 101))
        .compose(v -> ws(vertx, node, "/ws" + query, null))
        .map(o -> expect(problems, "/ws query", o, 101));
  }

  private static Void expect(List<String> problems, String how, Outcome o, int status) {
    if (o.status() != status) {
      problems.add(how + ": expected " + status + ", got " + o.status() + " " + o.failure());
    }
    return null;
  }
}
