package io.stockstream.web;

import io.stockstream.config.Config;
import io.stockstream.http.JsonErrors;
import io.stockstream.http.TokenAuth;
import io.stockstream.market.MarketData;
import io.stockstream.metrics.Meters;
import io.stockstream.metrics.WireComparison;
import io.stockstream.rest.QuoteApi;
import io.stockstream.stream.ConnectionSlots;
import io.stockstream.stream.WebSocketEndpoint;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.function.IntConsumer;

/**
 * The public port of one event loop: the dashboard, {@code /ws} and {@code /api}. One instance runs
 * per core; each owns the sockets it accepts.
 */
public final class WebVerticle extends VerticleBase {

  static final String WS_PATH = "/ws";
  private static final long WEBJAR_MAX_AGE_S = 365L * 24 * 3600;

  private final HttpServerOptions serverOptions;
  private final WebSocketEndpoint.Shared shared;
  private final ConnectionSlots httpCapacity;
  private final IntConsumer onListening;
  private WebSocketEndpoint ws;
  private HttpServer server;

  public WebVerticle(
      HttpServerOptions serverOptions,
      WebSocketEndpoint.Shared shared,
      ConnectionSlots httpCapacity,
      IntConsumer onListening) {
    this.serverOptions = serverOptions;
    this.shared = shared;
    this.httpCapacity = httpCapacity;
    this.onListening = onListening;
  }

  @Override
  public Future<?> start() {
    Config config = shared.config();
    MarketData market = shared.market();
    Meters meters = shared.meters();
    WireComparison wire = shared.wire();
    TokenAuth auth = config.jwtSecret().map(secret -> new TokenAuth(vertx, secret)).orElse(null);
    ws = new WebSocketEndpoint(vertx, shared, auth);
    QuoteApi api = new QuoteApi(market, meters, wire, config.maxSubscriptions());
    JsonErrors errors = new JsonErrors();

    Router router = Router.router(vertx);
    if (auth != null) {
      router.route("/api/*").handler(auth.handler());
    }
    router.get("/api/symbols").handler(api::symbols);
    router.get("/api/quotes").handler(api::quotes);
    router.get("/api/quotes/:symbol").handler(api::quote);
    router.get("/api/compare").handler(api::compare);
    // The dashboard's chart library, from its WebJar: versioned paths, cached long.
    router
        .get("/webjars/*")
        .handler(
            StaticHandler.create("META-INF/resources/webjars").setMaxAgeSeconds(WEBJAR_MAX_AGE_S));
    // The dashboard's own files change with each release under the same names: revalidate them.
    router
        .get("/*")
        .handler(
            ctx -> {
              ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
              ctx.next();
            })
        .handler(StaticHandler.create("webroot"));
    router.route().failureHandler(errors);
    // 400: the router itself cannot decode the path or the query (e.g. %ZZ).
    for (int status : new int[] {400, 404, 405, 500}) {
      router.errorHandler(status, errors.forStatus(status));
    }

    // Port 0 on several instances would bind several ports; -1 asks Vert.x for one shared one.
    int port = config.httpPort() == 0 ? -1 : config.httpPort();
    // /ws bypasses the router, whose request wrapper would hide the socket's Netty pipeline (see
    // stream.VertxInternals); the gate answers its errors with the same JSON as the router.
    Handler<HttpServerRequest> handshake = ws.handshake();
    ConnectionGuard guard = new ConnectionGuard(vertx, config, httpCapacity, meters);
    ws.onUpgrade(guard::upgraded);
    server =
        guard.install(
            vertx.createHttpServer(serverOptions),
            req -> (WS_PATH.equals(req.path()) ? handshake : router).handle(req));
    return ws.start()
        .compose(v -> server.listen(port, config.host()))
        .onSuccess(s -> onListening.accept(s.actualPort()));
  }

  @Override
  public Future<?> stop() {
    return ws.drain().eventually(() -> server.close());
  }

  /** This instance's server, once started: a renewed certificate is handed to it. */
  public HttpServer server() {
    return server;
  }
}
