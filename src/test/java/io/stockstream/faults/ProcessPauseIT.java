package io.stockstream.faults;

import static io.stockstream.support.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.Await;
import io.stockstream.support.ServiceProcess;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole server process paused ({@code SIGSTOP}) for a few seconds, then continued ({@code
 * SIGCONT}): no TCP event tells a client, so each finds out by its own application ping going
 * unanswered, gives the connection up, reconnects once the process answers again and resumes with
 * {@code since} and {@code epoch}. Every seq from before the pause to after it reaches each client
 * exactly once.
 */
class ProcessPauseIT {

  private static final List<String> SYMBOLS = List.of("AAPL", "MSFT", "NVDA");

  /**
   * A tick every 20 ms per symbol: the node's history (at least 1000 ticks) covers 20 s, far more
   * than the pause and the reconnect.
   */
  private static final Map<String, String> ENV =
      Map.of(
          "STOCKSTREAM_HTTP_PORT", "0",
          "STOCKSTREAM_MANAGEMENT_PORT", "0",
          "STOCKSTREAM_SYMBOLS", String.join(",", SYMBOLS),
          "STOCKSTREAM_TICK_INTERVAL_MS", "20");

  /** How often a client pings, and how long it waits for any pong before it calls the link dead. */
  private static final long PING_EVERY_MS = 200;

  private static final long DEAD_AFTER_MS = 1500;

  /** How long a reconnect may wait for its handshake, and the wait before the next one. */
  private static final long HANDSHAKE_MS = 1000;

  private static final long RETRY_MS = 200;

  /** The least the process stays stopped: the fault's length, kept short for the history. */
  private static final long PAUSE_MS = 3000;

  private final List<ServiceProcess> processes = new ArrayList<>();
  private Vertx vertx;
  private Context context;
  private long stoppedPid = -1;

  @BeforeEach
  void createVertx() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void stopEverything() throws Exception {
    if (stoppedPid > 0) {
      signal(stoppedPid, "CONT");
    }
    processes.forEach(ServiceProcess::close);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private <T> T onContext(Supplier<Future<T>> work, long timeoutMs) {
    return Await.onContext(context, work, timeoutMs);
  }

  @Test
  void clientsFindAPausedProcessByTheirPingsAndResumeWithoutAHole() throws Exception {
    ServiceProcess p = ServiceProcess.start(ENV);
    processes.add(p);
    int port = p.publicPort();
    List<ResumingClient> clients =
        List.of(new ResumingClient("a", port), new ResumingClient("b", port));

    // Both connected and receiving every symbol.
    for (ResumingClient c : clients) {
      long from = System.currentTimeMillis() + 500;
      onContext(() -> c.start().compose(v -> c.untilEverySymbolTicked(1, from)), 15_000);
    }
    Map<String, Map<String, Long>> atStop = new LinkedHashMap<>();
    long stoppedAt = System.currentTimeMillis();
    signal(p.pid(), "STOP");
    stoppedPid = p.pid();
    for (ResumingClient c : clients) {
      atStop.put(c.name, onContext(() -> Future.succeededFuture(new TreeMap<>(c.last)), 1_000));
    }

    // Each client calls the silent link dead by its own deadline, and a reconnect fails:
    // the kernel still accepts the TCP connection, but no handshake answer comes.
    for (ResumingClient c : clients) {
      onContext(() -> c.dead.future().compose(v -> c.failedAttempt.future()), 15_000);
    }
    long left = PAUSE_MS - (System.currentTimeMillis() - stoppedAt);
    if (left > 0) {
      onContext(() -> vertx.timer(left).mapEmpty(), PAUSE_MS + 1_000);
    }
    long continuedAt = System.currentTimeMillis();
    signal(p.pid(), "CONT");
    stoppedPid = -1;

    // Back: each client reconnects, resumes, and sees ticks made well after the pause.
    for (ResumingClient c : clients) {
      onContext(() -> c.untilEverySymbolTicked(2, continuedAt + 1000), 20_000);
    }

    for (ResumingClient c : clients) {
      Report r = onContext(() -> Future.succeededFuture(c.report()), 1_000);
      System.out.printf(
          "process pause, client %s: stopped %d ms, called dead %d ms after the stop, %d failed"
              + " reconnects, %d connections; resumed with gaps %s; ticks per symbol %s; %d ticks"
              + " from the given-up connection discarded%n",
          c.name,
          continuedAt - stoppedAt,
          r.deadAt().get(0) - stoppedAt,
          r.failedAttempts(),
          r.connections(),
          r.gaps(),
          r.counts(),
          r.discarded());
      assertThat(r.deadAt()).as("times %s called its link dead", c.name).hasSize(1);
      // Found by the ping deadline: not sooner (nothing else could tell), not much later.
      assertThat(r.deadAt().get(0) - stoppedAt)
          .as("ms from SIGSTOP to client %s calling the link dead", c.name)
          .isBetween(DEAD_AFTER_MS - PING_EVERY_MS, DEAD_AFTER_MS + 2_000);
      assertThat(r.connections()).as("connections of %s", c.name).isEqualTo(2);
      assertThat(r.epochs()).as("epochs %s saw", c.name).hasSize(2).containsOnly(r.epochs().get(0));
      assertThat(r.gaps()).as("gaps of the resume of %s", c.name).containsExactly(new JsonArray());
      assertThat(r.resumeSnapshot())
          .as("snapshot of the resume of %s: none, the history covers the pause", c.name)
          .isEmpty();
      for (String symbol : SYMBOLS) {
        List<Long> seqs = r.seqs().get(symbol);
        long first = seqs.get(0);
        long stopSeq = atStop.get(c.name).get(symbol);
        // Every seq exactly once, in order, from before the stop to after the resume.
        assertThat(seqs)
            .as("%s seqs seen by %s", symbol, c.name)
            .containsExactlyElementsOf(
                LongStream.range(first, first + seqs.size()).boxed().toList());
        assertThat(first).as("%s: first seq before the stop", symbol).isLessThan(stopSeq);
        assertThat(seqs.get(seqs.size() - 1))
            .as("%s: last seq well after the resume", symbol)
            .isGreaterThan(stopSeq + 10);
      }
    }
  }

  private static void signal(long pid, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).as("kill -%s returned", signal).isTrue();
    assertThat(kill.exitValue()).as("kill -%s %d", signal, pid).isZero();
  }

