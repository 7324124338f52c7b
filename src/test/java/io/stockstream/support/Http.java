package io.stockstream.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

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

  public static Future<Response> request(Vertx vertx, RequestOptions options) {
    HttpClient client = vertx.createHttpClient();
    return client
        .request(options)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> new Response(resp, body)))
        .eventually(client::close);
  }
}
