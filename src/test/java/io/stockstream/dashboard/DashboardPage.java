package io.stockstream.dashboard;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.PlaywrightException;
import com.microsoft.playwright.options.ColorScheme;
import com.microsoft.playwright.options.ViewportSize;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * The dashboard in a fresh browser context, watched the way a developer watches it in DevTools:
 * every console error and uncaught exception, every request, and every WebSocket frame in both
 * directions, parsed. Playwright delivers these events on the test's thread while it waits, so a
 * test reads them inside {@link #waitFor} or after a Playwright call.
 */
final class DashboardPage implements AutoCloseable {

  /** One WebSocket the page opened, with its frames in the order they went. */
  static final class Socket {
    final String url;
    final List<JsonObject> sent = new CopyOnWriteArrayList<>();
    final List<JsonObject> received = new CopyOnWriteArrayList<>();

    Socket(String url) {
      this.url = url;
    }

    /** The received ticks of {@code symbol}, in order. */
    List<JsonObject> ticks(String symbol) {
      List<JsonObject> ticks = new ArrayList<>();
      for (JsonObject f : received) {
        if ("tick".equals(f.getString("type")) && symbol.equals(f.getString("symbol"))) {
          ticks.add(f);
        }
      }
      return ticks;
    }

    /** The seqs of {@code symbol} received, in order: in snapshots and in ticks. */
    List<Long> seqs(String symbol) {
      List<Long> seqs = new ArrayList<>();
      for (JsonObject f : received) {
        String type = f.getString("type", "");
        if (type.equals("tick") && symbol.equals(f.getString("symbol"))) {
          seqs.add(f.getLong("seq"));
        } else if (type.equals("subscribed")) {
          for (Object o : f.getJsonArray("snapshot", new JsonArray())) {
            JsonObject t = (JsonObject) o;
            if (symbol.equals(t.getString("symbol"))) {
              seqs.add(t.getLong("seq"));
            }
          }
        }
      }
      return seqs;
    }

    /** The first received frame of {@code type}, or null. */
    JsonObject first(String type) {
      return received.stream()
          .filter(f -> type.equals(f.getString("type")))
          .findFirst()
          .orElse(null);
    }
  }

  /** How the page is opened. */
  record Options(
      int width, int height, ColorScheme scheme, List<String> watchlist, String initScript) {
    static Options desktop() {
      return new Options(1280, 800, ColorScheme.LIGHT, null, null);
    }

    Options watching(String... symbols) {
      return new Options(width, height, scheme, List.of(symbols), initScript);
    }

    Options watching(List<String> symbols) {
      return new Options(width, height, scheme, symbols, initScript);
    }

    Options size(int w, int h) {
      return new Options(w, h, scheme, watchlist, initScript);
    }

    Options scheme(ColorScheme s) {
      return new Options(width, height, s, watchlist, initScript);
    }

    Options withInitScript(String script) {
      return new Options(width, height, scheme, watchlist, script);
    }
  }

  final BrowserContext context;
  final Page page;
  final String baseUrl;
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private final List<Pattern> expectedErrors = new CopyOnWriteArrayList<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  final List<Socket> sockets = new CopyOnWriteArrayList<>();

  DashboardPage(Browser browser, String baseUrl, Options options) {
    this.baseUrl = baseUrl;
    context =
        browser.newContext(
            new Browser.NewContextOptions()
                .setViewportSize(new ViewportSize(options.width(), options.height()))
                .setColorScheme(options.scheme()));
    context.setDefaultTimeout(Chromium.TIMEOUT_MS);
    if (options.watchlist() != null) {
      // Once per tab, like a user's earlier visit: a reload must show what the page saved since.
      context.addInitScript(
          "if (!sessionStorage.getItem('test.seeded')) {"
              + " localStorage.setItem('stockstream.watchlist', '"
              + new JsonArray(options.watchlist()).encode()
              + "'); sessionStorage.setItem('test.seeded', '1'); }");
    }
    if (options.initScript() != null) {
      context.addInitScript(options.initScript());
    }
    page = context.newPage();
    page.onConsoleMessage(
        m -> {
          if ("error".equals(m.type())) {
            errors.add("console: " + m.text() + " (" + m.location() + ")");
          }
        });
    page.onPageError(e -> errors.add("uncaught: " + e));
    page.onRequest(r -> requests.add(r.url()));
    page.onWebSocket(
        ws -> {
          Socket s = new Socket(ws.url());
          sockets.add(s);
          ws.onFrameSent(f -> s.sent.add(parse(f.text())));
          ws.onFrameReceived(f -> s.received.add(parse(f.text())));
        });
  }

  private static JsonObject parse(String text) {
    try {
      return new JsonObject(text == null ? "{}" : text);
    } catch (RuntimeException e) {
      return new JsonObject().put("unparsed", text);
    }
  }

  DashboardPage open() {
    page.navigate(baseUrl);
    return this;
  }

  /** Console errors matching {@code regex} are part of what this test does (a refused connect). */
  void expectConsoleErrors(String regex) {
    expectedErrors.add(Pattern.compile(regex));
  }

  /** Fails on any console error or uncaught exception that the test did not announce. */
  void assertNoConsoleErrors() {
    List<String> unexpected =
        errors.stream()
            .filter(e -> expectedErrors.stream().noneMatch(p -> p.matcher(e).find()))
            .toList();
    assertThat(unexpected).as("console errors and uncaught exceptions of the page").isEmpty();
  }

  /** Every URL the page requested, for checking that it asks nothing of another origin. */
  List<String> requests() {
    return List.copyOf(requests);
  }

  /** Waits, processing the browser's events, until {@code condition} holds. */
  void waitFor(String what, BooleanSupplier condition) {
    waitFor(what, Chromium.TIMEOUT_MS, condition);
  }

  void waitFor(String what, double timeoutMs, BooleanSupplier condition) {
    try {
      page.waitForCondition(condition, new Page.WaitForConditionOptions().setTimeout(timeoutMs));
    } catch (PlaywrightException e) {
      throw new AssertionError("still not so after " + timeoutMs + " ms: " + what, e);
    }
  }

  /** Returns once the page has painted another animation frame (views write once per frame). */
  void nextFrame() {
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))");
  }

  Locator state() {
    return page.locator("#conn-state");
  }

  void waitLive() {
    assertThat(state()).hasAttribute("data-state", "live");
  }

  /** Waits for the page to be live, for longer than usual: a whole service restarting. */
  void waitLive(double timeoutMs) {
    assertThat(state())
        .hasAttribute(
            "data-state",
            "live",
            new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions()
                .setTimeout(timeoutMs));
  }

  /** The entries of the connection log, oldest first, as {kind, t, and the entry's data}. */
  List<Map<String, String>> logEntries() {
    @SuppressWarnings("unchecked")
    List<Map<String, String>> entries =
        (List<Map<String, String>>)
            page.evaluate(
                "[...document.querySelectorAll('#log > li')].reverse()"
                    + ".map(li => ({...li.dataset, text: li.textContent}))");
    return entries;
  }

  Locator tiles() {
    return page.locator("#tiles > li");
  }

  Locator tile(String symbol) {
    return page.locator("#tiles > li[data-symbol='" + symbol + "']");
  }

  /** The seq of the tick a tile shows, 0 before its first. */
  long seq(String symbol) {
    String s = tile(symbol).getAttribute("data-seq");
    return s == null ? 0 : Long.parseLong(s);
  }

  /** The text of an element by id, trimmed. */
  String text(String id) {
    return page.locator("#" + id).textContent().trim();
  }

  /** A number shown in an element by id (thousands separators allowed). */
  long number(String id) {
    String t = text(id).replace(",", "");
    return t.matches("\\d+") ? Long.parseLong(t) : -1;
  }

  /** The latest socket the page opened. */
  Socket socket() {
    assertThat(sockets).as("WebSockets opened by the page").isNotEmpty();
    return sockets.get(sockets.size() - 1);
  }

  /**
   * The seqs of {@code symbol} the page received over all its connections, in order: snapshot ticks
   * of {@code subscribed} frames and ordinary ticks alike.
   */
  List<Long> seqsReceived(String symbol) {
    List<Long> seqs = new ArrayList<>();
    for (Socket s : sockets) {
      seqs.addAll(s.seqs(symbol));
    }
    return seqs;
  }

  /** Log entries of the page's connection log of one kind, oldest first. */
  Locator log(String kind) {
    return page.locator("#log > li[data-kind='" + kind + "']");
  }

  @Override
  public void close() {
    // What the page said is the first thing to read when a browser test fails.
    if (!errors.isEmpty()) {
      System.err.println("dashboard page console errors:\n  " + String.join("\n  ", errors));
    }
    context.close();
  }
}
