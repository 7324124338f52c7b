package io.stockstream.rest;

/**
 * A request the service answers with an error status and the documented JSON body; the router's one
 * failure handler writes it.
 */
public final class ApiException extends RuntimeException {

  private final int status;
  private final String error;
  private final Integer retryAfterSeconds;

  public ApiException(int status, String error, String message) {
    this(status, error, message, null);
  }

  public ApiException(int status, String error, String message, Integer retryAfterSeconds) {
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

  public static ApiException badRequest(String message) {
    return new ApiException(400, "bad_request", message);
  }

  public static ApiException unknownSymbol(String message) {
    return new ApiException(404, "unknown_symbol", message);
  }
}
