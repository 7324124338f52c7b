package io.stockstream.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service as a real process, started with the container image's own command: the {@code
 * ENTRYPOINT} of the {@code Dockerfile} (its JVM flags included), with this JVM's {@code java} and
 * the jar at {@code target/stockstream.jar}. So every process test runs what the image runs. Its
 * output is collected line by line so that a test can wait for the port lines with a deadline.
 */
public final class ServiceProcess implements AutoCloseable {

  private static final Pattern PUBLIC = Pattern.compile("^public port: (\\d+)$");
  private static final Pattern MANAGEMENT = Pattern.compile("^management port: (\\d+)$");

  private final Process process;
  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  private final CompletableFuture<Integer> publicPort = new CompletableFuture<>();
  private final CompletableFuture<Integer> managementPort = new CompletableFuture<>();

  private final Thread reader;

  private ServiceProcess(Process process) {
    this.process = process;
    this.reader = new Thread(this::readOutput, "service-output");
    reader.setDaemon(true);
    reader.start();
  }

  public static Path jar() {
    return Path.of(System.getProperty("stockstream.jar", "target/stockstream.jar"));
  }

  /** Starts the jar with these environment variables (on top of a clean STOCKSTREAM_* slate). */
  public static ServiceProcess start(Map<String, String> env, String... args) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command(args)).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("STOCKSTREAM_"));
    pb.environment().putAll(env);
    return new ServiceProcess(pb.start());
  }

  /** The command {@link #start} runs: the image's ENTRYPOINT, here, then {@code args}. */
  public static List<String> command(String... args) {
    List<String> command =
        new ArrayList<>(Dockerfile.read().localCommand(javaBin(), jar().toString()));
    command.addAll(List.of(args));
    return command;
  }

  public static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private void readOutput() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
        Matcher m = PUBLIC.matcher(line);
        if (m.matches()) {
          publicPort.complete(Integer.parseInt(m.group(1)));
        }
        m = MANAGEMENT.matcher(line);
        if (m.matches()) {
          managementPort.complete(Integer.parseInt(m.group(1)));
        }
      }
    } catch (IOException e) {
      lines.add("<output closed: " + e + ">");
    }
    publicPort.completeExceptionally(
        new IllegalStateException("exited before 'public port:'\n" + output()));
    managementPort.completeExceptionally(
        new IllegalStateException("exited before 'management port:'\n" + output()));
  }

  /** The JVM's process id: the image's command runs {@code java} itself, as PID 1 would. */
  public long pid() {
    return process.pid();
  }

  public int publicPort() throws Exception {
    return publicPort.get(30, TimeUnit.SECONDS);
  }

  public int managementPort() throws Exception {
    return managementPort.get(30, TimeUnit.SECONDS);
  }

  /**
   * Sends SIGTERM, as Kubernetes does. Through the process handle: {@code Process.destroy()} would
   * also close the pipes, and with them what the process says while it shuts down.
   */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** Waits for the exit code; fails the wait after {@code timeout}. */
  public int waitForExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("still running after " + timeout + "\n" + output());
    }
    // The output ends shortly after the process: read it to the end before anyone checks it.
    reader.join(TimeUnit.SECONDS.toMillis(5));
    return process.exitValue();
  }

  public String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
