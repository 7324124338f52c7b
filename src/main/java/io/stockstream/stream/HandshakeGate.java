package io.stockstream.stream;

import io.stockstream.config.Config;
import io.stockstream.http.HttpError;
import io.stockstream.http.JsonErrors;
import io.stockstream.http.TokenAuth;
import io.stockstream.lifecycle.Lifecycle;
import io.stockstream.metrics.Meters;
import io.stockstream.protocol.Handshake;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * Decides every WebSocket handshake before the {@code 101}: malformed (400), foreign origin (403),
 * no valid token (401), node full or draining (503 with Retry-After); then upgrades and hands the
 * socket to this event loop's hub. Each outcome is counted.
 */
final class HandshakeGate implements Handler<HttpServerRequest> {

  private static final int RETRY_DRAINING_S = 1;
  private static final int RETRY_FULL_S = 5;

  private final Config config;
  private final Lifecycle lifecycle;
  private final ConnectionSlots slots;
  private final TokenAuth auth;
  private final Meters meters;
  private final StreamHub hub;
  private Handler<HttpServerRequest> onUpgrade = req -> {};

  HandshakeGate(
      Config config,
      Lifecycle lifecycle,
      ConnectionSlots slots,
      TokenAuth auth,
      Meters meters,
      StreamHub hub) {
    this.config = config;
    this.lifecycle = lifecycle;
    this.slots = slots;
    this.auth = auth;
    this.meters = meters;
    this.hub = hub;
  }

  /** Tells {@code listener} of each request whose connection became a WebSocket. */
  void onUpgrade(Handler<HttpServerRequest> listener) {
    onUpgrade = listener;
  }

  @Override
  public void handle(HttpServerRequest req) {
    // The upgrade may wait for the token check: nothing more is read meanwhile.
    req.pause();
    if (lifecycle.draining()) {
      reject(
          req, Handshake.REJECTED_CAPACITY, unavailable("the node is draining", RETRY_DRAINING_S));
      return;
    }
    String malformed = HandshakeChecks.malformed(req.method(), req.headers());
    if (malformed == null && !queryDecodes(req)) {
      malformed = "the query string is not validly percent-encoded";
    }
    if (malformed != null) {
      if (malformed.equals(HandshakeChecks.VERSION_13)) {
        req.response().putHeader("Sec-WebSocket-Version", "13");
      }
      reject(req, Handshake.REJECTED_BAD_REQUEST, HttpError.badRequest(malformed));
      return;
    }
    if (!HandshakeChecks.originAllowed(
        req.getHeader("Origin"), req.getHeader("Host"), config.allowedOrigins())) {
      reject(
          req,
          Handshake.REJECTED_ORIGIN,
          new HttpError(
              403, "forbidden_origin", "origin " + req.getHeader("Origin") + " is not allowed"));
      return;
    }
    Future<?> authorized = auth == null ? Future.succeededFuture() : auth.authenticate(req);
    authorized.onComplete(
        ar -> {
          if (ar.failed()) {
            reject(req, Handshake.REJECTED_AUTH, TokenAuth.unauthorized());
          } else if (lifecycle.draining()) {
            reject(
                req,
                Handshake.REJECTED_CAPACITY,
                unavailable("the node is draining", RETRY_DRAINING_S));
          } else if (!slots.tryReserve()) {
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
    String symbols = req.getParam("symbols");
    onUpgrade.handle(req);
    if (hub.open(req, symbols)) {
      meters.handshake(Handshake.ACCEPTED);
    } else {
      // The client left while its handshake was checked: nothing to answer.
      slots.release();
      meters.handshake(Handshake.REJECTED_BAD_REQUEST);
    }
  }

  /**
   * Decodes the query once, so that reading {@code symbols} or {@code access_token} cannot throw.
   */
  private static boolean queryDecodes(HttpServerRequest req) {
    try {
      req.params();
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private void reject(HttpServerRequest req, Handshake outcome, HttpError error) {
    meters.handshake(outcome);
    JsonErrors.respond(req.response(), error);
  }

  private static HttpError unavailable(String message, int retryAfter) {
    return new HttpError(503, "unavailable", message, retryAfter);
  }
}
