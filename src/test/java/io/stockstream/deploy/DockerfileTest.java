package io.stockstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stockstream.config.Setting;
import io.stockstream.support.Dockerfile;
import io.stockstream.support.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The image: how it is built, whom it runs as, and that it runs what the process tests run. */
class DockerfileTest {

  private final Dockerfile dockerfile = Dockerfile.read();

  @Test
  void buildsWithMavenOnTemurinJdk17AndRunsOnTemurinJre17() {
    assertThat(dockerfile.stages()).hasSize(2);
    Dockerfile.Stage build = dockerfile.stages().get(0);
    Dockerfile.Stage runtime = dockerfile.runtime();
    assertThat(build.image()).matches("maven:[0-9][0-9.]*-eclipse-temurin-17(-\\w+)?");
    assertThat(build.name()).hasValue("build");
    assertThat(runtime.image()).matches("eclipse-temurin:17(\\.[0-9.+_]+)?-jre(-\\w+)?");
    // The build stage makes the jar the runtime stage copies.
    assertThat(build.all("RUN").get(build.all("RUN").size() - 1).arguments())
        .contains("mvn")
        .contains("package");
    String workdir = build.last("WORKDIR").orElseThrow().arguments();
    assertThat(runtime.all("COPY"))
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.arguments())
                    .contains("--from=build")
                    .contains(workdir + "/target/stockstream.jar"));
    assertThat(ServiceProcess.jar().getFileName()).hasToString("stockstream.jar");
  }

  @Test
  void runsAsANumericNonRootUser() {
    String user = dockerfile.runtime().last("USER").orElseThrow().arguments();
    assertThat(user).matches("[0-9]+(:[0-9]+)?");
    for (String id : user.split(":")) {
      assertThat(Integer.parseInt(id)).as("uid/gid in USER %s", user).isPositive();
    }
  }

  @Test
  void exposesThePublicAndManagementPorts() {
    Set<Integer> exposed =
        dockerfile.runtime().all("EXPOSE").stream()
            .flatMap(e -> Arrays.stream(e.arguments().split("\\s+")))
            .map(p -> Integer.parseInt(p.replace("/tcp", "")))
            .collect(Collectors.toSet());
    assertThat(exposed)
        .containsExactlyInAnyOrder(
            Integer.parseInt(Setting.HTTP_PORT.defaultText()),
            Integer.parseInt(Setting.MANAGEMENT_PORT.defaultText()));
  }

  @Test
  void entrypointIsExecFormJavaWithContainerAwareHeap() {
    List<String> entrypoint = dockerfile.entrypoint();
    assertThat(entrypoint.get(0)).isEqualTo("java");
    assertThat(entrypoint).anyMatch(f -> f.matches("-XX:MaxRAMPercentage=[0-9.]+"));
    // No fixed heap: it would ignore the container's memory limit.
    assertThat(entrypoint).noneMatch(f -> f.startsWith("-Xmx") || f.startsWith("-Xms"));
    assertThat(entrypoint.subList(entrypoint.size() - 2, entrypoint.size()))
        .containsExactly("-jar", dockerfile.imageJar());
    // No CMD in shell form (nor any CMD: flags are appended to the ENTRYPOINT by `docker run`).
    assertThat(dockerfile.runtime().all("CMD")).isEmpty();
  }

  @Test
  void theProcessTestsRunTheImagesCommand() {
    List<String> image = dockerfile.entrypoint();
    List<String> tests = ServiceProcess.command("--seed", "7");
    // The same words, but for java (this JVM's) and the jar (the one Maven built) ...
    assertThat(tests).hasSize(image.size() + 2);
    assertThat(tests.get(0)).isEqualTo(ServiceProcess.javaBin());
    for (int i = 1; i < image.size(); i++) {
      String expected =
          image.get(i).equals(dockerfile.imageJar())
              ? ServiceProcess.jar().toString()
              : image.get(i);
      assertThat(tests.get(i)).as("word %d of %s", i, tests).isEqualTo(expected);
    }
    // ... and then the test's own flags, as `docker run IMAGE --seed 7` would append them.
    assertThat(tests.subList(image.size(), tests.size())).containsExactly("--seed", "7");
  }

  @Test
  void aShellFormEntrypointIsRefused() {
    Dockerfile shellForm =
        Dockerfile.parse(
            "FROM eclipse-temurin:17-jre\nCOPY --from=build /src/a.jar /app/a.jar\n"
                + "ENTRYPOINT java -jar /app/a.jar\n");
    assertThatThrownBy(shellForm::entrypoint).hasMessageContaining("exec form");
  }

  @Test
  void dockerignoreSendsOnlyWhatTheBuildCopies() throws Exception {
    List<String> patterns =
        Files.readAllLines(Path.of(".dockerignore")).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    // Everything is ignored, then the build stage's sources are let back in.
    assertThat(patterns.get(0)).isEqualTo("*");
    Set<String> allowed =
        patterns.stream()
            .filter(p -> p.startsWith("!"))
            .map(p -> p.substring(1).replaceAll("/$", ""))
            .collect(Collectors.toSet());
    Set<String> copied =
        dockerfile.stages().get(0).all("COPY").stream()
            .map(c -> c.arguments().split("\\s+"))
            .flatMap(words -> Arrays.stream(words, 0, words.length - 1))
            .filter(w -> !w.startsWith("--"))
            .map(w -> w.replaceAll("/$", ""))
            .collect(Collectors.toSet());
    assertThat(allowed).isEqualTo(copied).contains("pom.xml", "src");
  }
}
