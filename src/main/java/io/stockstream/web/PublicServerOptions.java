package io.stockstream.web;

import io.stockstream.config.Config;
import io.stockstream.stream.WebSocketOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SelfSignedCertificate;

/** The options of the public port's server: its WebSocket limits and its TLS, if any. */
public final class PublicServerOptions {

  private PublicServerOptions() {}

  public static Future<HttpServerOptions> of(Vertx vertx, Config config) {
    HttpServerOptions options =
        WebSocketOptions.applyTo(new HttpServerOptions()).setTcpNoDelay(true);
    if (config.tls() instanceof Config.Tls.Pem pem) {
      PemKeyCertOptions keyCert =
          new PemKeyCertOptions()
              .setCertPath(pem.cert().toString())
              .setKeyPath(pem.key().toString());
      return Future.succeededFuture(options.setSsl(true).setKeyCertOptions(keyCert));
    }
    if (config.tls() instanceof Config.Tls.SelfSigned) {
      // Generating the key pair and writing its temporary files blocks: not on an event loop.
      return vertx
          .executeBlocking(() -> SelfSignedCertificate.create("localhost"))
          .map(cert -> options.setSsl(true).setKeyCertOptions(cert.keyCertOptions()));
    }
    return Future.succeededFuture(options);
  }
}
