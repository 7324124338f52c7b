package io.stockstream.dashboard;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import io.stockstream.support.ServiceProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard against the real jar, restarted under it on the same port: once killed outright
 * (the new process numbers its ticks afresh, so the page must say what it lost), once stopped with
 * SIGTERM (the node drains: the page hears when to come back, and does).
 */
class DashboardProcessIT {

  /** A whole service starting on two busy cores, plus the page's backoff: be patient. */
  private static final double RESTART_MS = 90_000;

  private static Chromium chromium;
  private final List<ServiceProcess> processes = new ArrayList<>();
  private DashboardPage dashboard;

  @BeforeAll
  static void launch() {
    chromium = Chromium.launch();
  }

  @AfterAll
  static void quit() {
    if (chromium != null) {
      chromium.close();
    }
  }

  @AfterEach
  void stop() {
    if (dashboard != null) {
      dashboard.close();
    }
    processes.forEach(ServiceProcess::close);
  }

  /** A port free now, for a service that must come back on the same one. */
  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private ServiceProcess start(int port, Map<String, String> extra) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("STOCKSTREAM_HOST", "127.0.0.1");
    env.put("STOCKSTREAM_HTTP_PORT", String.valueOf(port));
    env.put("STOCKSTREAM_MANAGEMENT_PORT", "0");
    env.put("STOCKSTREAM_TICK_INTERVAL_MS", "100");
    env.putAll(extra);
    ServiceProcess p = ServiceProcess.start(env);
    processes.add(p);
    assertThat(p.publicPort()).isEqualTo(port);
    return p;
  }

  private DashboardPage open(int port) {
    dashboard =
        new DashboardPage(
            chromium.browser(),
            "http://127.0.0.1:" + port + "/",
            DashboardPage.Options.desktop().watching("AAPL", "MSFT"));
    // While the service is down, the browser reports each refused attempt itself.
    dashboard.expectConsoleErrors("WebSocket connection to .* failed");
    dashboard.expectConsoleErrors("Failed to load resource: net::ERR_");
    dashboard.open();
    dashboard.waitLive();
    DashboardPage.Socket ws = dashboard.socket();
    dashboard.waitFor(
        "a few ticks", () -> ws.ticks("AAPL").size() >= 3 && ws.ticks("MSFT").size() >= 3);
    return dashboard;
  }

  @Test
  void afterTheWholeServiceIsKilledAndRestartedThePageReconnectsAndSaysWhatItLost()
      throws Exception {
    int port = freePort();
    ServiceProcess first = start(port, Map.of());
    DashboardPage d = open(port);
    DashboardPage.Socket before = d.socket();
    String oldEpoch = before.first("welcome").getString("epoch");

    first.close(); // SIGKILL: no drain, no goodbye
    first.waitForExit(Duration.ofSeconds(20));
    assertThat(d.state()).not().hasAttribute("data-state", "live");
    assertThat(d.page.locator("#gap-notice")).isHidden();

    start(port, Map.of());
    d.waitLive(RESTART_MS);
    DashboardPage.Socket after = d.socket();
    assertThat(after).isNotSameAs(before);
    d.waitFor("the resume answered", () -> after.first("subscribed") != null);
    JsonObject resume =
        after.sent.stream()
            .filter(f -> "subscribe".equals(f.getString("op")))
            .findFirst()
            .orElseThrow();
    // The page asked to resume where it was, in the numbering it knew...
    assertThat(resume.getString("epoch")).isEqualTo(oldEpoch);
    assertThat(resume.getJsonObject("since").fieldNames())
        .containsExactlyInAnyOrder("AAPL", "MSFT");
    // ...which the new process does not have: it says so, and so does the page.
    assertThat(after.first("welcome").getString("epoch")).isNotEqualTo(oldEpoch);
    assertThat(after.first("subscribed").getJsonArray("gaps"))
        .isEqualTo(new JsonArray().add("AAPL").add("MSFT"));
    assertThat(d.page.locator("#gap-notice")).isVisible();
    assertThat(d.page.locator("#gap-text")).containsText("AAPL, MSFT");
    assertThat(d.page.locator("#gaps")).hasText("2");
    assertThat(d.log("gap")).hasCount(1);

    // And it goes on with the new numbering: prices move again.
    long restartSeq = d.seq("AAPL");
    d.waitFor("AAPL moving after the restart", () -> d.seq("AAPL") > restartSeq + 3);
    Files.createDirectories(DashboardScreenshotsTest.DIR);
    d.page.screenshot(
        new Page.ScreenshotOptions()
            .setPath(DashboardScreenshotsTest.DIR.resolve("after-restart-gap.png")));
    d.assertNoConsoleErrors();
  }

  @Test
  void aDrainingServiceTellsThePageWhenToComeBackAndThePageDoesSoAndGoesLiveAgain()
      throws Exception {
    int port = freePort();
    Map<String, String> spread = Map.of("STOCKSTREAM_DRAIN_SPREAD_MS", "1500");
    ServiceProcess first = start(port, spread);
    DashboardPage d = open(port);
    DashboardPage.Socket before = d.socket();

    first.terminate(); // SIGTERM, as Kubernetes sends it
    assertThat(first.waitForExit(Duration.ofSeconds(30))).isZero();
    d.waitFor("the draining frame", () -> before.first("draining") != null);
    long reconnectAfterMs = before.first("draining").getLong("reconnectAfterMs");
    assertThat(d.log("draining")).hasCount(1);
    assertThat(d.log("draining")).containsText("asked to come back");
    assertThat(d.state()).not().hasAttribute("data-state", "live");

    start(port, spread);
    d.waitLive(RESTART_MS);
    assertThat(d.page.locator("#conn-text")).hasText("Live");

    // The page kept to the moment the server gave it before trying again.
    List<Map<String, String>> log = d.logEntries();
    int drained = indexOfKind(log, "draining", 0);
    int retried = indexOfKind(log, "connecting", drained);
    assertThat(retried).as("a connect after the draining notice: %s", log).isPositive();
    assertThat(Long.parseLong(log.get(drained).get("reconnectAfterMs")))
        .isEqualTo(reconnectAfterMs);
    assertThat(
            Long.parseLong(log.get(retried).get("t")) - Long.parseLong(log.get(drained).get("t")))
        .as("ms from the draining notice to the next attempt")
        .isGreaterThanOrEqualTo(reconnectAfterMs);
    assertThat(indexOfKind(log, "live", retried)).as("live again after: %s", log).isPositive();
    Files.createDirectories(DashboardScreenshotsTest.DIR);
    d.page.screenshot(
        new Page.ScreenshotOptions()
            .setPath(DashboardScreenshotsTest.DIR.resolve("after-drain.png")));
    d.assertNoConsoleErrors();
  }

  private static int indexOfKind(List<Map<String, String>> log, String kind, int from) {
    for (int i = from; i < log.size(); i++) {
      if (kind.equals(log.get(i).get("kind"))) {
        return i;
      }
    }
    return -1;
  }
}
