package io.stockstream.dashboard;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import io.stockstream.support.Await;
import io.stockstream.support.Http;
import io.stockstream.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dashboard in a real Chromium against a whole node in-process: what a person sees and does,
 * checked against what actually goes over the wire.
 */
@ExtendWith(VertxExtension.class)
class DashboardTest {

  private static final Map<String, String> FAST = Map.of("STOCKSTREAM_TICK_INTERVAL_MS", "100");
  private static final List<String> DEFAULTS =
      List.of("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "TSLA");
  private static final Pattern PRICE = Pattern.compile("^\\d{1,3}(,\\d{3})*\\.\\d{2}$");

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

  private DashboardPage open(TestNode node, DashboardPage.Options options) {
    dashboard =
        new DashboardPage(chromium.browser(), "http://127.0.0.1:" + node.port() + "/", options);
    return dashboard.open();
  }

  @Test
  void aFirstVisitShowsLivePricesOfTheDefaultTickersThatMoveWithNoConsoleError(Vertx vertx) {
    TestNode node = Await.result(TestNode.start(vertx, FAST));
    DashboardPage d = open(node, DashboardPage.Options.desktop());

    d.waitLive();
    assertThat(d.tiles()).hasCount(DEFAULTS.size());
    assertThat(d.tiles().evaluateAll("els => els.map(e => e.dataset.symbol)")).isEqualTo(DEFAULTS);
    for (String s : DEFAULTS) {
      assertThat(d.tile(s).locator(".price")).hasText(PRICE);
    }
    assertThat(d.tile("AAPL").locator(".name")).hasText("Apple Inc.");
    assertThat(d.tile("AAPL").locator(".viewers-n")).hasText("1");

    // Prices move: the tile follows the stream, and shows exactly the tick it says it shows.
    long first = d.seq("AAPL");
    d.waitFor("AAPL moved 5 ticks on", () -> d.seq("AAPL") >= first + 5);
    // Seq and price read in one go: a tick painted between two reads would pair them wrongly.
    List<?> seqAndPrice =
        (List<?>)
            d.tile("AAPL").evaluate("t => [t.dataset.seq, t.querySelector('.price').textContent]");
    JsonObject shown = tickShown(d, "AAPL", Long.parseLong((String) seqAndPrice.get(0)));
    assertThat(seqAndPrice.get(1))
        .isEqualTo(String.format(Locale.US, "%,.2f", shown.getDouble("price")));

    // Latency over the last minute is measured from the ticks.
    assertThat(d.page.locator("#lat-p50")).hasText(Pattern.compile("\\d"));
    assertThat(d.page.locator("#lat-p99")).hasText(Pattern.compile("\\d"));
    assertThat(d.page.locator("#market-chip")).hasText("Market open");

    // The charts come from the service's own WebJar, and nothing from any other origin.
    assertThat(d.page.evaluate("typeof Chart")).isEqualTo("function");
    assertThat(d.requests()).allSatisfy(url -> assertThat(url).startsWith(d.baseUrl));
    assertThat(d.requests()).anyMatch(url -> url.contains("/webjars/chart.js/"));
    d.assertNoConsoleErrors();
  }

  /** The tick frame of {@code symbol} with this {@code seq} among those the page received. */
  private static JsonObject tickShown(DashboardPage d, String symbol, long seq) {
    JsonObject[] found = new JsonObject[1];
    d.waitFor(
        symbol + " seq " + seq + " among the frames received",
        () -> {
          found[0] =
              d.sockets.stream()
                  .flatMap(s -> s.ticks(symbol).stream())
                  .filter(t -> t.getLong("seq") == seq)
                  .findFirst()
                  .orElse(null);
          return found[0] != null;
        });
    return found[0];
  }

  @Test
  void addingAndRemovingSymbolsChangesTheSubscriptionsAndIsRemembered(Vertx vertx) {
    TestNode node = Await.result(TestNode.start(vertx, FAST));
    DashboardPage d = open(node, DashboardPage.Options.desktop().watching("AAPL", "MSFT"));
    d.waitLive();
    assertThat(d.tiles()).hasCount(2);
    d.waitFor("2 subscriptions on the server", () -> subscriptions(node) == 2);

    // An unknown symbol is refused in the form, and nothing is sent.
    d.page.getByLabel("Add symbol").fill("NOPE");
    d.page.getByLabel("Add symbol").press("Enter");
    assertThat(d.page.locator("#add-error")).containsText("NOPE is not offered");

    d.page.getByLabel("Add symbol").fill("nflx");
    d.page
        .getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add").setExact(true))
        .click();
    assertThat(d.tile("NFLX")).isVisible();
    DashboardPage.Socket ws = d.socket();
    d.waitFor(
        "a subscribe of NFLX alone",
        () ->
            ws.sent.stream()
                .anyMatch(
                    f ->
                        "subscribe".equals(f.getString("op"))
                            && new JsonArray().add("NFLX").equals(f.getJsonArray("symbols"))));
    d.waitFor("NFLX ticks arriving", () -> ws.ticks("NFLX").size() >= 3);
    assertThat(d.tile("NFLX").locator(".price")).hasText(PRICE);
    d.waitFor("3 subscriptions on the server", () -> subscriptions(node) == 3);

    // By keyboard, as a screen-reader user would; focus then moves on to the next tile.
    d.page.getByLabel("Remove AAPL from the watch-list").focus();
    d.page.keyboard().press("Enter");
    assertThat(d.tile("AAPL")).hasCount(0);
    assertThat(d.page.getByLabel("MSFT: compare push and polling")).isFocused();
    d.waitFor(
        "unsubscribed AAPL",
        () -> ws.received.stream().anyMatch(f -> "unsubscribed".equals(f.getString("type"))));
    int unsubscribedAt = indexOf(ws, "unsubscribed");
    d.waitFor(
        "20 more ticks of the others after the unsubscribe",
        () -> ws.received.size() > unsubscribedAt + 20);
    assertThat(ws.received.subList(unsubscribedAt, ws.received.size()))
        .noneMatch(f -> "AAPL".equals(f.getString("symbol")) && "tick".equals(f.getString("type")));
    d.waitFor("2 subscriptions on the server again", () -> subscriptions(node) == 2);

    // A new visit, same browser: the list is what the user made it.
    d.page.reload();
    d.waitLive();
    assertThat(d.tiles()).hasCount(2);
    assertThat(d.tiles().evaluateAll("els => els.map(e => e.dataset.symbol)"))
        .isEqualTo(List.of("MSFT", "NFLX"));
    d.assertNoConsoleErrors();
  }

  private static int indexOf(DashboardPage.Socket ws, String type) {
    for (int i = 0; i < ws.received.size(); i++) {
      if (type.equals(ws.received.get(i).getString("type"))) {
        return i;
      }
    }
    return -1;
  }

  private static double subscriptions(TestNode node) {
    return node.metric("stockstream_ws_subscriptions");
  }

  @Test
  void thePollingSideCountsTheUpdatesPollingMissedWhileTheStreamMissesNone(Vertx vertx) {
    TestNode node = Await.result(TestNode.start(vertx, FAST));
    DashboardPage d = open(node, DashboardPage.Options.desktop().watching("AAPL", "MSFT"));
    d.waitLive();
    assertThat(d.page.locator("#cmp-symbol")).hasValue("AAPL");

    // Ten ticks a second, one poll a second: about nine of ten updates never reach the poller.
    d.page.getByLabel("Poll every").selectOption("1000");
    d.waitFor("polling missed updates", () -> d.number("http-missed") >= 5);
    assertThat(d.number("ws-missed")).isZero();
    assertThat(d.number("ws-updates")).isGreaterThan(d.number("http-updates"));
    assertThat(d.page.locator("#verdict")).containsText("missed");
    assertThat(d.page.locator("#http-bytes")).hasText(Pattern.compile("\\d+(\\.\\d)? k?B"));
    assertThat(d.page.locator("#ws-bytes")).hasText(Pattern.compile("\\d+ B"));

    // Manual polling: each Refresh asks once, with the last seq seen, and counts what it missed.
    d.page.getByLabel("Poll every").selectOption("0");
    assertThat(d.page.locator("#http-status")).containsText("Polling is off");
    d.nextFrame(); // the counts of that last poll are painted by now
    long updates = d.number("http-updates");
    long missed = d.number("http-missed");
    Response answer =
        d.page.waitForResponse(
            r -> r.url().contains("/api/quotes/AAPL?since="),
            () ->
                d.page
                    .getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Refresh"))
                    .click());
    JsonObject quote = new JsonObject(answer.text());
    long since = Long.parseLong(answer.url().replaceAll(".*since=(\\d+).*", "$1"));
    // A new price is one more update seen, and what it skipped is added to the missed.
    long expectedUpdates = updates + (quote.getLong("seq") > since ? 1 : 0);
    long expectedMissed = missed + quote.getLong("missed");
    d.waitFor(
        "the refreshed quote counted",
        () ->
            d.number("http-updates") == expectedUpdates
                && d.number("http-missed") == expectedMissed);
    assertThat(d.page.locator("#http-price"))
        .hasText(String.format(Locale.US, "%,.2f", quote.getDouble("price")));

    // The server's totals for all clients are shown beside.
    assertThat(d.page.locator("#t-http-updates")).hasText(Pattern.compile("\\d"));
    assertThat(d.page.locator("#t-ws-updates")).hasText(Pattern.compile("\\d"));

    // Choosing another tile compares that symbol.
    d.page.getByLabel("MSFT: compare push and polling").click();
    assertThat(d.page.locator("#cmp-symbol")).hasValue("MSFT");
    assertThat(d.tile("MSFT")).hasClass(Pattern.compile("selected"));
    d.assertNoConsoleErrors();
  }

  @Test
  void theMarketBannerFollowsTheMarketOpeningAndClosing(Vertx vertx) {
    TestNode node =
        Await.result(
            TestNode.start(
                vertx,
                Map.of(
                    "STOCKSTREAM_TICK_INTERVAL_MS", "100",
                    "STOCKSTREAM_MARKET_SCHEDULE", "cycle:1500/1500")));
    DashboardPage d = open(node, DashboardPage.Options.desktop().watching("AAPL"));
    d.waitLive();
    assertThat(d.page.locator("#market-banner")).isVisible();
    assertThat(d.page.locator("#market-chip")).hasText("Market closed");
    assertThat(d.page.locator("#market-banner")).isHidden();
    assertThat(d.page.locator("#market-chip")).hasText("Market open");
    d.assertNoConsoleErrors();
  }

  @Test
  void theRestSideAnswersTheSameQuotesThePageShows(Vertx vertx) {
    // A guard for the comparison: both sides read the same market.
    TestNode node =
        Await.result(TestNode.start(vertx, Map.of("STOCKSTREAM_TICK_INTERVAL_MS", "60000")));
    DashboardPage d = open(node, DashboardPage.Options.desktop().watching("AAPL"));
    d.waitLive();
    JsonObject quote = Await.result(Http.get(vertx, node.port(), "/api/quotes/AAPL")).json();
    assertThat(d.tile("AAPL").locator(".price"))
        .hasText(String.format(Locale.US, "%,.2f", quote.getDouble("price")));
    assertThat(d.page.locator("#http-price"))
        .hasText(String.format(Locale.US, "%,.2f", quote.getDouble("price")));
    d.assertNoConsoleErrors();
  }
}
