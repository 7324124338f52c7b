package io.stockstream.dashboard;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.Await;
import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Losing the WebSocket while the service (and its feed's history) lives on: a network cut, a
 * restarting WebSocket tier, a load balancer dropping connections. The page must come back by
 * itself and resume exactly where it was, without a hole and without a duplicate.
 */
@ExtendWith(VertxExtension.class)
class DashboardResumeTest {

  private static final List<String> WATCHED = List.of("AAPL", "MSFT", "NVDA");

  private static Chromium chromium;
  private DashboardPage dashboard;
  private TcpProxy proxy;

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
  void close() {
    if (dashboard != null) {
      dashboard.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void afterLosingTheConnectionThePageResumesWithSinceAndEpochAndMissesNoTick(Vertx vertx) {
    TestNode node =
        Await.result(TestNode.start(vertx, Map.of("STOCKSTREAM_TICK_INTERVAL_MS", "100")));
    // Where the feed is, from a client of the node itself (past the relay): it hears every tick
    // as it goes, where polling the REST API would add a request per check of a condition.
    WsClient feed = Await.result(WsClient.connect(vertx, node.port(), "/ws?symbols=AAPL"));
    proxy = TcpProxy.start(vertx, node.port());
    dashboard =
        new DashboardPage(
            chromium.browser(),
            "http://127.0.0.1:" + proxy.port() + "/",
            DashboardPage.Options.desktop().watching(WATCHED));
    DashboardPage d = dashboard.open();
    // While the relay refuses, the browser reports the failed attempts and requests itself.
    d.expectConsoleErrors("WebSocket connection to .* failed");
    d.expectConsoleErrors("Failed to load resource: net::ERR_");
    d.waitLive();
    DashboardPage.Socket first = d.socket();
    d.waitFor(
        "a few ticks of every watched symbol",
        () -> WATCHED.stream().allMatch(s -> first.ticks(s).size() >= 3));
    String epoch = first.first("welcome").getString("epoch");

    proxy.cut();
    assertThat(d.state()).not().hasAttribute("data-state", "live");
    // The market goes on while the page is away: at least ten AAPL ticks it will have to recover.
    List<Long> seen = first.seqs("AAPL");
    long lastSeen = seen.get(seen.size() - 1);
    d.waitFor("the feed 10 AAPL ticks further", () -> latestSeq(feed) >= lastSeen + 10);
    proxy.restore();

    d.waitLive();
    d.waitFor("a second connection", () -> d.sockets.size() >= 2);
    DashboardPage.Socket second = d.socket();
    d.waitFor("the resume answered", () -> second.first("subscribed") != null);
    JsonObject resume =
        second.sent.stream()
            .filter(f -> "subscribe".equals(f.getString("op")))
            .findFirst()
            .orElseThrow();
    assertThat(resume.getString("epoch")).isEqualTo(epoch);
    for (String s : WATCHED) {
      List<Long> before = first.seqs(s);
      assertThat(resume.getJsonObject("since").getLong(s))
          .as("since of %s: the last seq the page saw", s)
          .isEqualTo(before.get(before.size() - 1));
    }
    assertThat(second.first("subscribed").getJsonArray("gaps")).isEmpty();

    // Every seq once, in order, across both connections: nothing lost, nothing twice.
    long target = latestSeq(feed);
    d.waitFor("the page caught up with the feed", () -> d.seq("AAPL") >= target);
    for (String s : WATCHED) {
      List<Long> seqs = d.seqsReceived(s);
      for (int i = 1; i < seqs.size(); i++) {
        assertThat(seqs.get(i))
            .as("%s seq after %d", s, seqs.get(i - 1))
            .isEqualTo(seqs.get(i - 1) + 1);
      }
    }
    assertThat(d.page.locator("#gap-notice")).isHidden();
    assertThat(d.log("resumed")).hasCount(1);
    assertThat(d.page.locator("#gaps")).hasText("0");
    assertThat(d.page.locator("#reconnects")).hasText("1");
    assertThat(d.page.locator("#recovered")).not().hasText("0");
    d.assertNoConsoleErrors();
  }

  private static long latestSeq(WsClient feed) {
    long latest = -1;
    for (JsonObject f : feed.received()) {
      if ("tick".equals(f.getString("type"))) {
        latest = Math.max(latest, f.getLong("seq"));
      }
    }
    return latest;
  }
}
