package io.stockstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.Command;
import io.stockstream.support.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dockerfile passes dockerfile-utils and dockerfilelint, installed at the versions pinned in
 * tools/lint/package-lock.json. Needs node and npm: skipped without them, failed under CI=true.
 */
class DockerfileLintTest {

  @BeforeAll
  static void installTheLinters() throws Exception {
    ExternalTool.require("node", "nodejs");
    ExternalTool.require("npm", "npm");
    Command install = Command.run(Command.LINT_INSTALL, Duration.ofMinutes(5));
    assertThat(install.exitCode()).as("%s", install).isZero();
  }

  @Test
  void dockerfilePassesBothLinters() throws Exception {
    Command lint = Command.run(Command.LINT_DOCKERFILE, Duration.ofMinutes(1));
    assertThat(lint.exitCode()).as("%s", lint).isZero();
    assertThat(lint.output()).contains("Dockerfile: 0 finding(s)");
  }

  @Test
  void theLintFailsABrokenDockerfile(@TempDir Path dir) throws Exception {
    // The control: the same script, on a Dockerfile with a typo'd port and an unpinned image.
    Path broken = dir.resolve("Dockerfile");
    Files.writeString(
        broken,
        "FROM eclipse-temurin\nEXPOSE 8080 90o0\nENTRYPOINT [\"java\", \"-jar\", \"a.jar\"]\n");
    Command lint =
        Command.run(
            java.util.List.of("node", "tools/lint/lint-dockerfile.js", broken.toString()),
            Duration.ofMinutes(1));
    assertThat(lint.exitCode()).as("%s", lint).isEqualTo(1);
    assertThat(lint.output())
        .contains("dockerfile-utils: line 2")
        .contains("dockerfilelint: line 1")
        .contains("Base Image Missing Tag");
  }
}