  /** What a client saw, copied off its context. */
  private record Report(
      Map<String, List<Long>> seqs,
      List<Long> deadAt,
      int failedAttempts,
      int connections,
      List<String> epochs,
      List<JsonArray> gaps,
      List<String> resumeSnapshot,
      long discarded) {
    Map<String, Integer> counts() {
      Map<String, Integer> out = new TreeMap<>();
      seqs.forEach((k, v) -> out.put(k, v.size()));
      return out;
    }
  }

  /**
   * A client as a trading screen would write one: it pings the server every {@link #PING_EVERY_MS}
   * and calls the connection dead when no pong came for {@link #DEAD_AFTER_MS}; then it reconnects
   * until a handshake succeeds and resumes every symbol with {@code since} (the last seq it
   * accepted) and the {@code epoch} it saw. Frames still arriving on a connection it gave up are
   * dropped, as a real client drops them. Everything here runs on the test's one context.
   */
  private final class ResumingClient {
    final String name;
    final int port;
    final WebSocketClient ws;

    String epoch;
    final Map<String, Long> last = new TreeMap<>();
    final Map<String, Long> lastTs = new TreeMap<>();
    final Map<String, List<Long>> seqs = new TreeMap<>();
    final List<Long> deadAt = new ArrayList<>();
    final List<String> epochs = new ArrayList<>();
    final List<JsonArray> gaps = new ArrayList<>();
    final List<String> resumeSnapshot = new ArrayList<>();
    int failedAttempts;
    int connections;
    long discarded;
    final Promise<Void> dead = Promise.promise();
    final Promise<Void> failedAttempt = Promise.promise();

    /** Each connection attempt gets a generation; frames of an older one are not this client's. */
    private int generation;

    private WebSocket socket;
    private long lastPongAt;
    private int pingRef;

    ResumingClient(String name, int port) {
      this.name = name;
      this.port = port;
      this.ws = vertx.createWebSocketClient(new WebSocketClientOptions().setConnectTimeout(1000));
    }

