package io.stockstream.cluster;

import static io.stockstream.support.Eventually.eventually;

import io.stockstream.cluster.StreamingClient.Report;
import io.stockstream.support.Await;
import io.stockstream.support.ClusterProcesses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The clients of a cluster test, all on one Vert.x context (their state is never touched from two
 * threads); the test's own thread starts them, waits for them and reads their reports through here.
 * Each reconnects to the members the cluster says take clients, and every tick they receive goes to
 * one ledger.
 */
final class ClientFleet {

  private final Vertx vertx;
  private final Context context;
  private final ClusterProcesses cluster;
  private final List<String> symbols;
  private final TickLedger ledger;
  private final List<StreamingClient> started = new ArrayList<>();

  ClientFleet(Vertx vertx, ClusterProcesses cluster, List<String> symbols, TickLedger ledger) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.cluster = cluster;
    this.symbols = List.copyOf(symbols);
    this.ledger = ledger;
  }

  /** A client streaming every symbol live from {@code node}. */
  StreamingClient start(String name, int node) {
    return start(name, node, null, null, false);
  }

  /**
   * A client on {@code node}; with {@code since}, its first subscribe resumes from there in {@code
   * epoch}; with {@code stays}, it keeps its connection however long the node is silent.
   */
  StreamingClient start(
      String name, int node, Map<String, Long> since, String epoch, boolean stays) {
    return onContext(
        () -> {
          StreamingClient c =
              new StreamingClient(vertx, name, symbols, cluster::servingPorts, ledger);
          if (stays) {
            c.withoutPingDeadline();
          }
          started.add(c);
          c.start(cluster.node(node).publicPort(), since, epoch);
          return Future.succeededFuture(c);
        });
  }

  /** {@code perNode} live clients on each member that takes clients, named prefix-node-k. */
  List<StreamingClient> onEveryNode(String prefix, int perNode) {
    List<StreamingClient> out = new ArrayList<>();
    for (ClusterProcesses.Node n : cluster.nodes()) {
      for (int k = 0; k < perNode; k++) {
        out.add(start(prefix + "-" + n.index + "-" + k, n.index));
      }
    }
    return out;
  }

  /** Waits until each client is connected and holds a tick of every symbol made from {@code ts}. */
  void awaitStreaming(List<StreamingClient> cs, long ts, String what) {
    Await.onContext(
        context,
        () ->
            eventually(
                vertx,
                what,
                20_000,
                () -> cs.stream().allMatch(c -> c.connected() && c.allSymbolsMadeFrom() >= ts)),
        25_000);
  }

  List<Report> reports(List<StreamingClient> cs) {
    return onContext(
        () -> Future.succeededFuture(cs.stream().map(StreamingClient::report).toList()));
  }

  /** The newest seq per symbol a client has accepted. */
  Map<String, Long> last(StreamingClient c) {
    return onContext(() -> Future.succeededFuture(c.last()));
  }

  /** Stops every client started so far; their ticks stay in the ledger. */
  void stopAll() {
    onContext(
        () -> {
          started.forEach(StreamingClient::stop);
          started.clear();
          return Future.succeededFuture();
        });
  }

  private <T> T onContext(Supplier<Future<T>> work) {
    return Await.onContext(context, work, 20_000);
  }
}
