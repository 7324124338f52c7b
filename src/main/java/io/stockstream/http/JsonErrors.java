package io.stockstream.http;

import io.stockstream.protocol.ProtocolJson;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every HTTP error into the documented JSON body: as the routers' one failure handler
 * (thrown, failed or unrouted) and for the handshake's refusals; never an HTML page, never a stack
 * trace.
 */
public final class JsonErrors implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger(JsonErrors.class);

  @Override
  public void handle(RoutingContext ctx) {
    answer(ctx, 500);
  }

  /**
   * The handler for a status the router answers by itself: no route, a method no route takes, or a
   * URI it cannot decode (then the context carries neither a status nor a failure).
   */
  public Handler<RoutingContext> forStatus(int status) {
    return ctx -> answer(ctx, status);
  }

  private void answer(RoutingContext ctx, int fallbackStatus) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    Throwable failure = ctx.failure();
    if (failure instanceof HttpError e) {
      respond(response, e);
      return;
    }
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : fallbackStatus;
    if (status >= 500) {
      log.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
    }
    if (status == 405) {
      // RFC 9110 requires it; every route of the public router is GET (/ws bypasses the router).
      response.putHeader("Allow", "GET");
    }
    respond(response, new HttpError(status, errorFor(status), messageFor(status, ctx)));
  }

  /** Ends the response with the error's status, its JSON body and its Retry-After, if any. */
  public static void respond(HttpServerResponse response, HttpError e) {
    if (e.retryAfterSeconds() != null) {
      response.putHeader("Retry-After", String.valueOf(e.retryAfterSeconds()));
    }
    response
        .setStatusCode(e.status())
        .putHeader("Content-Type", "application/json")
        .end(ProtocolJson.restError(e.error(), e.getMessage()));
  }

  private static String errorFor(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 413 -> "too_large";
      case 503 -> "unavailable";
      default -> status >= 500 ? "internal" : "error";
    };
  }

  private static String messageFor(int status, RoutingContext ctx) {
    return switch (status) {
      case 400 -> "malformed request: " + ctx.request().path();
      case 404 -> "no such resource: " + ctx.request().path();
      case 405 -> "method " + ctx.request().method() + " is not allowed on " + ctx.request().path();
      default -> status >= 500 ? "internal error" : "request failed";
    };
  }
}
