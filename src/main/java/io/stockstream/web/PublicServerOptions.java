package io.stockstream.web;

import io.stockstream.config.Config;
import io.stockstream.stream.WebSocketOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.SelfSignedCertificate;

/** The options of the public port's server: its WebSocket limits and its TLS, if any. */
public final class PublicServerOptions {

  /**
   * Room for one 100 KiB token, as a header or in the query, on top of Vert.x's limits on the
   * request line and the headers: such a token still reaches TokenAuth and gets the contract's 401
   * JSON instead of a bare 414 or 431. Longer request heads still get those.
   */
  static final int TOKEN_ROOM_BYTES = 100 * 1024;

  private PublicServerOptions() {}

  public static Future<HttpServerOptions> of(Vertx vertx, Config config) {
    HttpServerOptions options =
        WebSocketOptions.applyTo(ConnectionGuard.applyTo(new HttpServerOptions()))
            .setTcpNoDelay(true)
            // Every handler of the public port runs on its connection's own event loop, so Vert.x
            // may write straight to the socket instead of through a queue of its own: that queue
            // (a 1024-slot chunk, some 4.5 KB) would otherwise stay with every upgraded socket.
            .setStrictThreadMode(true)
            .setMaxInitialLineLength(
                HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH + TOKEN_ROOM_BYTES)
            .setMaxHeaderSize(HttpServerOptions.DEFAULT_MAX_HEADER_SIZE + TOKEN_ROOM_BYTES);
    if (config.tls() instanceof Config.Tls.Pem pem) {
      // The bytes checked are the bytes served: Vert.x does not read the files again, and the
      // certificate reloader starts from exactly these.
      return PemKeyPair.read(vertx, pem.cert(), pem.key())
          .compose(
              pair ->
                  vertx.executeBlocking(
                      () -> {
                        pair.check(vertx);
                        return pair;
                      }))
          .map(pair -> tls(options, pair.options()));
    }
    if (config.tls() instanceof Config.Tls.SelfSigned) {
      // Generating the key pair and writing its temporary files blocks: not on an event loop.
      return vertx
          .executeBlocking(() -> SelfSignedCertificate.create("localhost"))
          .map(cert -> tls(options, cert.keyCertOptions()));
    }
    return Future.succeededFuture(options);
  }

  private static HttpServerOptions tls(HttpServerOptions options, KeyCertOptions keyCert) {
    return TlsProfile.applyTo(options.setSsl(true).setKeyCertOptions(keyCert));
  }
}
