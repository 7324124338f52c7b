package io.stockstream.stream;

import io.stockstream.auth.TokenAuth;
import io.stockstream.config.Config;
import io.stockstream.metrics.Metrics;
import io.stockstream.metrics.Metrics.Handshake;
import io.stockstream.rest.ApiException;
import io.stockstream.rest.Errors;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Decides every WebSocket handshake before the {@code 101}: malformed (400), foreign origin (403),
 * no valid token (401), node full or draining (503 with Retry-After); then upgrades and hands the
 * socket to this event loop's hub. Each outcome is counted.
 */
final class HandshakeGate implements Handler<HttpServerRequest> {

  private static final int RETRY_DRAINING_S = 1;
  private static final int RETRY_FULL_S = 5;

  private final Config config;
  private final Admission admission;
  private final TokenAuth auth;
  private final Metrics metrics;
  private final StreamHub hub;

  HandshakeGate(
      Config config, Admission admission, TokenAuth auth, Metrics metrics, StreamHub hub) {
    this.config = config;
    this.admission = admission;
    this.auth = auth;
    this.metrics = metrics;
    this.hub = hub;
  }

  @Override
  public void handle(HttpServerRequest req) {
    // The upgrade may wait for the token check; keep the request's end for toWebSocket().
    req.pause();
    if (admission.draining()) {
      reject(
          req, Handshake.REJECTED_CAPACITY, unavailable("the node is draining", RETRY_DRAINING_S));
      return;
    }
    String malformed = malformed(req);
    if (malformed != null) {
      if (malformed.startsWith("Sec-WebSocket-Version")) {
        req.response().putHeader("Sec-WebSocket-Version", "13");
      }
      reject(req, Handshake.REJECTED_BAD_REQUEST, ApiException.badRequest(malformed));
      return;
    }
    if (!originAllowed(req)) {
      reject(
          req,
          Handshake.REJECTED_ORIGIN,
          new ApiException(
              403, "forbidden_origin", "origin " + req.getHeader("Origin") + " is not allowed"));
      return;
    }
    Future<?> authorized = auth == null ? Future.succeededFuture() : auth.authenticate(req);
    authorized.onComplete(
        ar -> {
          if (ar.failed()) {
            reject(req, Handshake.REJECTED_AUTH, TokenAuth.unauthorized());
          } else if (admission.draining()) {
            reject(
                req,
                Handshake.REJECTED_CAPACITY,
                unavailable("the node is draining", RETRY_DRAINING_S));
          } else if (!admission.tryReserve()) {
            reject(
                req,
                Handshake.REJECTED_CAPACITY,
                unavailable("the node holds its maximum of connections", RETRY_FULL_S));
          } else {
            upgrade(req);
          }
        });
  }

  private void upgrade(HttpServerRequest req) {
    List<String> symbols = querySymbols(req.getParam("symbols"));
    req.toWebSocket()
        .onSuccess(
            ws -> {
              metrics.handshake(Handshake.ACCEPTED);
              hub.open(ws, symbols);
            })
        .onFailure(
            e -> {
              admission.release();
              metrics.handshake(Handshake.REJECTED_BAD_REQUEST);
              if (!req.response().ended()) {
                Errors.respond(
                    req.response(),
                    ApiException.badRequest("WebSocket handshake failed: " + e.getMessage()));
              }
            });
  }

  private void reject(HttpServerRequest req, Handshake outcome, ApiException error) {
    metrics.handshake(outcome);
    Errors.respond(req.response(), error);
  }

  private static ApiException unavailable(String message, int retryAfter) {
    return new ApiException(503, "unavailable", message, retryAfter);
  }

  /** What is wrong with the upgrade request, or null when it is a proper RFC 6455 handshake. */
  static String malformed(HttpServerRequest req) {
    if (req.method() != HttpMethod.GET) {
      return "a WebSocket handshake is a GET request";
    }
    String upgrade = req.getHeader("Upgrade");
    if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
      return "expected a WebSocket upgrade (Upgrade: websocket)";
    }
    String connection = req.getHeader("Connection");
    if (connection == null || !connection.toLowerCase(Locale.ROOT).contains("upgrade")) {
      return "expected Connection: Upgrade";
    }
    String key = req.getHeader("Sec-WebSocket-Key");
    if (key == null || !isNonce(key.trim())) {
      return "Sec-WebSocket-Key must be 16 bytes in base64";
    }
    if (!"13".equals(req.getHeader("Sec-WebSocket-Version"))) {
      return "Sec-WebSocket-Version must be 13";
    }
    return null;
  }

  private static boolean isNonce(String key) {
    try {
      return Base64.getDecoder().decode(key).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Requests without Origin are not from browsers and pass. By default a browser may only connect
   * from the page's own host; the scheme is not compared, since TLS may end at an ingress.
   */
  private boolean originAllowed(HttpServerRequest req) {
    String origin = req.getHeader("Origin");
    if (origin == null || config.allowedOrigins().any()) {
      return true;
    }
    String normalized = origin.trim().toLowerCase(Locale.ROOT);
    if (!config.allowedOrigins().allowed().isEmpty()) {
      return config.allowedOrigins().allowed().contains(normalized);
    }
    String host = req.getHeader("Host");
    if (host == null) {
      return false;
    }
    try {
      URI uri = new URI(normalized);
      if (uri.getHost() == null) {
        return false;
      }
      String authority =
          withoutDefaultPort(uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()));
      return authority.equals(withoutDefaultPort(host.trim().toLowerCase(Locale.ROOT)));
    } catch (Exception e) {
      return false;
    }
  }

  private static String withoutDefaultPort(String authority) {
    if (authority.endsWith(":80")) {
      return authority.substring(0, authority.length() - 3);
    }
    if (authority.endsWith(":443")) {
      return authority.substring(0, authority.length() - 4);
    }
    return authority;
  }

  static List<String> querySymbols(String param) {
    List<String> out = new ArrayList<>();
    if (param != null) {
      for (String s : param.split(",")) {
        if (!s.isBlank()) {
          out.add(ClientRequest.normalize(s));
        }
      }
    }
    return out;
  }
}
