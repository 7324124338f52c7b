package io.stockstream.dashboard;

import io.stockstream.support.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay in front of a node, for losing connections the way a network or a load balancer loses
 * them: {@link #cut()} drops every connection at once and refuses new ones, as a restarting
 * WebSocket tier would, while the node behind (and its feed, with its history) keeps running.
 */
final class TcpProxy implements AutoCloseable {

  private final NetServer server;
  private final NetClient client;
  private final int target;
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean refusing;

  private TcpProxy(NetServer server, NetClient client, int target) {
    this.server = server;
    this.client = client;
    this.target = target;
  }

  /** Starts relaying a free loopback port to {@code target}. */
  static TcpProxy start(Vertx vertx, int target) {
    NetClient client = vertx.createNetClient();
    NetServer server = vertx.createNetServer();
    TcpProxy proxy = new TcpProxy(server, client, target);
    server.connectHandler(proxy::accept);
    Await.result(server.listen(0, "127.0.0.1"));
    return proxy;
  }

  int port() {
    return server.actualPort();
  }

  private void accept(NetSocket front) {
    if (refusing) {
      front.close();
      return;
    }
    front.pause();
    client
        .connect(target, "127.0.0.1")
        .onSuccess(
            back -> {
              open.add(front);
              open.add(back);
              front.handler(back::write);
              back.handler(front::write);
              front.closeHandler(v -> close(back));
              back.closeHandler(v -> close(front));
              front.resume();
            })
        .onFailure(e -> front.close());
  }

  private void close(NetSocket s) {
    open.remove(s);
    s.close();
  }

  /** Drops every relayed connection and refuses new ones until {@link #restore()}. */
  void cut() {
    refusing = true;
    List<Future<Void>> closing = new ArrayList<>();
    for (NetSocket s : List.copyOf(open)) {
      open.remove(s);
      closing.add(s.close());
    }
    Await.result(Future.join(closing).otherwiseEmpty());
  }

  void restore() {
    refusing = false;
  }

  @Override
  public void close() {
    Await.result(server.close().eventually(client::close));
  }
}
