package io.stockstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.stockstream.support.Command;
import io.stockstream.support.Dockerfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "Run in a container", "Deploy on Kubernetes" and "Observe with Prometheus and
 * Grafana" show the commands the tests run, word for word; the ones that need a Docker engine or a
 * cluster agree with the files the tests check.
 */
class ReadmeShipAndObserveTest {

  private static final List<String> SECTIONS =
      List.of(
          "## Run in a container",
          "## Deploy on Kubernetes",
          "## Observe with Prometheus and Grafana");

  private static final Pattern SH_BLOCK = Pattern.compile("(?s)```sh\\n(.*?)```");

  /** The lines of the sh code blocks of the three sections. */
  private static List<String> commandLines() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    List<String> lines = new ArrayList<>();
    for (String heading : SECTIONS) {
      int start = readme.indexOf("\n" + heading + "\n");
      assertThat(start).as("README section %s", heading).isNotNegative();
      int end = readme.indexOf("\n## ", start + heading.length());
      Matcher m = SH_BLOCK.matcher(readme.substring(start, end < 0 ? readme.length() : end));
      while (m.find()) {
        m.group(1).lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(lines::add);
      }
    }
    return lines;
  }

  @Test
  void everyTestedCommandIsShownAsItIsRun() throws Exception {
    assertThat(commandLines()).containsAll(Command.DOCUMENTED);
  }

  @Test
  void dockerCommandsMatchTheImageAndTheDeployment() throws Exception {
    String build =
        commandLines().stream()
            .filter(l -> l.startsWith("docker build "))
            .findFirst()
            .orElseThrow();
    Matcher tag = Pattern.compile("docker build -t (\\S+) \\.").matcher(build);
    assertThat(tag.matches()).as(build).isTrue();
    Deployment deployment =
        (Deployment)
            Manifests.parse(Files.readString(Path.of("k8s", "deployment.yaml")), "deployment")
                .get(0);
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo(tag.group(1));

    String run =
        commandLines().stream()
            .filter(l -> l.startsWith("docker run ") && l.contains(tag.group(1)))
            .findFirst()
            .orElseThrow();
    for (String expose :
        Dockerfile.read().runtime().last("EXPOSE").orElseThrow().arguments().split(" ")) {
      assertThat(run).contains("-p " + expose + ":" + expose);
    }
  }

  @Test
  void kubernetesAndPrometheusCommandsNameTheShippedFiles() throws Exception {
    List<String> lines = commandLines();
    assertThat(lines).contains("kubectl apply -k k8s/");
    assertThat(lines).contains("prometheus --config.file=prometheus/prometheus.yml");
    for (String line : lines) {
      for (String word : Arrays.asList(line.split("\\s+"))) {
        if (word.contains(":")) {
          continue; // an image (grafana/grafana:TAG) or a mount, checked by GrafanaDashboardTest
        }
        Matcher file =
            Pattern.compile("(?:=|^)((?:k8s|prometheus|grafana|tools)/[\\w./-]*)").matcher(word);
        if (file.find()) {
          assertThat(Path.of(file.group(1))).as("in: %s", line).exists();
        }
      }
    }
  }
}