    /** Starts connecting, and retrying until a handshake succeeds (a cold JVM may be slow). */
    Future<Void> start() {
      vertx.setPeriodic(PING_EVERY_MS, id -> heartbeat());
      // On an event loop, as the reconnects are: the handlers are then attached to the connect
      // before it can complete, and no frame arrives before them.
      vertx.runOnContext(v -> connect());
      return Future.succeededFuture();
    }

    private void connect() {
      int gen = ++generation;
      WebSocketConnectOptions options =
          new WebSocketConnectOptions()
              .setHost("127.0.0.1")
              .setPort(port)
              .setURI("/ws")
              .setTimeout(HANDSHAKE_MS);
      ws.connect(options)
          .onSuccess(s -> opened(gen, s))
          .onFailure(
              e -> {
                failedAttempts++;
                if (!deadAt.isEmpty()) {
                  failedAttempt.tryComplete();
                }
                vertx.setTimer(RETRY_MS, id -> connect());
              });
    }

    private void opened(int gen, WebSocket s) {
      socket = s;
      connections++;
      lastPongAt = System.currentTimeMillis();
      s.textMessageHandler(text -> onText(gen, s, text));
    }

    private void heartbeat() {
      if (socket == null) {
        return;
      }
      long now = System.currentTimeMillis();
      if (now - lastPongAt > DEAD_AFTER_MS) {
        deadAt.add(now);
        WebSocket gone = socket;
        socket = null;
        // Given up: a close frame may reach the process when it runs again, or not.
        gone.close().otherwiseEmpty();
        dead.tryComplete();
        connect();
        return;
      }
      socket.writeTextMessage(new JsonObject().put("op", "ping").put("ref", ++pingRef).encode());
    }

    private void onText(int gen, WebSocket s, String text) {
      JsonObject f = new JsonObject(text);
      String type = f.getString("type");
      if (gen != generation) {
        if ("tick".equals(type)) {
          discarded++;
        }
        return;
      }
      switch (type) {
        case "welcome" -> {
          String now = f.getString("epoch");
          epochs.add(now);
          JsonObject sub =
              new JsonObject().put("op", "subscribe").put("symbols", new JsonArray(SYMBOLS));
          if (epoch != null) {
            JsonObject since = new JsonObject();
            last.forEach(since::put);
            sub.put("since", since).put("epoch", epoch).put("ref", "resume");
          }
          epoch = now;
          s.writeTextMessage(sub.encode());
        }
        case "subscribed" -> {
          boolean resuming = "resume".equals(f.getValue("ref"));
          for (Object o : f.getJsonArray("snapshot")) {
            JsonObject t = (JsonObject) o;
            if (resuming) {
              resumeSnapshot.add(t.getString("symbol"));
            } else {
              accept(t);
            }
          }
          if (resuming) {
            gaps.add(f.getJsonArray("gaps"));
          }
        }
        case "tick" -> accept(f);
        case "pong" -> lastPongAt = System.currentTimeMillis();
        default -> {
          // presence and market frames are not what this client counts
        }
      }
    }

    private void accept(JsonObject tick) {
      String symbol = tick.getString("symbol");
      long seq = tick.getLong("seq");
      seqs.computeIfAbsent(symbol, k -> new ArrayList<>()).add(seq);
      last.put(symbol, seq);
      lastTs.put(symbol, tick.getLong("ts"));
    }

    /** Completes once this client is on its n-th connection and has ticks made from {@code ts}. */
    Future<Void> untilEverySymbolTicked(int connection, long ts) {
      return eventually(
          vertx,
          name + " on connection " + connection + " with ticks of every symbol made from " + ts,
          15_000,
          () ->
              connections >= connection
                  && socket != null
                  && SYMBOLS.stream().allMatch(sym -> lastTs.getOrDefault(sym, -1L) >= ts));
    }

    Report report() {
      Map<String, List<Long>> copy = new TreeMap<>();
      seqs.forEach((k, v) -> copy.put(k, List.copyOf(v)));
      return new Report(
          copy,
          List.copyOf(deadAt),
          failedAttempts,
          connections,
          List.copyOf(epochs),
          List.copyOf(gaps),
          List.copyOf(resumeSnapshot),
          discarded);
    }
  }
}
