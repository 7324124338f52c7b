package io.stockstream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.stockstream.support.Command;
import io.stockstream.support.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scrape config and the alert rules pass promtool, and every alert has unit tests that see it
 * fire and see it stay quiet. Needs Debian's prometheus (promtool): skipped without it, failed
 * under CI=true.
 */
class PrometheusRulesTest {

  private static final Path RULES = Path.of("prometheus", "rules", "stockstream.yml");
  private static final Path CLUSTER_RULE_TESTS =
      Path.of("prometheus", "tests", "cluster-rules.test.yml");
  private static final List<Path> RULE_TESTS =
      List.of(Path.of("prometheus", "tests", "stockstream-rules.test.yml"), CLUSTER_RULE_TESTS);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @BeforeAll
  static void promtool() {
    ExternalTool.require("promtool", "prometheus");
  }

  private static Command promtool(String commandLine) throws Exception {
    Command c = Command.run(commandLine, Duration.ofMinutes(2));
    assertThat(c.exitCode()).as("%s", c).isZero();
    assertThat(c.output()).contains("SUCCESS");
    return c;
  }

  @Test
  void scrapeConfigIsValidAndLoadsTheRules() throws Exception {
    Command check = promtool(Command.CHECK_CONFIG);
    assertThat(check.output()).contains("SUCCESS: 1 rule files found");
  }

  @Test
  void rulesAreValid() throws Exception {
    promtool(Command.CHECK_RULES);
  }

  @Test
  void ruleUnitTestsPass() throws Exception {
    promtool(Command.TEST_RULES);
  }

  @Test
  void promtoolFailsAWrongExpectation(@TempDir Path dir) throws Exception {
    // The control: a node that is up must not make StockstreamNodeDown fire.
    Path test = dir.resolve("wrong.test.yml");
    Files.writeString(
        test,
        "rule_files: ['"
            + RULES.toAbsolutePath()
            + "']\n"
            + "tests:\n"
            + "  - interval: 1m\n"
            + "    input_series:\n"
            + "      - series: 'up{job=\"stockstream\",instance=\"n:9000\"}'\n"
            + "        values: '1x15'\n"
            + "    alert_rule_test:\n"
            + "      - eval_time: 15m\n"
            + "        alertname: StockstreamNodeDown\n"
            + "        exp_alerts:\n"
            + "          - exp_labels: {severity: critical, job: stockstream, instance: n:9000}\n");
    Command c =
        Command.run(List.of("promtool", "test", "rules", test.toString()), Duration.ofMinutes(1));
    assertThat(c.exitCode()).as("%s", c).isNotZero();
    assertThat(c.output()).contains("FAILED");
  }

  /**
   * The cluster alerts' {@code for}s are seconds, chosen against the 15 s scrape and evaluation
   * interval (a failover, or a handover seen through scrapes at different moments, must not page):
   * their tests evaluate as the shipped Prometheus does, or they would prove nothing about it.
   */
  @Test
  @SuppressWarnings("unchecked")
  void clusterRuleTestsEvaluateAtTheShippedInterval() throws Exception {
    Map<String, Object> config =
        YAML.readValue(Path.of("prometheus", "prometheus.yml").toFile(), Map.class);
    Map<String, Object> global = (Map<String, Object>) config.get("global");
    Map<String, Object> tests = YAML.readValue(CLUSTER_RULE_TESTS.toFile(), Map.class);
    assertThat(global).containsEntry("scrape_interval", "15s");
    assertThat(Files.readString(Path.of("k8s", "servicemonitor.yaml"))).contains("interval: 15s");
    assertThat(tests.get("evaluation_interval")).isEqualTo(global.get("evaluation_interval"));
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> rules() throws Exception {
    Map<String, Object> file = YAML.readValue(RULES.toFile(), Map.class);
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> g : (List<Map<String, Object>>) file.get("groups")) {
      out.addAll((List<Map<String, Object>>) g.get("rules"));
    }
    return out;
  }

  @Test
  void theIssuesAlertsAreThereWithSeverityAndSummary() throws Exception {
    List<String> names = new ArrayList<>();
    for (Map<String, Object> rule : rules()) {
      names.add((String) rule.get("alert"));
      assertThat((Map<String, Object>) rule.get("labels")).containsKey("severity");
      assertThat((Map<String, Object>) rule.get("annotations"))
          .containsKeys("summary", "description");
      assertThat(rule).containsKey("for");
    }
    assertThat(names)
        .containsExactlyInAnyOrder(
            "StockstreamFanoutLatencyHigh",
            "StockstreamSlowConsumerDisconnects",
            "StockstreamHandshakeRejectionsSpike",
            "StockstreamNoTicksPublished",
            "StockstreamNodeDown",
            "StockstreamNodeNotReady",
            "StockstreamFeedLeaderMissing",
            "StockstreamFeedSplitBrain",
            "StockstreamClusterMembersMissing",
            "StockstreamClusterBusLagHigh");
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyAlertIsUnitTestedFiringAndNotFiring() throws Exception {
    Set<String> fires = new HashSet<>();
    Set<String> quiet = new HashSet<>();
    for (Path path : RULE_TESTS) {
      Map<String, Object> file = YAML.readValue(path.toFile(), Map.class);
      assertThat((List<String>) file.get("rule_files"))
          .as("%s", path)
          .containsExactly("../rules/stockstream.yml");
      for (Map<String, Object> test : (List<Map<String, Object>>) file.get("tests")) {
        for (Map<String, Object> check : (List<Map<String, Object>>) test.get("alert_rule_test")) {
          List<?> expected = (List<?>) check.get("exp_alerts");
          (expected == null || expected.isEmpty() ? quiet : fires)
              .add((String) check.get("alertname"));
        }
      }
    }
    assertThat(Command.TEST_RULES.split(" "))
        .as("the documented promtool command runs every test file")
        .contains(RULE_TESTS.stream().map(Path::toString).toArray(String[]::new));
    for (Map<String, Object> rule : rules()) {
      String alert = (String) rule.get("alert");
      assertThat(fires).as("a unit test where %s fires", alert).contains(alert);
      assertThat(quiet).as("a unit test where %s stays quiet", alert).contains(alert);
    }
  }
}
