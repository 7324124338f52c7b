package io.stockstream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.config.Config;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HandshakeChecksTest {

  private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ=="; // RFC 6455's sample nonce
  private static final String NOT_GET = "a WebSocket handshake is a GET request";
  private static final String NO_UPGRADE = "expected a WebSocket upgrade (Upgrade: websocket)";
  private static final String NO_CONNECTION = "expected Connection: Upgrade";
  private static final String BAD_KEY = "Sec-WebSocket-Key must be 16 bytes in base64";

  /** A proper RFC 6455 upgrade request's headers. */
  private static MultiMap valid() {
    return MultiMap.caseInsensitiveMultiMap()
        .set("Host", "example.com")
        .set("Upgrade", "websocket")
        .set("Connection", "Upgrade")
        .set("Sec-WebSocket-Key", KEY)
        .set("Sec-WebSocket-Version", "13");
  }

  // ---- malformed ------------------------------------------------------------------------------

  @Test
  void aProperHandshakeIsNotMalformed() {
    assertThat(HandshakeChecks.malformed(HttpMethod.GET, valid())).isNull();
  }

  @Test
  void headerNamesAndTheUpgradeAndConnectionTokensAreCaseInsensitive() {
    MultiMap h =
        HttpHeaders.headers()
            .set("upgrade", "WebSocket")
            .set("CONNECTION", "UPGRADE")
            .set("sec-websocket-key", KEY)
            .set("SEC-WEBSOCKET-VERSION", "13");
    assertThat(HandshakeChecks.malformed(HttpMethod.GET, h)).isNull();
  }

  @ParameterizedTest(name = "Connection: {0}")
  @ValueSource(strings = {"keep-alive, Upgrade", "Upgrade, keep-alive", "upgrade"})
  void upgradeMayBeOneOfSeveralConnectionTokens(String connection) {
    MultiMap h = valid().set("Connection", connection);
    assertThat(HandshakeChecks.malformed(HttpMethod.GET, h)).isNull();
  }

  @Test
  void aKeyWithSurroundingSpacesIsAccepted() {
    MultiMap h = valid().set("Sec-WebSocket-Key", "  " + KEY + " ");
    assertThat(HandshakeChecks.malformed(HttpMethod.GET, h)).isNull();
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"POST", "PUT", "HEAD", "OPTIONS", "CONNECT"})
  void onlyAGetIsAHandshake(String method) {
    assertThat(HandshakeChecks.malformed(HttpMethod.valueOf(method), valid())).isEqualTo(NOT_GET);
  }

  @Test
  void aMissingUpgradeIsMalformed() {
    MultiMap h = valid().remove("Upgrade");
    assertThat(HandshakeChecks.malformed(HttpMethod.GET, h)).isEqualTo(NO_UPGRADE);
  }

  @ParameterizedTest(name = "Upgrade: {0}")
  @ValueSource(strings = {"h2c", "websockets", "", "web socket"})
  void anUpgradeToSomethingElseIsMalformed(String upgrade) {
    MultiMap h = valid().set("Upgrade", upgrade);
    assertThat(HandshakeChecks.malformed(HttpMethod.GET, h)).isEqualTo(NO_UPGRADE);
  }

  @Test
  void aMissingConnectionIsMalformed() {
    MultiMap h = valid().remove("Connection");
    assertThat(HandshakeChecks.malformed(HttpMethod.GET, h)).isEqualTo(NO_CONNECTION);
  }

  @ParameterizedTest(name = "Connection: {0}")
  @ValueSource(strings = {"keep-alive", "close", "", "noupgrade", "X-Upgrade-Foo", "upgraded"})
  void aConnectionWithoutUpgradeIsMalformed(String connection) {
    MultiMap h = valid().set("Connection", connection);
    assertThat(HandshakeChecks.malformed(HttpMethod.GET, h)).isEqualTo(NO_CONNECTION);
  }

  @Test
  void aMissingKeyIsMalformed() {
    MultiMap h = valid().remove("Sec-WebSocket-Key");
    assertThat(HandshakeChecks.malformed(HttpMethod.GET, h)).isEqualTo(BAD_KEY);
  }

  @ParameterizedTest(name = "key of {0} bytes")
  @ValueSource(ints = {0, 1, 15, 17, 32})
  void aKeyThatIsNotSixteenBytesIsMalformed(int bytes) {
    String key = Base64.getEncoder().encodeToString(new byte[bytes]);
    MultiMap h = valid().set("Sec-WebSocket-Key", key);
    assertThat(HandshakeChecks.malformed(HttpMethod.GET, h)).isEqualTo(BAD_KEY);
  }

  @ParameterizedTest(name = "key \"{0}\"")
  @ValueSource(
      strings = {
        "this is not base64!!!!==",
        "dGhlIHNhbXBsZSBub25jZQ=!",
        "dGhlIHNhbXBsZSBub25jZQ==dGhl", // data after the padding
        "dGhlIHNhbXBsZSBub25jZQ-_", // the URL alphabet
        "%%%",
        "dGhlIHNhbXBsZSBub25jZQ" // 16 bytes, but without the padding RFC 6455 keys carry
      })
  void aKeyThatIsNotBase64IsMalformed(String key) {
    MultiMap h = valid().set("Sec-WebSocket-Key", key);
    assertThat(HandshakeChecks.malformed(HttpMethod.GET, h)).isEqualTo(BAD_KEY);
  }

  @Test
  void aMissingVersionIsMalformed() {
    MultiMap h = valid().remove("Sec-WebSocket-Version");
    assertThat(HandshakeChecks.malformed(HttpMethod.GET, h)).isEqualTo(HandshakeChecks.VERSION_13);
  }

  @ParameterizedTest(name = "version {0}")
  @ValueSource(strings = {"8", "7", "12", "14", "13, 8", ""})
  void aVersionOtherThanThirteenIsMalformed(String version) {
    MultiMap h = valid().set("Sec-WebSocket-Version", version);
    assertThat(HandshakeChecks.malformed(HttpMethod.GET, h)).isEqualTo(HandshakeChecks.VERSION_13);
  }

  @Test
  void theMethodIsCheckedBeforeTheHeaders() {
    assertThat(HandshakeChecks.malformed(HttpMethod.POST, MultiMap.caseInsensitiveMultiMap()))
        .isEqualTo(NOT_GET);
    assertThat(HandshakeChecks.malformed(HttpMethod.GET, MultiMap.caseInsensitiveMultiMap()))
        .isEqualTo(NO_UPGRADE);
  }

  // ---- originAllowed --------------------------------------------------------------------------

  private static final Config.Origins OWN = Config.Origins.ownOnly();
  private static final Config.Origins ANY = new Config.Origins(true, Set.of());
  private static final Config.Origins LISTED =
      new Config.Origins(false, Set.of("https://app.example.com", "http://localhost:3000"));

  @Test
  void aRequestWithoutOriginIsNotFromABrowserAndPasses() {
    assertThat(HandshakeChecks.originAllowed(null, "example.com", OWN)).isTrue();
    assertThat(HandshakeChecks.originAllowed(null, null, OWN)).isTrue();
    assertThat(HandshakeChecks.originAllowed(null, "example.com", LISTED)).isTrue();
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"https://evil.example", "null", "garbage", "http://exa mple.com"})
  void aStarAllowsEveryOrigin(String origin) {
    assertThat(HandshakeChecks.originAllowed(origin, "example.com", ANY)).isTrue();
    assertThat(HandshakeChecks.originAllowed(origin, null, ANY)).isTrue();
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(
      strings = {
        "https://app.example.com",
        "HTTPS://APP.EXAMPLE.COM",
        " https://App.Example.com ",
        "http://localhost:3000"
      })
  void aListedOriginIsAllowedWhateverItsCase(String origin) {
    assertThat(HandshakeChecks.originAllowed(origin, "elsewhere.net", LISTED)).isTrue();
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(
      strings = {
        "http://app.example.com", // the list compares schemes
        "https://app.example.com:8443",
        "http://localhost:3001",
        "https://example.com",
        "https://evil.app.example.com"
      })
  void anUnlistedOriginIsRefused(String origin) {
    assertThat(HandshakeChecks.originAllowed(origin, "app.example.com", LISTED)).isFalse();
  }

  @Test
  void anExplicitListReplacesTheOwnOriginRule() {
    assertThat(HandshakeChecks.originAllowed("https://example.com", "example.com", LISTED))
        .isFalse();
  }

  @ParameterizedTest(name = "Origin {0}, Host {1}")
  @CsvSource({
    "https://example.com, example.com",
    "http://example.com, example.com",
    "https://example.com:443, example.com",
    "https://example.com, example.com:443",
    "http://example.com:80, example.com",
    "http://example.com, example.com:80",
    "https://example.com, example.com:80", // default ports go whatever the scheme
    "http://example.com:443, example.com",
    "http://example.com:8080, example.com:8080",
    "https://EXAMPLE.com, Example.COM",
    "http://localhost:8080, LOCALHOST:8080",
    "http://127.0.0.1:8080, 127.0.0.1:8080",
    "'http://[::1]:8080', '[::1]:8080'",
    "'http://[::1]', '[::1]:80'",
    "http://stock_stream:8080, stock_stream:8080" // a Docker Compose service name
  })
  void theOwnOriginIsAllowedByHost(String origin, String host) {
    assertThat(HandshakeChecks.originAllowed(origin, host, OWN)).isTrue();
  }

  @ParameterizedTest(name = "Origin {0}, Host {1}")
  @CsvSource({
    "https://evil.example, example.com",
    "https://example.com.evil.example, example.com",
    "https://sub.example.com, example.com",
    "https://example.com, sub.example.com",
    "http://example.com:8080, example.com",
    "http://example.com, example.com:8080",
    "http://example.com:8080, example.com:8081",
    "http://example.com:1443, example.com:443",
    "http://example.com:8080, example.com:80",
    "http://user@example.com, user@example.com"
  })
  void anotherHostOrPortIsRefused(String origin, String host) {
    assertThat(HandshakeChecks.originAllowed(origin, host, OWN)).isFalse();
  }

  @ParameterizedTest(name = "Origin \"{0}\"")
  @ValueSource(
      strings = {"null", "garbage", "example.com", "http://exa mple.com", "http://", "://x", ""})
  void anOriginThatIsNotAUrlWithAHostIsRefused(String origin) {
    assertThat(HandshakeChecks.originAllowed(origin, "example.com", OWN)).isFalse();
  }

  @Test
  void withoutAHostNoOriginIsItsOwn() {
    assertThat(HandshakeChecks.originAllowed("https://example.com", null, OWN)).isFalse();
  }
}
