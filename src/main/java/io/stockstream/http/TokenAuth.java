package io.stockstream.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.RoutingContext;

/**
 * Checks the HS256 JWT of a request, taken from {@code Authorization: Bearer} or, because browsers
 * cannot set headers on a WebSocket, from the {@code access_token} query parameter.
 */
public final class TokenAuth {

  /** Longer than any real token: refused unread, whatever it carries, before any decoding. */
  public static final int MAX_TOKEN_CHARS = 8 * 1024;

  private final JWTAuth jwt;

  public TokenAuth(Vertx vertx, String secret) {
    this.jwt =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  /** Succeeds with the token's user; fails when the token is missing, invalid or expired. */
  public Future<User> authenticate(HttpServerRequest request) {
    String token = tokenOf(request);
    if (token == null) {
      return Future.failedFuture("missing token");
    }
    return jwt.authenticate(new TokenCredentials(token));
  }

  /** A route handler that lets a request through only with a valid token, else fails with 401. */
  public Handler<RoutingContext> handler() {
    return ctx ->
        authenticate(ctx.request())
            .onSuccess(user -> ctx.next())
            .onFailure(e -> ctx.fail(unauthorized()));
  }

  public static HttpError unauthorized() {
    return new HttpError(401, "unauthorized", "a valid bearer token or access_token is required");
  }

  private static String tokenOf(HttpServerRequest request) {
    String header = request.getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return usable(header.substring(7).trim());
    }
    String query = request.getParam("access_token");
    return query == null ? null : usable(query);
  }

  private static String usable(String token) {
    return token.isBlank() || token.length() > MAX_TOKEN_CHARS ? null : token;
  }
}
