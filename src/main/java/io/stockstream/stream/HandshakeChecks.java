package io.stockstream.stream;

import io.stockstream.config.Config;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.util.Base64;
import java.util.Locale;

/** The pure checks of a WebSocket upgrade request: is it well-formed RFC 6455, is its origin ok. */
final class HandshakeChecks {

  private HandshakeChecks() {}

  /** What is wrong with the upgrade request, or null when it is a proper RFC 6455 handshake. */
  static String malformed(HttpMethod method, MultiMap headers) {
    if (method != HttpMethod.GET) {
      return "a WebSocket handshake is a GET request";
    }
    String upgrade = headers.get("Upgrade");
    if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
      return "expected a WebSocket upgrade (Upgrade: websocket)";
    }
    if (!hasToken(headers.get("Connection"), "upgrade")) {
      return "expected Connection: Upgrade";
    }
    String key = headers.get("Sec-WebSocket-Key");
    if (key == null || !isNonce(key.trim())) {
      return "Sec-WebSocket-Key must be 16 bytes in base64";
    }
    if (!"13".equals(headers.get("Sec-WebSocket-Version"))) {
      return VERSION_13;
    }
    return null;
  }

  /** The complaint about the version, which the gate answers with the version it speaks. */
  static final String VERSION_13 = "Sec-WebSocket-Version must be 13";

  /** True when the comma list {@code header} holds {@code token}, case-insensitively. */
  private static boolean hasToken(String header, String token) {
    if (header == null) {
      return false;
    }
    for (String t : header.split(",")) {
      if (t.trim().equalsIgnoreCase(token)) {
        return true;
      }
    }
    return false;
  }

  /** 16 bytes in padded base64: 24 characters, as RFC 6455 section 4.1 makes the key. */
  private static boolean isNonce(String key) {
    if (key.length() != 24) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(key).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Requests without Origin are not from browsers and pass. By default a browser may only connect
   * from the page's own host; the scheme is not compared, since TLS may end at an ingress.
   *
   * @param origin the request's Origin header, or null
   * @param host the request's Host header, or null
   */
  static boolean originAllowed(String origin, String host, Config.Origins allowed) {
    if (origin == null || allowed.any()) {
      return true;
    }
    String normalized = origin.trim().toLowerCase(Locale.ROOT);
    if (!allowed.allowed().isEmpty()) {
      return allowed.allowed().contains(normalized);
    }
    if (host == null) {
      return false;
    }
    try {
      // The raw authority, not getHost(): URI gives no host for names with '_' (Docker services).
      String authority = new URI(normalized).getRawAuthority();
      if (authority == null || authority.contains("@")) {
        return false;
      }
      return withoutDefaultPort(authority)
          .equals(withoutDefaultPort(host.trim().toLowerCase(Locale.ROOT)));
    } catch (Exception e) {
      return false;
    }
  }

  private static String withoutDefaultPort(String authority) {
    if (authority.endsWith(":80")) {
      return authority.substring(0, authority.length() - 3);
    }
    if (authority.endsWith(":443")) {
      return authority.substring(0, authority.length() - 4);
    }
    return authority;
  }
}
