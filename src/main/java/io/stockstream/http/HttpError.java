package io.stockstream.http;

/**
 * An HTTP request the service refuses, REST call or WebSocket handshake alike: a status, the
 * documented JSON error body and, for 503, a Retry-After. {@link JsonErrors} writes it.
 */
public final class HttpError extends RuntimeException {

  private final int status;
  private final String error;
  private final Integer retryAfterSeconds;

  public HttpError(int status, String error, String message) {
    this(status, error, message, null);
  }

  public HttpError(int status, String error, String message, Integer retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.error = error;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int status() {
    return status;
  }

  public String error() {
    return error;
  }

  public Integer retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public static HttpError badRequest(String message) {
    return new HttpError(400, "bad_request", message);
  }

  public static HttpError unknownSymbol(String message) {
    return new HttpError(404, "unknown_symbol", message);
  }
}
