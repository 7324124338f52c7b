package io.stockstream.dashboard;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.Await;
import io.stockstream.support.Http;
import io.stockstream.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 50 symbols at 10 ticks a second each, 500 ticks a second into one page: the page must keep up,
 * that is, every tile must reach the ticks the feed has published, again and again, instead of
 * falling further behind. How smooth it was (long tasks, frames) is measured and printed, not
 * asserted: on two shared cores a timing threshold would only make the test flaky.
 */
@ExtendWith(VertxExtension.class)
class DashboardLoadTest {

  private static final int SYMBOLS = 50;
  private static final int ROUNDS = 5;
  private static final List<String> NAMES =
      IntStream.rangeClosed(1, SYMBOLS).mapToObj(i -> String.format("S%02d", i)).toList();

  /** Counts long tasks (main thread busy over 50 ms) and animation frames from the start. */
  private static final String PERF_PROBE =
      "window.__perf = {longTasks: 0, longMs: 0, frames: 0};"
          + "new PerformanceObserver(list => { for (const e of list.getEntries()) {"
          + " __perf.longTasks++; __perf.longMs += e.duration; } })"
          + ".observe({type: 'longtask', buffered: true});"
          + "(function count() { __perf.frames++; requestAnimationFrame(count); })();";

  private static Chromium chromium;
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
  void closePage() {
    if (dashboard != null) {
      dashboard.close();
    }
  }

  @Test
  void fiftySymbolsAtTenTicksASecondEachKeepEveryTileUpToDate(Vertx vertx) {
    TestNode node =
        Await.result(
            TestNode.start(
                vertx,
                Map.of(
                    "STOCKSTREAM_SYMBOLS",
                    NAMES.stream().map(s -> s + ":100").collect(Collectors.joining(",")),
                    "STOCKSTREAM_TICK_INTERVAL_MS",
                    "100")));
    dashboard =
        new DashboardPage(
            chromium.browser(),
            "http://127.0.0.1:" + node.port() + "/",
            DashboardPage.Options.desktop().watching(NAMES).withInitScript(PERF_PROBE));
    DashboardPage d = dashboard.open();
    d.waitLive();
    assertThat(d.tiles()).hasCount(SYMBOLS);

    long started = System.nanoTime();
    JsonObject perfBefore = perf(d);
    DashboardPage.Socket ws = d.socket();
    for (int round = 1; round <= ROUNDS; round++) {
      // About two seconds of the market (1000 frames at 500 a second), then a look at the tiles.
      int frames = ws.received.size();
      d.waitFor("1000 more frames", () -> ws.received.size() >= frames + 1000);
      Map<String, Long> published = publishedSeqs(vertx, node);
      d.waitFor(
          "round " + round + ": every tile at or past the seq the feed had published",
          () -> behind(d, published).isEmpty());
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    JsonObject perfAfter = perf(d);
    long ticks =
        d.socket().received.stream().filter(f -> "tick".equals(f.getString("type"))).count();

    System.out.printf(
        "dashboard load: %d symbols, %d ticks received; over the last %.1f s: %d long tasks"
            + " (%.0f ms in all), %.0f frames/s; latency p50 %s p99 %s%n",
        SYMBOLS,
        ticks,
        seconds,
        perfAfter.getLong("longTasks") - perfBefore.getLong("longTasks"),
        perfAfter.getDouble("longMs") - perfBefore.getDouble("longMs"),
        (perfAfter.getLong("frames") - perfBefore.getLong("frames")) / seconds,
        d.text("lat-p50"),
        d.text("lat-p99"));
    // Nothing was conflated away for this page: it read as fast as the server wrote.
    assertThat(d.number("ws-missed")).isZero();
    d.assertNoConsoleErrors();
  }

  private static JsonObject perf(DashboardPage d) {
    return new JsonObject((String) d.page.evaluate("JSON.stringify(window.__perf)"));
  }

  private static Map<String, Long> publishedSeqs(Vertx vertx, TestNode node) {
    JsonObject quotes =
        Await.result(Http.get(vertx, node.port(), "/api/quotes?symbols=" + String.join(",", NAMES)))
            .json();
    Map<String, Long> seqs = new HashMap<>();
    for (Object o : quotes.getJsonArray("quotes")) {
      JsonObject q = (JsonObject) o;
      seqs.put(q.getString("symbol"), q.getLong("seq"));
    }
    return seqs;
  }

  /** The symbols whose tile shows a seq older than {@code published}. */
  @SuppressWarnings("unchecked")
  private static List<String> behind(DashboardPage d, Map<String, Long> published) {
    Map<String, Object> shown =
        (Map<String, Object>)
            d.page.evaluate(
                "Object.fromEntries([...document.querySelectorAll('#tiles > li')]"
                    + ".map(e => [e.dataset.symbol, Number(e.dataset.seq)]))");
    return published.entrySet().stream()
        .filter(e -> ((Number) shown.getOrDefault(e.getKey(), 0)).longValue() < e.getValue())
        .map(Map.Entry::getKey)
        .toList();
  }
}
