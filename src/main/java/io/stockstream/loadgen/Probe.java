package io.stockstream.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Learns the universe the way a client would: one connection, the welcome's symbols, closed. */
final class Probe {

  private Probe() {}

  /** The symbols of the server's welcome; throws with a one-line reason when there is none. */
  static List<String> symbols(
      Options options,
      Bootstrap bootstrap,
      EventLoop loop,
      InetSocketAddress address,
      SslContext ssl)
      throws InterruptedException {
    CompletableFuture<List<String>> welcome = new CompletableFuture<>();
    LoopContext context = new LoopContext(loop, null, 1);
    String key = WsFraming.newKey(new SplittableRandom());
    String token = options.token();
    String request =
        WsFraming.upgradeRequest(
            options.target().requestTarget("", options.tokenInQuery() ? token : null),
            options.target().hostHeader(),
            key,
            options.tokenInQuery() ? null : token);
    ConnectionHandler handler =
        new ConnectionHandler(
            context,
            new ConnectionHandler.Plan(request, key, new int[0], 0),
            System.nanoTime(),
            options.handshakeTimeoutMs(),
            () -> {},
            welcome::complete);
    bootstrap
        .clone(loop)
        .handler(Ramp.initializer(ssl, options.target(), handler))
        .connect(address)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                welcome.completeExceptionally(f.cause());
              }
            })
        .channel()
        .closeFuture()
        .addListener(
            f ->
                // After a welcome this does nothing; otherwise the stats say why it closed.
                welcome.completeExceptionally(
                    new IllegalStateException(
                        "closed before a welcome ("
                            + String.join(",", context.stats.failures.keySet())
                            + ")")));
    try {
      List<String> symbols =
          welcome.get(options.handshakeTimeoutMs() + 5_000, TimeUnit.MILLISECONDS);
      if (symbols.isEmpty()) {
        throw new IllegalStateException("the welcome lists no symbols; give --symbols");
      }
      return symbols;
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "no welcome from " + options.target() + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no welcome from " + options.target() + " in time", e);
    }
  }
}
