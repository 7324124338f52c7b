package io.stockstream.stream;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.stockstream.config.Config;
import io.stockstream.http.TokenAuth;
import io.stockstream.protocol.ClientRequest;
import io.stockstream.protocol.Symbols;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.auth.User;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes what {@code GET /ws} checks before it upgrades: the RFC 6455 request checks, the Origin
 * check, the {@code ?symbols=} query and the token, extracted and verified by the real {@link
 * TokenAuth} (vertx-auth-jwt, HS256).
 *
 * <p>Invariants: {@link HandshakeChecks#malformed} returns null or one of its fixed complaints, and
 * null only for a GET with {@code Upgrade: websocket}, {@code Connection: ...upgrade...}, a 16-byte
 * base64 key and version 13; {@link HandshakeChecks#originAllowed} never throws, allows every
 * request without Origin and every one under {@code *}, and with an allow-list allows exactly the
 * listed origins; {@link ClientRequest#fromQuery} returns null for a blank parameter, a Subscribe
 * with symbols under {@link Symbols}, or throws BadFrame {@code bad_request}; {@link
 * TokenAuth#tokenOf} returns null or a non-blank token; {@link TokenAuth#verify} never throws and
 * never succeeds, since no fuzzed token is signed with the secret.
 *
 * <p>Input: UTF-8 lines like a request head. The first is the method; {@code Name: value} lines are
 * headers; {@code ?symbols=v} and {@code ?access_token=v} are decoded query parameters; {@code
 * #allow v} sets the allowed origins as the setting would ({@code *} or a comma list; without it,
 * the server's own origin); {@code #jwt header<TAB>payload<TAB>signature} is a token whose header
 * and payload JSON the test base64url-encodes, so that the fuzzer reaches the JWT parser's JSON.
 */
class HandshakeFuzzTest {

  private static final Vertx VERTX = Vertx.vertx();

  /** Never written into any seed: a token the fuzzer makes cannot carry its signature. */
  private static final TokenAuth AUTH = new TokenAuth(VERTX, "fuzzing-secret-no-seed-knows");

  private static final Set<String> COMPLAINTS =
      Set.of(
          "a WebSocket handshake is a GET request",
          "expected a WebSocket upgrade (Upgrade: websocket)",
          "expected Connection: Upgrade",
          "Sec-WebSocket-Key must be 16 bytes in base64",
          HandshakeChecks.VERSION_13);

  @AfterAll
  static void closeVertx() {
    VERTX.close();
  }

  @FuzzTest(maxDuration = "10m")
  void handshake(byte[] input) {
    String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", -1);
    HttpMethod method = method(lines[0]);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    String symbols = null;
    String accessToken = null;
    String allow = null;
    String jwt = null;
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      if (line.startsWith("?symbols=")) {
        symbols = line.substring("?symbols=".length());
      } else if (line.startsWith("?access_token=")) {
        accessToken = line.substring("?access_token=".length());
      } else if (line.startsWith("#allow ")) {
        allow = line.substring("#allow ".length());
      } else if (line.startsWith("#jwt ")) {
        jwt = jwt(line.substring("#jwt ".length()));
      } else if (line.indexOf(':') > 0) {
        int colon = line.indexOf(':');
        headers.add(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    checkMalformed(method, headers);
    checkOrigin(headers.get("Origin"), headers.get("Host"), allow);
    checkQuery(symbols);
    String token = TokenAuth.tokenOf(headers.get("Authorization"), accessToken);
    check(token == null || !token.isBlank(), "a blank token was extracted");
    checkRefused(token);
    if (jwt != null) {
      checkRefused(jwt);
    }
  }

  private static HttpMethod method(String name) {
    try {
      return HttpMethod.valueOf(name);
    } catch (RuntimeException e) {
      return HttpMethod.POST; // not a method Netty would have parsed; any non-GET will do
    }
  }

  private static void checkMalformed(HttpMethod method, MultiMap headers) {
    String complaint = HandshakeChecks.malformed(method, headers);
    if (complaint != null) {
      check(COMPLAINTS.contains(complaint), "unexpected complaint: " + complaint);
      return;
    }
    check(method == HttpMethod.GET, "accepted " + method);
    check("websocket".equalsIgnoreCase(headers.get("Upgrade")), "accepted without Upgrade");
    check(
        headers.get("Connection").toLowerCase(Locale.ROOT).contains("upgrade"),
        "accepted without Connection: Upgrade");
    check(
        Base64.getDecoder().decode(headers.get("Sec-WebSocket-Key").trim()).length == 16,
        "accepted a key that is not 16 bytes");
    check("13".equals(headers.get("Sec-WebSocket-Version")), "accepted a version other than 13");
  }

  private static void checkOrigin(String origin, String host, String allow) {
    Config.Origins origins = origins(allow);
    boolean allowed = HandshakeChecks.originAllowed(origin, host, origins);
    if (origin == null || origins.any()) {
      check(allowed, "refused a request without Origin, or under *");
    } else if (!origins.allowed().isEmpty()) {
      check(
          allowed == origins.allowed().contains(origin.trim().toLowerCase(Locale.ROOT)),
          "allow-list decided wrongly for " + origin);
    } else if (allowed) {
      check(host != null, "own origin allowed without a Host");
    }
  }

  /** As STOCKSTREAM_ALLOWED_ORIGINS reads it, minus the loader's check that each is an origin. */
  private static Config.Origins origins(String allow) {
    if (allow == null) {
      return Config.Origins.ownOnly();
    }
    if (allow.trim().equals("*")) {
      return new Config.Origins(true, Set.of());
    }
    Set<String> listed = new LinkedHashSet<>();
    for (String o : allow.split(",", -1)) {
      listed.add(o.trim().toLowerCase(Locale.ROOT));
    }
    return new Config.Origins(false, listed);
  }

  private static void checkQuery(String symbols) {
    ClientRequest.Subscribe s;
    try {
      s = ClientRequest.fromQuery(symbols);
    } catch (ClientRequest.BadFrame e) {
      check("bad_request".equals(e.code()), "?symbols= code " + e.code());
      return;
    }
    if (symbols == null || symbols.isBlank()) {
      check(s == null, "a blank ?symbols= subscribed");
      return;
    }
    check(s != null && !s.symbols().isEmpty(), "?symbols= gave no symbols");
    for (String symbol : s.symbols()) {
      check(Symbols.isSymbol(symbol), "not a symbol: " + symbol);
      check(symbol.equals(symbol.toUpperCase(Locale.ROOT)), "not upper-case: " + symbol);
    }
  }

  private static void checkRefused(String token) {
    Future<User> user = AUTH.verify(token);
    // JWTAuth decides at once; a pending future here would be a change worth knowing about.
    check(user.isComplete(), "verify did not decide at once");
    check(user.failed(), "a fuzzed token authenticated: " + token);
  }

  private static String jwt(String parts) {
    String[] p = parts.split("\t", 3);
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    StringBuilder token = new StringBuilder();
    for (int i = 0; i < p.length; i++) {
      if (i > 0) {
        token.append('.');
      }
      // The signature is taken as written, so the fuzzer can also try non-base64 text there.
      token.append(i < 2 ? b64.encodeToString(p[i].getBytes(StandardCharsets.UTF_8)) : p[i]);
    }
    return token.toString();
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError(what);
    }
  }
}
