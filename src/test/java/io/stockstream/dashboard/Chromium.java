package io.stockstream.dashboard;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import io.stockstream.support.ExternalTool;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Debian's Chromium, headless, driven by Playwright for Java. Playwright never downloads a browser
 * of its own here: it is told to skip that and given the system's executable. One per test class:
 * starting the browser costs seconds, a fresh context per test costs milliseconds.
 */
final class Chromium implements AutoCloseable {

  /**
   * As root Chromium needs --no-sandbox; on a closed network the background services (updates,
   * sync, safe browsing, QUIC probes) only produce failing connections and noise.
   */
  private static final List<String> ARGS =
      List.of(
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync");

  /** How long a UI assertion waits for the page: generous, the machine has two busy cores. */
  static final double TIMEOUT_MS = 30_000;

  private final Playwright playwright;
  private final Browser browser;

  private Chromium(Playwright playwright, Browser browser) {
    this.playwright = playwright;
    this.browser = browser;
  }

  /** Starts Chromium, or skips the test (fails it under CI=true) when it is not installed. */
  static Chromium launch() {
    Path executable = ExternalTool.require("chromium", "chromium");
    PlaywrightAssertions.setDefaultAssertionTimeout(TIMEOUT_MS);
    Playwright playwright =
        Playwright.create(
            new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    try {
      Browser browser =
          playwright
              .chromium()
              .launch(
                  new BrowserType.LaunchOptions()
                      .setExecutablePath(executable)
                      .setHeadless(true)
                      .setArgs(ARGS));
      return new Chromium(playwright, browser);
    } catch (RuntimeException e) {
      playwright.close();
      throw e;
    }
  }

  Browser browser() {
    return browser;
  }

  @Override
  public void close() {
    try {
      browser.close();
    } finally {
      playwright.close();
    }
  }
}
