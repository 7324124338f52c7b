package io.stockstream.stream;

import static io.stockstream.stream.WebSocketOptions.MAX_MESSAGE_BYTES;
import static io.stockstream.support.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;
import io.stockstream.support.StalledClient;
import io.stockstream.support.TestCertificate;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One canary per Vert.x or Netty internal that {@link VertxInternals} relies on, each against a
 * real server upgraded like the service's {@code /ws} ({@link WebSocketUpgrade}, no Router) and a
 * real client over a real socket, so that a Vert.x upgrade that breaks one fails here by name.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class VertxInternalsCanaryTest {

  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private final List<WebSocketClient> clients = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> rawClients = new CopyOnWriteArrayList<>();

  // The last socket accepted, the last client and the stalled client connected.
  private volatile Accepted socket;
  private volatile Client client;
  private volatile StalledClient stalled;

  // The plain HTTP connection of the reset canary: the server's context and the raw client.
  private volatile Context httpContext;
  private volatile Socket rawHttp;

  /** Vert.x instances of a test's own, closed after everything else. */
  private final List<Vertx> others = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown(VertxTestContext ctx) {
    for (AutoCloseable c : rawClients) {
      try {
        c.close();
      } catch (Exception alreadyGone) {
        // the server may have dropped it first
      }
    }
    Stream<Future<Void>> closing =
        Stream.concat(clients.stream().map(c -> c.close()), servers.stream().map(s -> s.close()));
    Future.join(closing.toList())
        .compose(v -> Future.join(others.stream().map(Vertx::close).toList()))
        .onComplete(ar -> ctx.completeNow());
  }

  @Test
  void checkPassesAndTakeOverLeavesOnlyTheWebSocketsOwnHandlers(Vertx vertx, VertxTestContext ctx) {
    assertThatCode(VertxInternals::check).doesNotThrowAnyException();
    serve(vertx, 1)
        .compose(server -> connect(vertx, server.port()).compose(c -> server.socket(0)))
        .compose(
            s ->
                run(
                    s.context(),
                    () -> {
                      assertThat(s.out().channel().isActive()).isTrue();
                      assertThat(s.out().pipeline().names())
                          .as("no handler of Vert.x's left")
                          .containsExactly(
                              WebSocketUpgrade.DECODER,
                              WebSocketUpgrade.UTF8_VALIDATOR,
                              WebSocketUpgrade.HANDLER,
                              "DefaultChannelPipeline$TailContext#0");
                      assertThat(s.out().name()).isEqualTo(WebSocketUpgrade.DECODER);
                    }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void takeOverClosesVertxsBooksOnTheRequestAndTheConnection(VertxTestContext ctx) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx metered =
        Vertx.builder()
            .with(
                new VertxOptions()
                    .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
            .withMetrics(new MicrometerMetricsFactory(registry))
            .build();
    serve(metered, 1)
        .compose(server -> connect(metered, server.port()).compose(c -> server.socket(0)))
        .compose(
            s ->
                eventually(
                    metered,
                    "Vert.x's gauges back to 0 with the WebSocket open",
                    5_000,
                    () ->
                        gauge(registry, "vertx.http.server.active.connections") == 0
                            && gauge(registry, "vertx.http.server.active.requests") == 0))
        .map(
            v -> {
              assertThat(registry.find("vertx.http.server.requests").counter())
                  .as("the upgrade counted as an answered request")
                  .isNotNull()
                  .extracting(c -> c.count())
                  .isEqualTo(1.0);
              return assertThat(socket.out().channel().isActive()).isTrue();
            })
        .onComplete(ctx.succeedingThenComplete());
    others.add(metered);
  }

  private static double gauge(PrometheusMeterRegistry registry, String name) {
    return registry.find(name).gauges().stream().mapToDouble(g -> g.value()).sum();
  }

  @Test
  void takeOverOfAConnectionAlreadyGoneReturnsNullAndWritesNothing(
      Vertx vertx, VertxTestContext ctx) {
    Promise<ChannelHandlerContext> taken = Promise.promise();
    HttpServer http =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  req.pause();
                  Channel channel = ((ConnectionBase) req.connection()).channel();
                  channel
                      .close()
                      .addListener(
                          f ->
                              taken.complete(
                                  new WebSocketUpgrade(MAX_MESSAGE_BYTES).upgrade(req, handler())));
                });
    servers.add(http);
    http.listen(0, "127.0.0.1")
        .compose(h -> connect(vertx, h.actualPort()).<Void>mapEmpty().otherwiseEmpty())
        .compose(v -> taken.future().timeout(5, TimeUnit.SECONDS))
        .map(
            out -> {
              assertThat(out).as("nothing to take over").isNull();
              return out;
            })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void frameOutputSendsOneReadyMadeFrameToManySocketsWithoutConsumingIt(
      Vertx vertx, VertxTestContext ctx) {
    int sockets = 3;
    Buffer payload =
        new JsonObject().put("type", "tick").put("symbol", "AAPL").put("note", "€ ü ✓").toBuffer();
    String text = payload.toString();
    ByteBuf frame = WireFrame.text(ByteBufAllocator.DEFAULT, payload);
    int length = frame.readableBytes();
    List<Client> cs = new CopyOnWriteArrayList<>();
    serve(vertx, sockets)
        .compose(
            server ->
                Future.all(
                        IntStream.range(0, sockets)
                            .mapToObj(i -> connect(vertx, server.port()).onSuccess(cs::add))
                            .toList())
                    .compose(v -> server.all(sockets)))
        .compose(
            accepted ->
                writeToAll(accepted, frame)
                    .compose(v -> allReceived(vertx, cs, 1))
                    .map(v -> assertEveryClientGot(cs, text, 1, frame, length))
                    // The same buffer again: the first writes consumed none of it.
                    .compose(v -> writeToAll(accepted, frame)))
        .compose(v -> allReceived(vertx, cs, 2))
        .map(v -> assertEveryClientGot(cs, text, 2, frame, length))
        .map(v -> assertThat(frame.release()).as("the last reference was the test's").isTrue())
        .onComplete(ctx.succeedingThenComplete());
  }

  private static Future<Void> writeToAll(List<Accepted> accepted, ByteBuf frame) {
    return run(
        accepted.get(0).context(),
        () ->
            accepted.forEach(
                a -> {
                  a.out().writeAndFlush(frame.retainedDuplicate());
                }));
  }

  private static Void assertEveryClientGot(
      List<Client> cs, String text, int times, ByteBuf frame, int length) {
    for (Client c : cs) {
      assertThat(c.frames()).containsExactlyElementsOf(Collections.nCopies(times, Got.text(text)));
    }
    assertThat(frame.readableBytes()).isEqualTo(length);
    // Every socket released its duplicate once written: only the test's reference is left.
    assertThat(frame.refCnt()).isEqualTo(1);
    return null;
  }

  @Test
  void directSocketIsThePlainSocketsDescriptorOnEpollAndAFrameWrittenThereArrives(
      Vertx vertx, VertxTestContext ctx) {
    assertThat(vertx.isNativeTransportEnabled())
        .as("the tests' Vert.x runs on epoll, as the service does (src/test/resources)")
        .isTrue();
    String text = new JsonObject().put("type", "tick").put("symbol", "AAPL").encode();
    ByteBuf frame = WireFrame.text(ByteBufAllocator.DEFAULT, Buffer.buffer(text));
    serve(vertx, 1)
        .compose(server -> connect(vertx, server.port()).compose(c -> server.socket(0)))
        .compose(
            s ->
                on(
                    s.context(),
                    () -> {
                      var fd = VertxInternals.directSocket(s.out());
                      assertThat(fd).as("a plain socket's descriptor").isNotNull();
                      assertThat(fd.isOpen()).isTrue();
                      assertThat(frame.hasMemoryAddress()).isTrue();
                      return fd.sendAddress(
                          frame.memoryAddress(), frame.readerIndex(), frame.writerIndex());
                    }))
        .map(sent -> assertThat(sent).isEqualTo(frame.readableBytes()))
        .compose(v -> client.received(vertx, 1))
        .map(v -> assertThat(client.frames()).containsExactly(Got.text(text)))
        .eventually(() -> Future.succeededFuture(frame.release()))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void directSocketIsNullUnderTls(Vertx vertx, VertxTestContext ctx) {
    TestCertificate cert = TestCertificate.ec("localhost");
    HttpServerOptions tls =
        new HttpServerOptions()
            .setSsl(true)
            .setKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertValue(Buffer.buffer(cert.certPem()))
                    .setKeyValue(Buffer.buffer(cert.keyPem())));
    WebSocketClient wss =
        vertx.createWebSocketClient(
            new WebSocketClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false));
    clients.add(wss);
    serve(vertx, 1, tls)
        .compose(
            server -> wss.connect(server.port(), "127.0.0.1", "/ws").compose(c -> server.socket(0)))
        .compose(s -> on(s.context(), () -> VertxInternals.directSocket(s.out())))
        .map(
            fd -> {
              assertThat(fd).as("no descriptor past TLS").isNull();
              return fd;
            })
        .onComplete(ctx.succeedingThenComplete());
  }

  /** Writes 8 KiB frames to a client that reads nothing until the socket is full. */
  private static void fillUntilFull(ChannelHandlerContext out) {
    out.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(8 * 1024, 16 * 1024));
    Buffer frame = new JsonObject().put("pad", "x".repeat(8 * 1024)).toBuffer();
    // 64 MiB at most: far more than the kernel's socket buffers on loopback (a few MiB).
    for (int i = 0; i < 8 * 1024 && out.channel().isWritable(); i++) {
      out.writeAndFlush(WireFrame.text(out.alloc(), frame), out.voidPromise());
    }
    assertThat(out.channel().isWritable()).as("socket full").isFalse();
  }

  @Test
  void abortDropsAConnectionThatCloseAloneLeavesOpenBehindAFullWriteQueue(
      Vertx vertx, VertxTestContext ctx) {
    long closeWaitMs = 1_500;
    serveStalled(vertx)
        .compose(s -> run(s.context(), () -> fillWriteQueueThenClose(s.out())))
        // A close that waits for the queue to be flushed never happens for a peer reading nothing.
        .compose(v -> vertx.timer(closeWaitMs))
        .map(v -> assertThat(socket.out().channel().isOpen()).as("open after the close").isTrue())
        .compose(v -> on(socket.context(), () -> VertxInternals.abort(socket.out().channel())))
        .map(first -> assertThat(first).as("abort of an open connection").isTrue())
        .compose(v -> closed(socket.out()).timeout(5, TimeUnit.SECONDS))
        .compose(v -> vertx.executeBlocking(() -> stalled.drain(Duration.ofSeconds(10))))
        .map(d -> assertThat(d.eof()).as("the client saw the end of the stream").isTrue())
        .compose(v -> on(socket.context(), () -> VertxInternals.abort(socket.out().channel())))
        .map(again -> assertThat(again).as("abort of a closed connection").isFalse())
        .onComplete(ctx.succeedingThenComplete());
  }

  private static Future<Void> closed(ChannelHandlerContext out) {
    Promise<Void> p = Promise.promise();
    out.channel().closeFuture().addListener(f -> p.complete());
    return p.future();
  }

  /** A server for one upgrade, and a client that reads nothing connected to it. */
  private Future<Accepted> serveStalled(Vertx vertx) {
    return serve(vertx, 1)
        .compose(
            server ->
                vertx
                    .executeBlocking(() -> connectStalled(server.port()))
                    .compose(v -> server.socket(0)));
  }

  /** Connects a client that reads nothing, with a 4 KiB receive buffer. */
  private boolean connectStalled(int port) throws IOException {
    stalled = StalledClient.connect("127.0.0.1", port, "/ws", 4096, Duration.ofSeconds(5));
    return rawClients.add(stalled);
  }

  /** Writes 8 KiB frames until the socket is full (fails if it never fills), then closes. */
  private static void fillWriteQueueThenClose(ChannelHandlerContext out) {
    fillUntilFull(out);
    out.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  @Test
  void resetDropsAnHttpConnectionThatCloseAloneLeavesOpenBehindAnUnreadResponse(
      Vertx vertx, VertxTestContext ctx) {
    Promise<HttpConnection> opened = Promise.promise();
    Promise<Void> serverClosed = Promise.promise();
    HttpServer http =
        vertx
            .createHttpServer()
            .connectionHandler(
                conn -> {
                  conn.closeHandler(v -> serverClosed.tryComplete());
                  httpContext = Vertx.currentContext();
                  opened.tryComplete(conn);
                })
            .requestHandler(VertxInternalsCanaryTest::fillResponseThenClose);
    servers.add(http);
    http.listen(0, "127.0.0.1")
        .compose(s -> vertx.executeBlocking(() -> requestAndReadNothing(s.actualPort())))
        .compose(v -> opened.future().timeout(5, TimeUnit.SECONDS))
        // close() waits for the queued response to leave, which a peer that reads nothing stops.
        .compose(conn -> vertx.timer(1_500).map(conn))
        .map(
            conn -> {
              assertThat(serverClosed.future().isComplete())
                  .as("close handler fired after close() alone")
                  .isFalse();
              return conn;
            })
        .compose(conn -> on(httpContext, () -> VertxInternals.reset(conn)).map(conn))
        .compose(conn -> serverClosed.future().timeout(5, TimeUnit.SECONDS).map(conn))
        .compose(conn -> on(httpContext, () -> VertxInternals.reset(conn)))
        .map(again -> assertThat(again).as("reset of a closed connection").isFalse())
        .compose(v -> vertx.executeBlocking(() -> readToEnd(rawHttp)))
        .map(reset -> assertThat(reset).as("the client saw a reset, not an end of stream").isTrue())
        .onComplete(ctx.succeedingThenComplete());
  }

  /** Queues 16 MiB of response, far more than loopback's socket buffers take, then closes. */
  private static void fillResponseThenClose(HttpServerRequest req) {
    HttpServerResponse resp = req.response().setChunked(true);
    Buffer chunk = Buffer.buffer("x".repeat(8 * 1024));
    for (int i = 0; i < 2 * 1024; i++) {
      resp.write(chunk);
    }
    assertThat(resp.writeQueueFull()).as("write queue full").isTrue();
    req.connection().close();
  }

  /** Sends one GET from a socket with a 4 KiB receive buffer, then reads nothing. */
  private boolean requestAndReadNothing(int port) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    rawHttp = socket;
    rawClients.add(socket);
    socket
        .getOutputStream()
        .write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    return true;
  }

  /** Reads what got through; true when the stream then ended with a reset, false on its end. */
  private static boolean readToEnd(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    byte[] buf = new byte[64 * 1024];
    try {
      while (socket.getInputStream().read(buf) >= 0) {
        // what the kernel had already taken in
      }
      return false;
    } catch (SocketException reset) {
      return true;
    }
  }

  // ---- the real server and clients ------------------------------------------------------------

  /** A socket the server took over, where its frames are written, and its event loop's context. */
  private record Accepted(ChannelHandlerContext out, Context context) {}

  /** A server whose request handler upgrades exactly like the service's {@code /ws}. */
  private record Server(HttpServer http, List<Promise<Accepted>> accepted) {
    int port() {
      return http.actualPort();
    }

    Future<Accepted> socket(int i) {
      return accepted.get(i).future().timeout(10, TimeUnit.SECONDS);
    }

    Future<List<Accepted>> all(int n) {
      List<Future<Accepted>> fs = IntStream.range(0, n).mapToObj(this::socket).toList();
      return Future.all(fs).map(v -> fs.stream().map(Future::result).toList());
    }
  }

  /** Starts a server for {@code sockets} upgrades. */
  private Future<Server> serve(Vertx vertx, int sockets) {
    return serve(vertx, sockets, new HttpServerOptions());
  }

  private Future<Server> serve(Vertx vertx, int sockets, HttpServerOptions options) {
    List<Promise<Accepted>> accepted =
        IntStream.range(0, sockets).mapToObj(i -> Promise.<Accepted>promise()).toList();
    AtomicInteger next = new AtomicInteger();
    HttpServer http =
        vertx
            .createHttpServer(WebSocketOptions.applyTo(options))
            .requestHandler(
                req -> {
                  req.pause();
                  WebSocketHandler handler = handler();
                  ChannelHandlerContext out =
                      new WebSocketUpgrade(MAX_MESSAGE_BYTES).upgrade(req, handler);
                  // The service's 101 leaves with its welcome; here it leaves alone.
                  out.flush();
                  handler.attach(
                      new Connection(
                          out,
                          null,
                          new Flusher(Vertx.currentContext()),
                          UUID.randomUUID(),
                          20,
                          40,
                          System.nanoTime()));
                  socket = new Accepted(out, Vertx.currentContext());
                  accepted.get(next.getAndIncrement()).complete(socket);
                });
    servers.add(http);
    return http.listen(0, "127.0.0.1").map(h -> new Server(h, accepted));
  }

  /** A socket's handler whose events go nowhere: the canaries only write. */
  private static WebSocketHandler handler() {
    return new WebSocketHandler(new QuietListener(), MAX_MESSAGE_BYTES);
  }

  /** One frame as a client saw it. */
  private record Got(WebSocketFrameType type, boolean fin, String text) {
    static Got text(String text) {
      return new Got(WebSocketFrameType.TEXT, true, text);
    }
  }

  /** A real Vert.x WebSocket client that keeps every frame it receives. */
  private record Client(List<Got> frames) {
    Future<Void> received(Vertx vertx, int count) {
      return eventually(vertx, count + " frames", () -> frames.size() >= count);
    }
  }

  private Future<Client> connect(Vertx vertx, int port) {
    WebSocketClient wsClient =
        vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20));
    clients.add(wsClient);
    Client c = new Client(new CopyOnWriteArrayList<>());
    client = c;
    return wsClient
        .connect(port, "127.0.0.1", "/ws")
        .map(
            ws ->
                ws.frameHandler(
                    f ->
                        c.frames()
                            .add(new Got(f.type(), f.isFinal(), f.isText() ? f.textData() : null))))
        .map(c);
  }

  private static Future<Void> allReceived(Vertx vertx, List<Client> cs, int count) {
    return Future.all(cs.stream().map(c -> c.received(vertx, count)).toList()).mapEmpty();
  }

  private static Future<Void> run(Context context, Runnable work) {
    return on(context, Executors.callable(work, null));
  }

  /** Runs {@code work} on {@code context}, where the socket's handlers run. */
  private static <T> Future<T> on(Context context, Callable<T> work) {
    Promise<T> p = Promise.promise();
    context.runOnContext(
        v -> {
          try {
            p.complete(work.call());
          } catch (Throwable t) {
            p.fail(t);
          }
        });
    return p.future();
  }
}
