package io.stockstream.support;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The project's {@code Dockerfile}, read as the Docker builder reads it: instructions (with their
 * line continuations joined and comments dropped) grouped into build stages. The process tests run
 * the image's own command through {@link #localCommand}.
 */
public final class Dockerfile {

  /** The Dockerfile at the root of the project (tests run in the project's directory). */
  public static final Path PATH = Path.of("Dockerfile");

  /** One instruction: its upper-case keyword and the rest of the (joined) line. */
  public record Instruction(String keyword, String arguments, int line) {}

  /** One build stage: its {@code FROM} image, its name (if any) and its instructions. */
  public record Stage(String image, Optional<String> name, List<Instruction> instructions) {

    public List<Instruction> all(String keyword) {
      return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    public Optional<Instruction> last(String keyword) {
      List<Instruction> found = all(keyword);
      return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
    }
  }

  private static final Pattern FROM =
      Pattern.compile("(?:--\\S+\\s+)*(\\S+)(?:\\s+AS\\s+(\\S+))?", Pattern.CASE_INSENSITIVE);

  private final List<Stage> stages;

  private Dockerfile(List<Stage> stages) {
    this.stages = stages;
  }

  public static Dockerfile read() {
    return read(PATH);
  }

  public static Dockerfile read(Path path) {
    try {
      return parse(Files.readString(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Dockerfile parse(String text) {
    List<Stage> stages = new ArrayList<>();
    List<Instruction> current = null;
    StringBuilder pending = new StringBuilder();
    int pendingLine = 0;
    String[] lines = text.split("\r?\n", -1);
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n];
      String trimmed = line.strip();
      // Comments (and parser directives) are whole lines; inside a continuation they are skipped.
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && pending.isEmpty())) {
        continue;
      }
      if (pending.isEmpty()) {
        pendingLine = n + 1;
      }
      if (trimmed.endsWith("\\")) {
        pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      pending.append(trimmed);
      String whole = pending.toString().strip();
      pending.setLength(0);
      if (whole.isEmpty()) {
        continue;
      }
      String[] parts = whole.split("\\s+", 2);
      Instruction i =
          new Instruction(
              parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : "", pendingLine);
      if (i.keyword().equals("FROM")) {
        Matcher m = FROM.matcher(i.arguments());
        if (!m.matches()) {
          throw new IllegalArgumentException("line " + i.line() + ": FROM " + i.arguments());
        }
        current = new ArrayList<>();
        stages.add(new Stage(m.group(1), Optional.ofNullable(m.group(2)), current));
      } else if (current == null) {
        if (!i.keyword().equals("ARG")) {
          throw new IllegalArgumentException(
              "line " + i.line() + ": " + i.keyword() + " before FROM");
        }
      } else {
        current.add(i);
      }
    }
    if (stages.isEmpty()) {
      throw new IllegalArgumentException("no FROM");
    }
    return new Dockerfile(List.copyOf(stages));
  }

  public List<Stage> stages() {
    return stages;
  }

  /** The stage the image is made of: the last one. */
  public Stage runtime() {
    return stages.get(stages.size() - 1);
  }

  /**
   * The runtime stage's {@code ENTRYPOINT} in exec form (a JSON array), the command the container
   * runs as PID 1; fails for the shell form, in which a shell would get SIGTERM instead of java.
   */
  public List<String> entrypoint() {
    Instruction i =
        runtime()
            .last("ENTRYPOINT")
            .orElseThrow(() -> new IllegalStateException("the runtime stage has no ENTRYPOINT"));
    try {
      JsonArray array = new JsonArray(i.arguments());
      List<String> command = new ArrayList<>();
      for (Object o : array) {
        if (!(o instanceof String s)) {
          throw new IllegalStateException("ENTRYPOINT element is not a string: " + o);
        }
        command.add(s);
      }
      return List.copyOf(command);
    } catch (DecodeException e) {
      throw new IllegalStateException(
          "ENTRYPOINT is not in exec form (a JSON array): " + i.arguments(), e);
    }
  }

  /** Where the runtime stage puts the jar: the destination of its {@code COPY --from=...}. */
  public String imageJar() {
    List<String> jars =
        runtime().all("COPY").stream()
            .filter(c -> c.arguments().contains("--from="))
            .map(c -> c.arguments().split("\\s+"))
            .map(words -> words[words.length - 1])
            .filter(dest -> dest.endsWith(".jar"))
            .toList();
    if (jars.size() != 1) {
      throw new IllegalStateException("expected one jar copied into the image, found " + jars);
    }
    return jars.get(0);
  }

  /**
   * The image's command as this machine runs it: {@code java} is {@code javaBin} and the jar in the
   * image is {@code jar}; every other word (the JVM flags) is the image's own.
   */
  public List<String> localCommand(String javaBin, String jar) {
    List<String> entrypoint = entrypoint();
    if (entrypoint.isEmpty() || !entrypoint.get(0).equals("java")) {
      throw new IllegalStateException("the ENTRYPOINT does not start with java: " + entrypoint);
    }
    String imageJar = imageJar();
    List<String> local = new ArrayList<>();
    local.add(javaBin);
    int jars = 0;
    for (String word : entrypoint.subList(1, entrypoint.size())) {
      if (word.equals(imageJar)) {
        local.add(jar);
        jars++;
      } else {
        local.add(word);
      }
    }
    if (jars != 1) {
      throw new IllegalStateException(
          "the ENTRYPOINT names the image's jar "
              + imageJar
              + " "
              + jars
              + " times: "
              + entrypoint);
    }
    return List.copyOf(local);
  }
}
