package io.stockstream.dashboard;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.stockstream.support.Await;
import io.stockstream.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With auth on, the page cannot see why its WebSocket was refused; it finds out from the REST side,
 * asks for a token in a form, keeps it for the tab, and sends it on the WebSocket and on REST.
 */
@ExtendWith(VertxExtension.class)
class DashboardAuthTest {

  private static final String SECRET = "dashboard-test-secret";

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

  private static String token(Vertx vertx, String secret) {
    JWTAuth jwt =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    return jwt.generateToken(
        new JsonObject().put("sub", "trader-1"),
        new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(600));
  }

  private static com.microsoft.playwright.Locator token(DashboardPage d) {
    return d.page.getByLabel("Token", new Page.GetByLabelOptions().setExact(true));
  }

  @Test
  void a401AsksForATokenInAFormAndTheTokenOpensTheStreamAndTheApi(Vertx vertx) {
    TestNode node =
        Await.result(
            TestNode.start(
                vertx,
                Map.of(
                    "STOCKSTREAM_TICK_INTERVAL_MS", "100", "STOCKSTREAM_AUTH_JWT_SECRET", SECRET)));
    dashboard =
        new DashboardPage(
            chromium.browser(),
            "http://127.0.0.1:" + node.port() + "/",
            DashboardPage.Options.desktop().watching("AAPL", "MSFT"));
    DashboardPage d = dashboard;
    // The refused handshake and the 401s are what this test is about.
    d.expectConsoleErrors("WebSocket connection to .* failed");
    d.expectConsoleErrors("status of 401");
    d.open();

    assertThat(d.page.getByRole(AriaRole.DIALOG)).isVisible();
    assertThat(d.state()).hasAttribute("data-state", "auth");
    assertThat(token(d)).isFocused();

    // A token signed with another secret is refused, and the form says so.
    token(d).fill(token(vertx, "not-the-service-secret"));
    token(d).press("Enter");
    assertThat(d.page.locator("#auth-error")).containsText("refused");
    assertThat(d.page.getByRole(AriaRole.DIALOG)).isVisible();

    String good = token(vertx, SECRET);
    token(d).fill(good);
    d.page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Connect")).click();
    d.waitLive();
    assertThat(d.page.getByRole(AriaRole.DIALOG)).isHidden();
    assertThat(d.tile("AAPL").locator(".price")).hasText(Pattern.compile("\\d+\\.\\d{2}"));
    assertThat(d.socket().url).contains("access_token=" + good);
    // REST works with it too: names, polling and the server totals.
    assertThat(d.tile("AAPL").locator(".name")).hasText("Apple Inc.");
    d.waitFor("a poll answered", () -> d.number("http-updates") >= 1);
    assertThat(d.page.locator("#t-ws-updates")).hasText(Pattern.compile("\\d"));
    assertThat(d.page.evaluate("sessionStorage.getItem('stockstream.token')")).isEqualTo(good);

    // A reload in the same tab needs no second asking.
    int socketsBefore = d.sockets.size();
    d.page.reload();
    d.waitLive();
    assertThat(d.page.getByRole(AriaRole.DIALOG)).isHidden();
    assertThat(d.sockets.size()).isEqualTo(socketsBefore + 1);
    d.assertNoConsoleErrors();
  }
}
