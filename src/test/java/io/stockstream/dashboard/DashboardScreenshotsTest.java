package io.stockstream.dashboard;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.ColorScheme;
import io.stockstream.support.Await;
import io.stockstream.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Screenshots of the dashboard at desktop (1280×800) and phone (390×844) width, light and dark,
 * under {@code target/screenshots/} for a person to look at (the README's picture is one of them).
 * While at it, checks what a screenshot cannot show: nothing is wider than the phone.
 */
@ExtendWith(VertxExtension.class)
class DashboardScreenshotsTest {

  static final Path DIR = Path.of("target", "screenshots");

  private static Chromium chromium;

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

  @Test
  void desktopAndPhoneInLightAndDarkAreWrittenUnderTarget(Vertx vertx) throws Exception {
    TestNode node =
        Await.result(TestNode.start(vertx, Map.of("STOCKSTREAM_TICK_INTERVAL_MS", "250")));
    Files.createDirectories(DIR);
    String url = "http://127.0.0.1:" + node.port() + "/";
    for (ColorScheme scheme : new ColorScheme[] {ColorScheme.LIGHT, ColorScheme.DARK}) {
      String name = scheme == ColorScheme.DARK ? "dark" : "light";
      try (DashboardPage d =
          new DashboardPage(
              chromium.browser(), url, DashboardPage.Options.desktop().scheme(scheme))) {
        d.open();
        d.waitLive();
        // Enough history for the charts to mean something: several polls beside the stream.
        d.waitFor("six polls answered", 60_000, () -> d.number("http-updates") >= 6);
        assertThat(d.page.locator("#t-http-updates")).hasText(Pattern.compile("\\d"));
        shoot(d, "desktop-" + name);
        // The same page narrowed to a phone: the same history, reflowed.
        d.page.setViewportSize(390, 844);
        d.page.waitForFunction("() => window.innerWidth === 390");
        shoot(d, "phone-" + name);
        d.assertNoConsoleErrors();
      }
    }
  }

  private static void shoot(DashboardPage d, String name) {
    // The charts reflow a frame or more after a resize (their ResizeObserver), later still on a
    // loaded machine: what must hold is that the page settles within the viewport.
    d.waitFor(
        name + ": no wider than the viewport",
        () ->
            Boolean.FALSE.equals(
                d.page.evaluate("document.documentElement.scrollWidth > window.innerWidth")));
    d.page.screenshot(new Page.ScreenshotOptions().setPath(DIR.resolve(name + ".png")));
    d.page.screenshot(
        new Page.ScreenshotOptions().setPath(DIR.resolve(name + "-full.png")).setFullPage(true));
    assertThat(DIR.resolve(name + ".png")).isNotEmptyFile();
  }
}
