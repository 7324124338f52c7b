package io.stockstream.support;

import static io.stockstream.support.Eventually.settle;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A cluster of real stockstream processes on loopback, each started with the image's command (see
 * {@link ServiceProcess}) and one shared member list. A node keeps its cluster and event-bus ports
 * across restarts, so a restarted node comes back as the member list names it; its public and
 * management ports are picked afresh each time. The test drives faults by signals to the JVM itself
 * (kill -9, SIGSTOP, SIGCONT, SIGTERM) and reads the nodes' state only from outside: {@code
 * /health/ready} and {@code /metrics}. Every process it started is ended on {@link #close}, and on
 * the test JVM's exit if a test run is cut short.
 */
public final class ClusterProcesses implements AutoCloseable {

  /** What a node is doing, as far as clients should know: whom they may connect to. */
  public enum State {
    DOWN,
    STARTING,
    SERVING,
    PAUSED,
    DRAINING
  }

  /** One member: its fixed ports and the process that holds them now. */
  public static final class Node {
    public final int index;
    public final int clusterPort;
    public final int busPort;
    private volatile ServiceProcess process;
    private volatile State state = State.DOWN;
    private volatile int publicPort;
    private volatile int managementPort;
    private final List<ServiceProcess> generations = new ArrayList<>();

    private Node(int index, int clusterPort, int busPort) {
      this.index = index;
      this.clusterPort = clusterPort;
      this.busPort = busPort;
    }

    public State state() {
      return state;
    }

    public int publicPort() {
      return publicPort;
    }

    public int managementPort() {
      return managementPort;
    }

    public long pid() {
      return process.pid();
    }

    @Override
    public String toString() {
      return "node " + index + " (cluster port " + clusterPort + ", " + state + ")";
    }
  }

  private static final long POLL_MS = 100;

  private final Vertx vertx;
  private final Map<String, String> env;
  private final List<Node> nodes = new ArrayList<>();
  private final Thread reaper = new Thread(this::killAll, "cluster-processes-reaper");

  /**
   * Reserves ports for {@code size} members and the settings they share; starts nothing yet. The
   * ports come from below Linux's ephemeral range (32768 up), so that no outgoing connection of the
   * many a test makes takes a member's port while that member restarts.
   */
  public ClusterProcesses(Vertx vertx, int size, Map<String, String> settings) throws IOException {
    this.vertx = vertx;
    List<Integer> ports = freePorts(2 * size);
    for (int i = 0; i < size; i++) {
      nodes.add(new Node(i, ports.get(i), ports.get(size + i)));
    }
    Map<String, String> all = new HashMap<>();
    all.put("STOCKSTREAM_HOST", "127.0.0.1");
    all.put("STOCKSTREAM_HTTP_PORT", "0");
    all.put("STOCKSTREAM_MANAGEMENT_PORT", "0");
    all.putAll(settings);
    all.put(
        "STOCKSTREAM_CLUSTER_MEMBERS",
        nodes.stream().map(n -> "127.0.0.1:" + n.clusterPort).collect(Collectors.joining(",")));
    this.env = Map.copyOf(all);
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  public Node node(int index) {
    return nodes.get(index);
  }

  /** The public ports of the nodes that take clients now: neither down, paused nor draining. */
  public List<Integer> servingPorts() {
    return nodes.stream()
        .filter(n -> n.state == State.SERVING)
        .map(n -> n.publicPort)
        .collect(Collectors.toList());
  }

  /**
   * Starts one more process that joins the members with the cluster's settings and {@code
   * overrides}, on ports of its own; the caller owns it.
   */
  public ServiceProcess startNewcomer(Map<String, String> overrides) throws IOException {
    List<Integer> ports = freePorts(2);
    Map<String, String> mine = new HashMap<>(env);
    mine.putAll(overrides);
    mine.put("STOCKSTREAM_CLUSTER_PORT", String.valueOf(ports.get(0)));
    mine.put("STOCKSTREAM_EVENTBUS_PORT", String.valueOf(ports.get(1)));
    return ServiceProcess.start(mine);
  }

  /** Starts a member's process (again) on its cluster and event-bus ports; returns at once. */
  public void start(int index) throws IOException {
    Node n = nodes.get(index);
    Map<String, String> mine = new HashMap<>(env);
    mine.put("STOCKSTREAM_CLUSTER_PORT", String.valueOf(n.clusterPort));
    mine.put("STOCKSTREAM_EVENTBUS_PORT", String.valueOf(n.busPort));
    n.state = State.STARTING;
    n.process = ServiceProcess.start(mine);
    n.generations.add(n.process);
  }

  /**
   * Waits until the member answers {@code /health/ready} with 200: joined, history copied, a tick
   * of every symbol. Returns the milliseconds from the start of its process.
   */
  public long awaitReady(int index, long startedAtNanos, long timeoutMs) throws Exception {
    Node n = nodes.get(index);
    n.managementPort = n.process.managementPort();
    n.publicPort = n.process.publicPort();
    awaitServing(index, timeoutMs);
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAtNanos);
  }

  /** Starts a member and waits until it is ready; returns the join time in milliseconds. */
  public long startReady(int index) throws Exception {
    long t0 = System.nanoTime();
    start(index);
    return awaitReady(index, t0, 60_000);
  }

  /**
   * {@code kill -9}: the JVM gets no chance to say goodbye, its sockets are reset by the kernel.
   */
  public void kill(int index) {
    Node n = nodes.get(index);
    n.state = State.DOWN;
    n.process.close();
  }

  /** Waits until a killed or terminated member's process has exited; returns its exit code. */
  public int waitForExit(int index, Duration timeout) throws InterruptedException {
    return nodes.get(index).process.waitForExit(timeout);
  }

  /** SIGSTOP: the whole process freezes; its sockets stay open and silent. */
  public void pause(int index) throws Exception {
    Node n = nodes.get(index);
    n.state = State.PAUSED;
    signal(n.pid(), "STOP");
  }

  /** SIGCONT; clients stay away until the test says the member serves again. */
  public void resume(int index) throws Exception {
    signal(nodes.get(index).pid(), "CONT");
  }

  /**
   * Waits until a member that runs (again) answers {@code /health/ready} with 200, as a load
   * balancer would, then lets clients connect to it again.
   */
  public void awaitServing(int index, long timeoutMs) {
    Node n = nodes.get(index);
    poll(
        "node " + index + " ready",
        timeoutMs,
        () -> Http.get(vertx, n.managementPort, "/health/ready").map(r -> r.status()),
        status -> status == 200);
    n.state = State.SERVING;
  }

  /** SIGTERM, as Kubernetes stops a pod: the member drains its clients and exits. */
  public void terminate(int index) {
    Node n = nodes.get(index);
    n.state = State.DRAINING;
    n.process.terminate();
  }

  /** The text of a member's {@code /metrics}. */
  public Future<String> metrics(int index) {
    return Http.get(vertx, nodes.get(index).managementPort, "/metrics")
        .map(r -> r.body().toString());
  }

  /** One sample of each of {@code members}' metrics, as {index: value}; NaN where absent. */
  public Future<Map<Integer, Double>> sample(Set<Integer> members, String sample) {
    List<Integer> order = new ArrayList<>(members);
    List<Future<String>> texts = order.stream().map(this::metrics).toList();
    return Future.all(texts)
        .map(
            all -> {
              Map<Integer, Double> out = new HashMap<>();
              for (int k = 0; k < order.size(); k++) {
                out.put(order.get(k), Exposition.value(texts.get(k).result(), sample));
              }
              return out;
            });
  }

  /**
   * Brings back every member an earlier step left down or paused: a paused one is ended and started
   * afresh, its state after the pause being no one's to rely on.
   */
  public void restoreAll() throws Exception {
    for (Node n : nodes) {
      if (n.state == State.PAUSED) {
        resume(n.index);
        kill(n.index);
        waitForExit(n.index, Duration.ofSeconds(10));
      }
      if (n.state == State.DOWN) {
        startReady(n.index);
      }
    }
  }

  /** Every member's index but {@code member}'s. */
  public Set<Integer> others(int member) {
    Set<Integer> out = new HashSet<>();
    for (Node n : nodes) {
      if (n.index != member) {
        out.add(n.index);
      }
    }
    return out;
  }

  /** The members whose processes run and are not paused. */
  public Set<Integer> running() {
    Set<Integer> out = new HashSet<>();
    for (Node n : nodes) {
      if (n.state == State.SERVING || n.state == State.STARTING || n.state == State.DRAINING) {
        out.add(n.index);
      }
    }
    return out;
  }

  /**
   * Waits until, among {@code members}, exactly one reports {@code stockstream_feed_leader 1} and
   * each sees {@code size} cluster members; returns the leader's index.
   */
  public int awaitOneLeader(Set<Integer> members, int size, long timeoutMs) {
    Map<Integer, Double> leaders =
        poll(
            "one leader among " + members + ", each seeing " + size + " members",
            timeoutMs,
            () ->
                sample(members, "stockstream_cluster_members")
                    .compose(
                        seen ->
                            seen.values().stream().allMatch(v -> v == size)
                                ? sample(members, "stockstream_feed_leader")
                                : Future.succeededFuture(Map.<Integer, Double>of())),
            leader ->
                !leader.isEmpty()
                    && leader.values().stream().filter(v -> v == 1.0).count() == 1
                    && leader.values().stream().allMatch(v -> v == 0.0 || v == 1.0));
    return leaders.entrySet().stream().filter(e -> e.getValue() == 1.0).findFirst().get().getKey();
  }

  /**
   * Repeats {@code attempt} every {@value #POLL_MS} ms until {@code done}; fails naming {@code
   * what} and the last result after {@code timeoutMs}. Not every 20 ms as {@link Eventually} does:
   * a scrape of three JVMs' {@code /metrics} that often would take a core of this machine.
   */
  public <T> T poll(String what, long timeoutMs, Supplier<Future<T>> attempt, Predicate<T> done) {
    T last = Await.result(settle(vertx, timeoutMs, POLL_MS, attempt, done), timeoutMs + 15_000);
    if (!done.test(last)) {
      throw new AssertionError(
          "still not there after " + timeoutMs + " ms: " + what + "; last: " + last);
    }
    return last;
  }

  /** Writes each member's output, every process it ran, under {@code dir}. */
  public void writeLogs(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (Node n : nodes) {
      for (int g = 0; g < n.generations.size(); g++) {
        Files.writeString(
            dir.resolve("node-" + n.index + "-" + g + ".log"), n.generations.get(g).output());
      }
    }
  }

  /** Continues any paused process, then kills every process this cluster started. */
  @Override
  public void close() {
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs, or has run, anyway
    }
  }

  private void killAll() {
    for (Node n : nodes) {
      for (ServiceProcess p : n.generations) {
        if (p.pid() > 0 && ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false)) {
          // A stopped process gets SIGKILL too; SIGCONT first so that nothing lingers stopped.
          try {
            signal(p.pid(), "CONT");
          } catch (Exception ignored) {
            // it is killed below either way
          }
          p.close();
        }
      }
      n.state = State.DOWN;
    }
  }

  private static void signal(long pid, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
    }
  }

  /**
   * {@code count} distinct ports that bind on loopback now, from a random spot in 20000-32000
   * (outside the ephemeral range, and apart from another run's cluster on the same machine).
   */
  public static List<Integer> freePorts(int count) throws IOException {
    List<Integer> out = new ArrayList<>();
    int port = 20_000 + ThreadLocalRandom.current().nextInt(12_000 - 10 * count);
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    while (out.size() < count && port < 32_000) {
      try (ServerSocket s = new ServerSocket(port, 1, loopback)) {
        out.add(port);
      } catch (IOException taken) {
        // try the next one
      }
      port++;
    }
    if (out.size() < count) {
      throw new IOException("no " + count + " free ports below 32000");
    }
    return out;
  }
}
