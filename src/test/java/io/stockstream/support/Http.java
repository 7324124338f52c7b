package io.stockstream.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeUnit;

/** A plain HTTP client for tests: one request, the whole response. */
public final class Http {

  /** A response with its body read. */
  public record Response(HttpClientResponse head, Buffer body) {
    public int status() {
      return head.statusCode();
    }

    public String header(String name) {
      return head.getHeader(name);
    }

    public io.vertx.core.json.JsonObject json() {
      return body.toJsonObject();
    }
  }

  /** How long a request may wait to connect, or for a byte of the response, or in all. */
  public static final long TIMEOUT_MS = 10_000;

  private Http() {}

  public static Future<Response> get(Vertx vertx, int port, String uri) {
    return request(
        vertx,
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(port)
            .setURI(uri));
  }

  /**
   * Sends the request and reads the whole response; a server that does not answer fails it after
   * {@link #TIMEOUT_MS} (connect, idle, and overall), unless the options set shorter timeouts.
   */
  public static Future<Response> request(Vertx vertx, RequestOptions options) {
    RequestOptions bounded = new RequestOptions(options);
    if (bounded.getConnectTimeout() <= 0) {
      bounded.setConnectTimeout(TIMEOUT_MS);
    }
    if (bounded.getIdleTimeout() <= 0) {
      bounded.setIdleTimeout(TIMEOUT_MS);
    }
    HttpClient client = vertx.createHttpClient();
    return client
        .request(bounded)
        // The body is asked for in the event-loop task that sends the request, before the response
        // can arrive. A step chained from the test's thread may be attached after the response
        // has ended, whose end Vert.x then never delivers, and no idle timeout covers a body.
        .compose(req -> req.send().compose(resp -> resp.body().map(b -> new Response(resp, b))))
        // A server that trickles bytes never goes idle: the whole exchange has a deadline too.
        .timeout(3 * TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .eventually(client::close);
  }
}
