package io.stockstream.stream;

import static io.stockstream.support.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The canary of {@link VertxInternals#forgetHandshake}: an upgraded socket lets go of its
 * handshake's request (and all it holds) and still works, where Vert.x alone keeps it for the
 * socket's whole life. Reachability is judged by the garbage collector through weak references.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ForgetHandshakeCanaryTest {

  /** One upgrade on the server: a weak hold on its request and a strong one on its socket. */
  private record Upgraded(WeakReference<HttpServerRequest> request, ServerWebSocket ws) {}

  @Test
  void anUpgradedSocketLetsGoOfItsHandshakeAndStillSendsAndReceives(
      Vertx vertx, VertxTestContext ctx) {
    List<Promise<Upgraded>> upgrades = List.of(Promise.promise(), Promise.promise());
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer server =
        vertx
            .createHttpServer(WebSocketOptions.applyTo(new HttpServerOptions()))
            .requestHandler(
                req -> {
                  boolean forget = "/forget".equals(req.path());
                  WeakReference<HttpServerRequest> weak = new WeakReference<>(req);
                  req.toWebSocket()
                      .onSuccess(
                          ws -> {
                            if (forget) {
                              VertxInternals.forgetHandshake(ws);
                            }
                            ws.textMessageHandler(ws::writeTextMessage);
                            upgrades.get(forget ? 0 : 1).complete(new Upgraded(weak, ws));
                          });
                });
    WebSocketClient client = vertx.createWebSocketClient();
    server
        .listen(0, "127.0.0.1")
        .compose(
            s ->
                Future.all(
                    client.connect(s.actualPort(), "127.0.0.1", "/forget"),
                    client.connect(s.actualPort(), "127.0.0.1", "/keep")))
        .compose(
            sockets -> {
              WebSocket forgotten = sockets.resultAt(0);
              forgotten.textMessageHandler(received::add);
              return Future.all(upgrades.get(0).future(), upgrades.get(1).future())
                  .compose(
                      all ->
                          eventually(
                              vertx,
                              "the forgotten handshake's request collected",
                              () -> {
                                System.gc();
                                return all.<Upgraded>resultAt(0).request().get() == null;
                              }))
                  .compose(v -> forgotten.writeTextMessage("still open"))
                  .compose(v -> eventually(vertx, "the echo", () -> !received.isEmpty()))
                  .map(
                      v -> {
                        Upgraded forgot = upgrades.get(0).future().result();
                        Upgraded kept = upgrades.get(1).future().result();
                        assertThat(received).containsExactly("still open");
                        assertThat(forgot.ws().headers()).isNull();
                        assertThat(forgot.ws().uri()).isNull();
                        System.gc();
                        // When this fails, Vert.x no longer keeps the handshake of an upgraded
                        // socket itself, and forgetHandshake can go.
                        assertThat(kept.request().get())
                            .as("the request of a socket whose handshake was not forgotten")
                            .isNotNull();
                        return kept.ws().isClosed();
                      });
            })
        .eventually(() -> client.close().eventually(server::close))
        .onComplete(
            ctx.succeeding(
                closed ->
                    ctx.verify(
                        () -> {
                          assertThat(closed).as("the kept socket closed").isFalse();
                          ctx.completeNow();
                        })));
  }
}
