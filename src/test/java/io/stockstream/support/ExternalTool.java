package io.stockstream.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds a real program a test needs (Chromium, Prometheus, ...): when a required one is missing the
 * test is skipped with a plain reason on a developer's machine, and fails under {@code CI=true},
 * where {@code .ci/run} must have installed it; an optional one (kubectl) only ever skips.
 */
public final class ExternalTool {

  private ExternalTool() {}

  /** Whether this run is CI's, where every test must run. */
  public static boolean underCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /**
   * The path of the executable {@code name} on the {@code PATH} (or at one of {@code elsewhere}),
   * or skips the calling test (fails it under CI) naming the Debian package that provides it.
   */
  public static Path require(String name, String debianPackage, Path... elsewhere) {
    Optional<Path> found = find(name, elsewhere);
    if (found.isPresent()) {
      return found.get();
    }
    String reason =
        name + " is not installed (Debian package " + debianPackage + "; .ci/run installs it)";
    if (underCi()) {
      fail("required under CI=true: " + reason);
    }
    System.err.println("SKIPPED: " + reason);
    Assumptions.abort("skipped: " + reason);
    throw new AssertionError("unreachable");
  }

  /**
   * The path of the executable {@code name}, which {@code .ci/run} does not install, or skips the
   * calling test with a plain reason, under CI too: for checks that run only where the tool is.
   */
  public static Path optional(String name, String unchecked, Path... elsewhere) {
    Optional<Path> found = find(name, elsewhere);
    if (found.isPresent()) {
      return found.get();
    }
    String reason = name + " is not installed (optional, even under CI): " + unchecked;
    System.err.println("SKIPPED: " + reason);
    Assumptions.abort("skipped: " + reason);
    throw new AssertionError("unreachable");
  }

  /** The executable {@code name} on the {@code PATH} or at one of {@code elsewhere}, if any. */
  public static Optional<Path> find(String name, Path... elsewhere) {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    return Stream.concat(
            Stream.of(path.split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name)),
            Stream.of(elsewhere))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
