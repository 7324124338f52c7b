package io.stockstream.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real WebSocket client for tests: keeps every frame it receives and lets a test wait for the
 * next frame that matches, with a deadline instead of sleeps. Frames arrive on the socket's event
 * loop while a test may call {@link #next} or {@link #received} from another thread, so the three
 * lists are touched only under one lock, and each frame goes to exactly one waiter or stays
 * unconsumed.
 */
public final class WsClient {

  public static final long TIMEOUT_S = 10;

  // Vert.x closes a client that becomes unreachable: hold it as long as its socket.
  private final WebSocketClient client;
  private final WebSocket ws;
  private final Object lock = new Object();
  private final List<JsonObject> all = new ArrayList<>();
  private final List<JsonObject> unconsumed = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final Promise<Short> closed = Promise.promise();

  private record Waiter(Predicate<JsonObject> match, Promise<JsonObject> promise) {}

  private WsClient(WebSocketClient client, WebSocket ws) {
    this.client = client;
    this.ws = ws;
    ws.textMessageHandler(this::onText);
    ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
  }

  /** Connects to {@code uri} (path and query) on localhost. */
  public static Future<WsClient> connect(Vertx vertx, int port, String uri) {
    return connect(
        vertx, new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri), false);
  }

  public static Future<WsClient> connect(
      Vertx vertx, WebSocketConnectOptions options, boolean tls) {
    WebSocketClientOptions clientOptions = new WebSocketClientOptions().setMaxFrameSize(1 << 20);
    if (tls) {
      clientOptions.setSsl(true).setTrustAll(true).setVerifyHost(false);
      options.setSsl(true);
    }
    WebSocketClient client = vertx.createWebSocketClient(clientOptions);
    // The handlers are set before the handshake, as Vert.x applies them before the first frame:
    // set once the connect future completes, on the test's thread, they could miss the welcome.
    ClientWebSocket ws = client.webSocket();
    WsClient c = new WsClient(client, ws);
    return ws.connect(options).map(c).onFailure(e -> client.close());
  }

  public WebSocket socket() {
    return ws;
  }

  private void onText(String text) {
    JsonObject frame = new JsonObject(text);
    Waiter taker = null;
    synchronized (lock) {
      all.add(frame);
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (w.match.test(frame)) {
          it.remove();
          taker = w;
          break;
        }
      }
      if (taker == null) {
        unconsumed.add(frame);
      }
    }
    // Outside the lock: the waiter's callbacks may call next() or received() again.
    if (taker != null) {
      taker.promise.complete(frame);
    }
  }

  /** The next frame matching {@code match} that no earlier call took; fails after a deadline. */
  public Future<JsonObject> next(Predicate<JsonObject> match) {
    Waiter w = new Waiter(match, Promise.promise());
    synchronized (lock) {
      for (Iterator<JsonObject> it = unconsumed.iterator(); it.hasNext(); ) {
        JsonObject f = it.next();
        if (match.test(f)) {
          it.remove();
          return Future.succeededFuture(f);
        }
      }
      waiters.add(w);
    }
    return w.promise
        .future()
        .timeout(TIMEOUT_S, TimeUnit.SECONDS)
        .onFailure(
            e -> {
              // A waiter that gave up must not take a later frame from the next call.
              synchronized (lock) {
                waiters.removeIf(x -> x == w);
              }
            });
  }

  public Future<JsonObject> next(String type) {
    return next(f -> type.equals(f.getString("type")));
  }

  /** The next {@code tick} of {@code symbol}. */
  public Future<JsonObject> nextTick(String symbol) {
    return next(f -> "tick".equals(f.getString("type")) && symbol.equals(f.getString("symbol")));
  }

  /** Every frame received so far, in order. */
  public List<JsonObject> received() {
    synchronized (lock) {
      return List.copyOf(all);
    }
  }

  public Future<Void> send(JsonObject frame) {
    return ws.writeTextMessage(frame.encode());
  }

  public Future<Void> sendText(String text) {
    return ws.writeTextMessage(text);
  }

  public Future<Void> sendBinary(Buffer data) {
    return ws.writeBinaryMessage(data);
  }

  /** Completes with the close code once the connection is closed. */
  public Future<Short> closed() {
    return closed.future().timeout(TIMEOUT_S, TimeUnit.SECONDS);
  }

  public Future<Void> close() {
    return ws.close().eventually(client::close);
  }
}
