package io.stockstream.loadgen;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The WebSocket endpoint under load, parsed from {@code ws://} or {@code wss://} once, with the
 * request line and Host header every connection reuses.
 */
public record Target(boolean tls, String host, int port, String path, String query) {

  /** Parses {@code ws://host[:port]/path[?query]}; the message names what is wrong. */
  public static Target parse(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + url + "' is not a URL");
    }
    String scheme = uri.getScheme();
    boolean tls;
    if ("ws".equalsIgnoreCase(scheme)) {
      tls = false;
    } else if ("wss".equalsIgnoreCase(scheme)) {
      tls = true;
    } else {
      throw new IllegalArgumentException("'" + url + "' is not a ws:// or wss:// URL");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("'" + url + "' has no host");
    }
    int port = uri.getPort() == -1 ? (tls ? 443 : 80) : uri.getPort();
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return new Target(tls, uri.getHost(), port, path, uri.getRawQuery());
  }

  /** The Host header: the port only when it is not the scheme's default, as browsers send it. */
  public String hostHeader() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return port == (tls ? 443 : 80) ? h : h + ":" + port;
  }

  /**
   * The request target of one connection: the URL's own path and query, then {@code symbols=} when
   * it subscribes to any, then {@code access_token=} when the token travels in the query.
   */
  public String requestTarget(String symbolsCsv, String queryToken) {
    StringBuilder sb = new StringBuilder(path);
    char sep = '?';
    if (query != null && !query.isEmpty()) {
      sb.append('?').append(query);
      sep = '&';
    }
    if (!symbolsCsv.isEmpty()) {
      // Tickers are letters, digits, '.' and '-': nothing in them needs percent-encoding.
      sb.append(sep).append("symbols=").append(symbolsCsv);
      sep = '&';
    }
    if (queryToken != null) {
      sb.append(sep)
          .append("access_token=")
          .append(URLEncoder.encode(queryToken, StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return (tls ? "wss://" : "ws://") + hostHeader() + path + (query == null ? "" : "?" + query);
  }
}
