package io.stockstream.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A program run to its end in the project's directory, with a deadline: its exit code, its standard
 * output and its standard error.
 */
public record Command(List<String> command, int exitCode, String stdout, String stderr) {

  /**
   * The commands the README documents under "Run in a container", "Deploy on Kubernetes" and
   * "Observe with Prometheus and Grafana", word for word, which the tests run as they are.
   */
  public static final String LINT_INSTALL = "npm ci --prefix tools/lint";

  public static final String LINT_DOCKERFILE = "npm run --prefix tools/lint lint:dockerfile";
  public static final String KUSTOMIZE = "kubectl kustomize k8s/";
  public static final String CHECK_CONFIG = "promtool check config prometheus/prometheus.yml";
  public static final String CHECK_RULES = "promtool check rules prometheus/rules/stockstream.yml";
  public static final String TEST_RULES =
      "promtool test rules prometheus/tests/stockstream-rules.test.yml"
          + " prometheus/tests/cluster-rules.test.yml";

  /** How long a timed-out command's processes get to end on SIGTERM before SIGKILL. */
  static final Duration GRACE = Duration.ofSeconds(5);

  public static final List<String> DOCUMENTED =
      List.of(LINT_INSTALL, LINT_DOCKERFILE, KUSTOMIZE, CHECK_CONFIG, CHECK_RULES, TEST_RULES);

  /** Runs a command line (words separated by spaces, no shell) and waits for its end. */
  public static Command run(String commandLine, Duration timeout) throws Exception {
    return run(List.of(commandLine.split(" ")), timeout);
  }

  public static Command run(List<String> command, Duration timeout) throws Exception {
    File out = File.createTempFile("command-", ".out");
    File err = File.createTempFile("command-", ".err");
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(new File("."))
              .redirectOutput(out)
              .redirectError(err)
              .start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        killTree(p.toHandle(), GRACE);
        throw new IllegalStateException(
            String.join(" ", command)
                + ": still running after "
                + timeout
                + "\n"
                + read(out)
                + read(err));
      }
      return new Command(command, p.exitValue(), read(out), read(err));
    } finally {
      Files.deleteIfExists(out.toPath());
      Files.deleteIfExists(err.toPath());
    }
  }

  /**
   * Ends {@code root} and every process under it (npm's node children, a shell's background jobs):
   * SIGTERM to all, then SIGKILL to those still alive after {@code grace}. The descendants are
   * listed before anything is killed, since an orphan is no longer anyone's descendant.
   */
  static void killTree(ProcessHandle root, Duration grace) throws InterruptedException {
    List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
    tree.add(root);
    tree.forEach(ProcessHandle::destroy);
    if (!exited(tree, grace)) {
      tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
      if (!exited(tree, grace)) {
        throw new IllegalStateException("survived SIGKILL: " + tree);
      }
    }
  }

  private static boolean exited(List<ProcessHandle> tree, Duration within)
      throws InterruptedException {
    try {
      CompletableFuture.allOf(
              tree.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
          .get(within.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String read(File f) throws IOException {
    return Files.readString(Path.of(f.getPath()), StandardCharsets.UTF_8);
  }

  /** Standard output, then standard error. */
  public String output() {
    return stdout + stderr;
  }

  @Override
  public String toString() {
    return String.join(" ", command) + " -> exit " + exitCode + "\n" + output();
  }
}
