package io.stockstream.loadgen;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/** Names why a connection attempt failed, in the few words the summary counts them by. */
final class Causes {

  private Causes() {}

  /**
   * {@code timeout}, {@code refused}, {@code reset}, {@code tls}, {@code unreachable}, {@code
   * fd_limit}, {@code io}.
   */
  static String of(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SSLException) {
        return "tls";
      }
      if (c.getMessage() != null && c.getMessage().contains("Too many open files")) {
        return "fd_limit"; // this process's own limit, not the server's doing
      }
    }
    if (t instanceof DecoderException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ConnectTimeoutException) {
      return "timeout";
    }
    String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
    if (t instanceof NoRouteToHostException || m.contains("unreachable")) {
      return "unreachable";
    }
    if (t instanceof ConnectException) {
      return m.contains("refused") ? "refused" : m.contains("timed out") ? "timeout" : "connect";
    }
    if (m.contains("reset") || m.contains("broken pipe")) {
      return "reset";
    }
    return t instanceof IOException ? "io" : "error";
  }
}
