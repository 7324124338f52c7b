package io.stockstream.stream;

import static io.stockstream.stream.WebSocketOptions.MAX_MESSAGE_BYTES;
import static io.stockstream.support.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.stockstream.support.RawWebSocket;
import io.stockstream.support.StalledClient;
import io.stockstream.support.TestCertificate;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
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
 * real server upgraded like the service's {@code /ws} ({@code req.toWebSocket()}, no Router) and a
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
    Future.join(closing.toList()).onComplete(ar -> ctx.completeNow());
  }

  @Test
  void checkPassesAndServerSocketsAreWebSocketInternal(Vertx vertx, VertxTestContext ctx) {
    assertThatCode(VertxInternals::check).doesNotThrowAnyException();
    serve(vertx, 1, ws -> {})
        .compose(server -> connect(vertx, server.port()).compose(c -> server.socket(0)))
        .compose(
            s ->
                run(
                    s.context(),
                    () -> {
                      assertThat(s.ws()).isInstanceOf(WebSocketInternal.class);
                      ChannelHandlerContext chctx =
                          ((WebSocketInternal) s.ws()).channelHandlerContext();
                      assertThat(chctx.channel().isActive()).isTrue();
                    }))
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
    serve(vertx, sockets, ws -> {})
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
                  ChannelHandlerContext out = VertxInternals.frameOutput(a.ws());
                  assertThat(out.handler()).isInstanceOf(WebSocketFrameEncoder.class);
                  out.writeAndFlush(frame.retainedDuplicate());
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
    serve(vertx, 1, ws -> {})
        .compose(server -> connect(vertx, server.port()).compose(c -> server.socket(0)))
        .compose(
            s ->
                on(
                    s.context(),
                    () -> {
                      var fd = VertxInternals.directSocket(s.ws());
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
    serve(vertx, 1, tls, ws -> {})
        .compose(
            server -> wss.connect(server.port(), "127.0.0.1", "/ws").compose(c -> server.socket(0)))
        .compose(s -> on(s.context(), () -> VertxInternals.directSocket(s.ws())))
        .map(
            fd -> {
              assertThat(fd).as("no descriptor past TLS").isNull();
              return fd;
            })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void onWritableHearsWhenASocketThatWasFullDrains(Vertx vertx, VertxTestContext ctx) {
    Promise<Void> writable = Promise.promise();
    serveStalled(
            vertx,
            ws -> {
              ws.setWriteQueueMaxSize(16 * 1024);
              VertxInternals.watch(ws, code -> {}, writable::tryComplete);
            })
        .compose(
            s ->
                run(
                    s.context(),
                    () -> {
                      ChannelHandlerContext vertxHandler =
                          ((WebSocketInternal) s.ws()).channelHandlerContext();
                      List<String> names = vertxHandler.pipeline().names();
                      assertThat(names.indexOf(VertxInternals.WATCH))
                          .as("%s before %s in %s", VertxInternals.WATCH, vertxHandler, names)
                          .isBetween(0, names.indexOf(vertxHandler.name()) - 1);
                      fillUntilFull(s.ws());
                      assertThat(writable.future().isComplete()).isFalse();
                    }))
        // The client reads what was queued for it: the socket falls under its low-water mark.
        .compose(v -> vertx.executeBlocking(() -> stalled.drain(Duration.ofSeconds(2))))
        .compose(v -> writable.future().timeout(5, TimeUnit.SECONDS))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void writeDirectLetsVertxSeeTheSocketsOwnFullnessAndStillWriteItsFrames(
      Vertx vertx, VertxTestContext ctx) {
    serve(
            vertx,
            1,
            ws -> {
              ws.setWriteQueueMaxSize(16 * 1024);
              VertxInternals.writeDirect(ws);
            })
        .compose(server -> connect(vertx, server.port()).compose(c -> server.socket(0)))
        // Vert.x's own writes still reach the client, in order with the hub's.
        .compose(
            s ->
                run(
                    s.context(),
                    () -> {
                      writeText(s.ws(), Buffer.buffer("{\"n\":1}"));
                      s.ws().writeTextMessage("{\"n\":2}");
                      writeText(s.ws(), Buffer.buffer("{\"n\":3}"));
                    }))
        .compose(v -> client.received(vertx, 3))
        .map(
            v ->
                assertThat(client.frames())
                    .containsExactly(
                        Got.text("{\"n\":1}"), Got.text("{\"n\":2}"), Got.text("{\"n\":3}")))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void writeDirectMakesVertxsWriteQueueTheSocketsOwn(Vertx vertx, VertxTestContext ctx) {
    serveStalled(
            vertx,
            ws -> {
              ws.setWriteQueueMaxSize(16 * 1024);
              VertxInternals.writeDirect(ws);
            })
        .compose(
            s ->
                run(
                    s.context(),
                    () -> {
                      fillUntilFull(s.ws());
                      // Through its own queue Vert.x would not know of frames written past it.
                      assertThat(s.ws().writeQueueFull()).isTrue();
                    }))
        .onComplete(ctx.succeedingThenComplete());
  }

  /** Writes 8 KiB frames to a client that reads nothing until the socket is full. */
  private static void fillUntilFull(ServerWebSocket ws) {
    Buffer frame = new JsonObject().put("pad", "x".repeat(8 * 1024)).toBuffer();
    // 64 MiB at most: far more than the kernel's socket buffers on loopback (a few MiB).
    for (int i = 0; i < 8 * 1024 && channel(ws).isWritable(); i++) {
      writeText(ws, frame);
    }
    assertThat(channel(ws).isWritable()).as("socket full").isFalse();
  }

  /** A ready-made text frame of {@code payload}, written and flushed as the hub sends one. */
  private static void writeText(ServerWebSocket ws, Buffer payload) {
    ChannelHandlerContext out = VertxInternals.frameOutput(ws);
    out.writeAndFlush(WireFrame.text(out.alloc(), payload), out.voidPromise());
  }

  @Test
  void abortDropsAConnectionThatCloseAloneLeavesOpenBehindAFullWriteQueue(
      Vertx vertx, VertxTestContext ctx) {
    Promise<Void> serverClosed = Promise.promise();
    long closeWaitMs = WebSocketOptions.CLOSING_TIMEOUT_S * 1000L + 1000;
    serveStalled(
            vertx,
            ws -> {
              ws.setWriteQueueMaxSize(16 * 1024);
              ws.exceptionHandler(t -> {});
              ws.closeHandler(v -> serverClosed.tryComplete());
            })
        .compose(s -> run(s.context(), () -> fillWriteQueueThenClose(s.ws())))
        // Past Vert.x's closing timeout the connection is still there: close() alone is stuck.
        .compose(v -> vertx.timer(closeWaitMs))
        .map(
            v -> {
              assertThat(serverClosed.future().isComplete())
                  .as("close handler fired within %d ms of close() alone", closeWaitMs)
                  .isFalse();
              Channel channel = ((WebSocketInternal) socket.ws()).channelHandlerContext().channel();
              return assertThat(channel.isOpen()).isTrue();
            })
        .compose(v -> on(socket.context(), () -> VertxInternals.abort(socket.ws())))
        .map(first -> assertThat(first).as("abort of an open connection").isTrue())
        .compose(v -> serverClosed.future().timeout(5, TimeUnit.SECONDS))
        .compose(v -> vertx.executeBlocking(() -> stalled.drain(Duration.ofSeconds(10))))
        .map(
            d -> {
              assertThat(d.closeCode()).as("no close frame got past the queue: %s", d).isNull();
              return assertThat(d.eof()).as("the client saw the end of the stream").isTrue();
            })
        .compose(v -> on(socket.context(), () -> VertxInternals.abort(socket.ws())))
        .map(again -> assertThat(again).as("abort of a closed connection").isFalse())
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void limitSendBufferCapsTheKernelsSendBufferOfAnUpgradedSocket(
      Vertx vertx, VertxTestContext ctx) {
    int bytes = 8 * 1024;
    serveStalled(vertx, ws -> VertxInternals.limitSendBuffer(ws, bytes))
        .compose(
            s ->
                run(
                    s.context(),
                    () -> {
                      Channel channel =
                          ((WebSocketInternal) s.ws()).channelHandlerContext().channel();
                      // Linux reports twice what was asked; without the cap it would be megabytes.
                      assertThat(channel.config().getOption(ChannelOption.SO_SNDBUF))
                          .isBetween(bytes, 2 * bytes);
                      // Frames written to a client that reads nothing stay in Netty's queue, where
                      // the outbox can see them, once the capped kernel buffer is full.
                      s.ws().setWriteQueueMaxSize(16 * 1024);
                      Buffer frame = new JsonObject().put("pad", "x".repeat(1024)).toBuffer();
                      for (int i = 0; i < 64; i++) {
                        writeText(s.ws(), frame);
                      }
                    }))
        .compose(
            v ->
                eventually(
                    vertx,
                    "the socket of a stalled client to be full with 64 KiB written",
                    5_000,
                    () -> !channel(socket.ws()).isWritable()))
        .onComplete(ctx.succeedingThenComplete());
  }

  /** A server for one upgrade, and a client that reads nothing connected to it. */
  private Future<Accepted> serveStalled(Vertx vertx, Handler<ServerWebSocket> configure) {
    return serve(vertx, 1, configure)
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
  private static void fillWriteQueueThenClose(ServerWebSocket ws) {
    fillUntilFull(ws);
    ws.close();
  }

  private static Channel channel(ServerWebSocket ws) {
    return ((WebSocketInternal) ws).channelHandlerContext().channel();
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

  @Test
  void isMessageTooBigRecognisesAnOverLongFragmentedMessageAndNothingElse(
      Vertx vertx, VertxTestContext ctx) {
    int fragment = 40 * 1024;
    // Each fragment is under the frame limit; the two together are over the message limit.
    assertThat(fragment).isLessThan(MAX_MESSAGE_BYTES).isGreaterThan(MAX_MESSAGE_BYTES / 2);
    Promise<Throwable> error = Promise.promise();
    serve(
            vertx,
            1,
            ws -> {
              ws.textMessageHandler(text -> error.tryFail("a message got through: " + text));
              ws.exceptionHandler(error::tryComplete);
            })
        .compose(server -> vertx.executeBlocking(() -> sendFragmented(server.port(), fragment)))
        .compose(v -> error.future().timeout(10, TimeUnit.SECONDS))
        .map(
            t -> {
              assertThat(VertxInternals.isMessageTooBig(t)).as("recognises %s", t).isTrue();
              assertThat(VertxInternals.isMessageTooBig(new IllegalStateException("other")))
                  .isFalse();
              assertThat(VertxInternals.isMessageTooBig(new IllegalStateException())).isFalse();
              assertThat(VertxInternals.isMessageTooBig(new IOException("max message size")))
                  .isFalse();
              return null;
            })
        .onComplete(ctx.succeedingThenComplete());
  }

  /** Sends one text message in two fragments of {@code fragment} bytes each. */
  private boolean sendFragmented(int port, int fragment) throws IOException {
    RawWebSocket raw = RawWebSocket.connect(port, "/ws");
    rawClients.add(raw);
    byte[] half = new byte[fragment];
    Arrays.fill(half, (byte) 'a');
    raw.sendFrame(false, RawWebSocket.TEXT, half);
    raw.sendFrame(true, RawWebSocket.CONTINUATION, half);
    return true;
  }

  // ---- the real server and clients ------------------------------------------------------------

  /** A socket the server accepted, and the context its handlers run on. */
  private record Accepted(ServerWebSocket ws, Context context) {}

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

  /** Starts a server for {@code sockets} upgrades; {@code configure} runs as each is accepted. */
  private Future<Server> serve(Vertx vertx, int sockets, Handler<ServerWebSocket> configure) {
    return serve(vertx, sockets, new HttpServerOptions(), configure);
  }

  private Future<Server> serve(
      Vertx vertx, int sockets, HttpServerOptions options, Handler<ServerWebSocket> configure) {
    List<Promise<Accepted>> accepted =
        IntStream.range(0, sockets).mapToObj(i -> Promise.<Accepted>promise()).toList();
    AtomicInteger next = new AtomicInteger();
    HttpServer http =
        vertx
            .createHttpServer(WebSocketOptions.applyTo(options))
            .requestHandler(
                req ->
                    req.toWebSocket()
                        .onSuccess(
                            ws -> {
                              configure.handle(ws);
                              socket = new Accepted(ws, Vertx.currentContext());
                              accepted.get(next.getAndIncrement()).complete(socket);
                            }));
    servers.add(http);
    return http.listen(0, "127.0.0.1").map(h -> new Server(h, accepted));
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
