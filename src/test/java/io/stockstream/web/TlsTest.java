package io.stockstream.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.Http;
import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.core.net.TrustOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** With TLS on, the public port speaks only https and wss, with the configured certificate. */
@ExtendWith(VertxExtension.class)
class TlsTest {

  private static final Map<String, String> FAST_TICKS =
      Map.of("STOCKSTREAM_TICK_INTERVAL_MS", "20");

  private static WebSocketConnectOptions ws(TestNode node, String uri) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port()).setURI(uri);
  }

  /** One https GET; {@code trust} null means trust any certificate (it is self-signed). */
  private static Future<JsonObject> httpsGet(
      Vertx vertx, TestNode node, String uri, TrustOptions trust) {
    HttpClientOptions options = new HttpClientOptions().setSsl(true).setVerifyHost(false);
    if (trust == null) {
      options.setTrustAll(true);
    } else {
      options.setTrustOptions(trust);
    }
    HttpClientAgent client = vertx.createHttpClient(options);
    return client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost("127.0.0.1")
                .setPort(node.port())
                .setURI(uri))
        // The body is asked for as the response arrives (see support.Http).
        .compose(req -> req.send().compose(TlsTest::jsonOverTls))
        .eventually(client::close);
  }

  /** The body of a 200 that came over TLS, as JSON; fails otherwise. */
  private static Future<JsonObject> jsonOverTls(HttpClientResponse resp) {
    if (resp.statusCode() != 200) {
      return Future.failedFuture("https status " + resp.statusCode());
    }
    if (!resp.request().connection().isSsl()) {
      return Future.failedFuture("the connection is not TLS");
    }
    return resp.body().map(Buffer::toJsonObject);
  }

  /** Over wss: the welcome, the subscription and two consecutive live ticks of AAPL. */
  private static Future<Void> wssStreams(Vertx vertx, VertxTestContext ctx, TestNode node) {
    return WsClient.connect(vertx, ws(node, "/ws?symbols=AAPL"), true)
        .compose(
            c -> {
              ctx.verify(() -> assertThat(c.socket().isSsl()).isTrue());
              return c.next("welcome")
                  .compose(w -> c.next("subscribed"))
                  .compose(s -> c.nextTick("AAPL"))
                  .compose(
                      t1 ->
                          c.nextTick("AAPL")
                              .map(
                                  t2 -> {
                                    ctx.verify(
                                        () ->
                                            assertThat(t2.getLong("seq"))
                                                .isEqualTo(t1.getLong("seq") + 1));
                                    return t2;
                                  }))
                  .compose(t -> c.close());
            });
  }

  @Test
  void selfSignedServesWssWithWelcomeAndTicks(Vertx vertx, VertxTestContext ctx) {
    Map<String, String> env = new java.util.HashMap<>(FAST_TICKS);
    env.put("STOCKSTREAM_TLS_SELF_SIGNED", "true");
    TestNode.start(vertx, env)
        .compose(node -> wssStreams(vertx, ctx, node))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void selfSignedServesHttpsRest(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx, Map.of("STOCKSTREAM_TLS_SELF_SIGNED", "true"))
        .compose(node -> httpsGet(vertx, node, "/api/quotes/AAPL", null))
        .onComplete(
            ctx.succeeding(
                quote ->
                    ctx.verify(
                        () -> {
                          assertThat(quote.getString("symbol")).isEqualTo("AAPL");
                          assertThat(quote.getLong("seq")).isPositive();
                          ctx.completeNow();
                        })));
  }

  @Test
  void plainHttpToTheTlsPortGetsNoHttpResponse(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx, Map.of("STOCKSTREAM_TLS_SELF_SIGNED", "true"))
        .compose(
            node ->
                Http.get(vertx, node.port(), "/api/quotes/AAPL")
                    .transform(
                        ar -> {
                          if (ar.succeeded()) {
                            return Future.failedFuture(
                                new AssertionError(
                                    "plain http got a response: " + ar.result().status()));
                          }
                          return Future.succeededFuture(node);
                        }))
        .compose(
            node ->
                // Nor does a plain ws:// handshake succeed.
                WsClient.connect(vertx, ws(node, "/ws"), false)
                    .transform(
                        ar -> {
                          if (ar.succeeded()) {
                            ar.result().close();
                            return Future.failedFuture(
                                new AssertionError("plain ws:// connected to the TLS port"));
                          }
                          return Future.succeededFuture(node);
                        }))
        // The node is unharmed by the plain-text attempts.
        .compose(node -> httpsGet(vertx, node, "/api/symbols", null))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void pemFilesServeWssAndHttpsWithThatCertificate(Vertx vertx, VertxTestContext ctx) {
    vertx
        .executeBlocking(() -> SelfSignedCertificate.create("localhost"))
        .compose(
            cert -> {
              Map<String, String> env = new java.util.HashMap<>(FAST_TICKS);
              env.put("STOCKSTREAM_TLS_CERT", cert.certificatePath());
              env.put("STOCKSTREAM_TLS_KEY", cert.privateKeyPath());
              // Trust only the certificate of the files: any other server certificate fails.
              TrustOptions onlyThis = new PemTrustOptions().addCertPath(cert.certificatePath());
              return TestNode.start(vertx, env)
                  .compose(
                      node ->
                          wssStreams(vertx, ctx, node)
                              .compose(v -> httpsGet(vertx, node, "/api/quotes/MSFT", onlyThis))
                              .map(
                                  quote -> {
                                    ctx.verify(
                                        () ->
                                            assertThat(quote.getString("symbol"))
                                                .isEqualTo("MSFT"));
                                    return node;
                                  }))
                  .compose(
                      node ->
                          // The control: a certificate the client does not trust is refused, so
                          // the https success above is about the PEM files.
                          vertx
                              .executeBlocking(() -> SelfSignedCertificate.create("localhost"))
                              .compose(
                                  other ->
                                      httpsGet(
                                              vertx,
                                              node,
                                              "/api/symbols",
                                              new PemTrustOptions()
                                                  .addCertPath(other.certificatePath()))
                                          .transform(
                                              ar ->
                                                  ar.succeeded()
                                                      ? Future.failedFuture(
                                                          new AssertionError(
                                                              "a foreign trust anchor was accepted"))
                                                      : Future.succeededFuture())));
            })
        .onComplete(ctx.succeedingThenComplete());
  }
}
