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
    String header = request.getHeader("Authorization");
    // The query is only read without a Bearer header: a query that does not decode is then moot.
    return verify(tokenOf(header, isBearer(header) ? null : request.getParam("access_token")));
  }

  /**
   * Succeeds with the user of a raw token (null: none was sent); every problem with it is a failed
   * future, never a thrown exception.
   */
  public Future<User> verify(String token) {
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

  /**
   * The token of a request given its Authorization header and {@code access_token} parameter (each
   * null when absent), or null when neither carries a usable one; a Bearer header wins.
   */
  public static String tokenOf(String header, String query) {
    if (isBearer(header)) {
      return usable(header.substring(7).trim());
    }
    return query == null ? null : usable(query);
  }

  private static String usable(String token) {
    return token.isBlank() || token.length() > MAX_TOKEN_CHARS ? null : token;
  }

  private static boolean isBearer(String header) {
    return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7);
  }
}
