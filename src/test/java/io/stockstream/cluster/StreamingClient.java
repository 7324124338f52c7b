package io.stockstream.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A client of a cluster as a trading screen would write one: it streams every symbol from one node
 * and, when that node goes away (its connection closes, or stays silent past a ping deadline),
 * reconnects to another node of the list it was given and resumes with {@code since} (the last seq
 * it accepted per symbol) and the {@code epoch} it saw. After a {@code draining} frame it waits the
 * {@code reconnectAfterMs} it was told. It accepts what it is sent as it is: duplicates and holes
 * are the server's to avoid, and they show in {@link Report#seqs}. Every tick frame it receives, on
 * any connection, given-up ones included, goes to the shared {@link TickLedger}.
 *
 * <p>Everything here runs on the one Vert.x context that created it; tests read it through {@link
 * #report} on that context.
 */
final class StreamingClient {

  /** How often it pings, and how long without a pong it calls a connection dead. */
  static final long PING_EVERY_MS = 200;

  static final long DEAD_AFTER_MS = 1500;

  private static final long HANDSHAKE_MS = 2000;
  private static final long RETRY_MS = 100;

  /** One tick as it arrived: when it was made, and when it reached this client. */
  record Arrival(String symbol, long seq, long ts, long arrivedAt, int port) {}

  /** What a client saw, copied off its context. */
  record Report(
      String name,
      Map<String, List<Long>> seqs,
      List<Arrival> arrivals,
      List<String> epochs,
      List<Integer> ports,
      List<JsonArray> gaps,
      List<String> resumeSnapshot,
      List<Long> deadAt,
      int failedAttempts,
      long discarded) {}

  private final Vertx vertx;
  final String name;
  private final List<String> symbols;
  private final Supplier<List<Integer>> servingPorts;
  private final TickLedger ledger;
  private final WebSocketClient ws;

  private String epoch;
  private final Map<String, Long> last = new TreeMap<>();
  private final Map<String, Long> lastTs = new TreeMap<>();
  private final Map<String, List<Long>> seqs = new TreeMap<>();
  private final List<Arrival> arrivals = new ArrayList<>();
  private final List<String> epochs = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final List<JsonArray> gaps = new ArrayList<>();
  private final List<String> resumeSnapshot = new ArrayList<>();
  private final List<Long> deadAt = new ArrayList<>();
  private int failedAttempts;
  private long discarded;

  /** Each connection attempt gets a generation; frames of an older one are not this client's. */
  private int generation;

  private WebSocket socket;
  private int port;
  private long lastPongAt;
  private long reconnectNotBefore;
  private int pingRef;
  private long heartbeat = -1;
  private boolean closed;
  private long deadAfterMs = DEAD_AFTER_MS;

  /**
   * @param servingPorts the public ports of the nodes that take clients now, asked at each
   *     reconnect
   */
  StreamingClient(
      Vertx vertx,
      String name,
      List<String> symbols,
      Supplier<List<Integer>> servingPorts,
      TickLedger ledger) {
    this.vertx = vertx;
    this.name = name;
    this.symbols = List.copyOf(symbols);
    this.servingPorts = servingPorts;
    this.ledger = ledger;
    this.ws = vertx.createWebSocketClient(new WebSocketClientOptions().setConnectTimeout(1000));
  }

  /**
   * Connects to {@code home}; with {@code since}, the first subscribe already resumes from it in
   * {@code sinceEpoch}, as a client that was connected elsewhere before would.
   */
  void start(int home, Map<String, Long> since, String sinceEpoch) {
    if (since != null) {
      last.putAll(since);
      epoch = sinceEpoch;
    }
    heartbeat = vertx.setPeriodic(PING_EVERY_MS, id -> heartbeat());
    // On an event loop, as the reconnects are: the handlers are then attached to the connect
    // before it can complete, and no frame arrives before them.
    vertx.runOnContext(v -> connect(home));
  }

  /**
   * Keeps its connection however long the node stays silent, as a client without a deadline of its
   * own does: it sees whatever a node that froze sends once it runs again.
   */
  StreamingClient withoutPingDeadline() {
    deadAfterMs = Long.MAX_VALUE;
    return this;
  }

  void stop() {
    closed = true;
    vertx.cancelTimer(heartbeat);
    generation++;
    if (socket != null) {
      socket.close().otherwiseEmpty();
      socket = null;
    }
    ws.close();
  }

  /** True while connected and subscribed on a node. */
  boolean connected() {
    return socket != null;
  }

  /** The time the newest accepted tick of the symbol furthest behind was made at, or -1. */
  long allSymbolsMadeFrom() {
    long oldest = Long.MAX_VALUE;
    for (String s : symbols) {
      oldest = Math.min(oldest, lastTs.getOrDefault(s, -1L));
    }
    return oldest;
  }

  Report report() {
    Map<String, List<Long>> copy = new TreeMap<>();
    seqs.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return new Report(
        name,
        copy,
        List.copyOf(arrivals),
        List.copyOf(epochs),
        List.copyOf(ports),
        List.copyOf(gaps),
        List.copyOf(resumeSnapshot),
        List.copyOf(deadAt),
        failedAttempts,
        discarded);
  }

  private void connect(int to) {
    if (closed) {
      return;
    }
    int gen = ++generation;
    port = to;
    ws.connect(
            new WebSocketConnectOptions()
                .setHost("127.0.0.1")
                .setPort(to)
                .setURI("/ws")
                .setTimeout(HANDSHAKE_MS))
        .onSuccess(s -> opened(gen, to, s))
        .onFailure(
            e -> {
              if (gen == generation) {
                failedAttempts++;
                vertx.setTimer(RETRY_MS, id -> connect(another(to)));
              }
            });
  }

  /** A serving node other than {@code lost}, spread over the clients by name; or lost itself. */
  private int another(int lost) {
    List<Integer> candidates = new ArrayList<>(servingPorts.get());
    candidates.remove(Integer.valueOf(lost));
    if (candidates.isEmpty()) {
      return lost;
    }
    return candidates.get(Math.floorMod(name.hashCode() + ports.size(), candidates.size()));
  }

  private void opened(int gen, int to, WebSocket s) {
    if (gen != generation) {
      s.close().otherwiseEmpty();
      return;
    }
    socket = s;
    ports.add(to);
    lastPongAt = System.currentTimeMillis();
    s.textMessageHandler(text -> onText(gen, text));
    s.closeHandler(v -> lost(gen));
  }

  /** The node closed the connection (a drain, or its process died): resume on another. */
  private void lost(int gen) {
    if (gen != generation || closed) {
      return;
    }
    socket = null;
    int from = port;
    generation++;
    long wait = Math.max(0, reconnectNotBefore - System.currentTimeMillis());
    if (wait == 0) {
      connect(another(from));
    } else {
      vertx.setTimer(wait, id -> connect(another(from)));
    }
  }

  private void heartbeat() {
    if (socket == null) {
      return;
    }
    long now = System.currentTimeMillis();
    if (now - lastPongAt > deadAfterMs) {
      // Silent: the node is paused or cut off. Give the connection up and go elsewhere; frames it
      // may still deliver later are dropped, as a real client drops them.
      deadAt.add(now);
      WebSocket gone = socket;
      socket = null;
      int from = port;
      generation++;
      gone.close().otherwiseEmpty();
      connect(another(from));
      return;
    }
    socket.writeTextMessage(new JsonObject().put("op", "ping").put("ref", ++pingRef).encode());
  }

  private void onText(int gen, String text) {
    JsonObject f = new JsonObject(text);
    String type = f.getString("type");
    if ("tick".equals(type)) {
      ledger.record(f, name);
    }
    if (gen != generation) {
      if ("tick".equals(type)) {
        discarded++;
      }
      return;
    }
    switch (type) {
      case "welcome" -> welcome(f);
      case "subscribed" -> subscribed(f);
      case "tick" -> accept(f);
      case "pong" -> lastPongAt = System.currentTimeMillis();
      case "draining" ->
          reconnectNotBefore = System.currentTimeMillis() + f.getLong("reconnectAfterMs");
      default -> {
        // presence and market frames are not what this client counts
      }
    }
  }

  private void welcome(JsonObject f) {
    String now = f.getString("epoch");
    epochs.add(now);
    JsonObject sub = new JsonObject().put("op", "subscribe").put("symbols", new JsonArray(symbols));
    if (!last.isEmpty()) {
      JsonObject since = new JsonObject();
      last.forEach(since::put);
      sub.put("since", since).put("ref", "resume");
      if (epoch != null) {
        sub.put("epoch", epoch);
      }
    }
    epoch = now;
    socket.writeTextMessage(sub.encode());
  }

  private void subscribed(JsonObject f) {
    boolean resuming = "resume".equals(f.getValue("ref"));
    if (resuming) {
      gaps.add(f.getJsonArray("gaps", new JsonArray()));
    }
    for (Object o : f.getJsonArray("snapshot")) {
      JsonObject t = (JsonObject) o;
      ledger.record(t, name);
      if (resuming) {
        // Only for a symbol the node could not replay: its latest, after a hole.
        resumeSnapshot.add(t.getString("symbol"));
      }
      accept(t);
    }
  }

  private void accept(JsonObject tick) {
    String symbol = tick.getString("symbol");
    long seq = tick.getLong("seq");
    seqs.computeIfAbsent(symbol, k -> new ArrayList<>()).add(seq);
    last.put(symbol, seq);
    lastTs.put(symbol, tick.getLong("ts"));
    arrivals.add(new Arrival(symbol, seq, tick.getLong("ts"), System.currentTimeMillis(), port));
  }

  /** The newest seq accepted per symbol. */
  Map<String, Long> last() {
    return new HashMap<>(last);
  }
}
