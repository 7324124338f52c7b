package io.stockstream.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * The {@code Sec-WebSocket-Accept} of RFC 6455 (section 4.2.2): what the server answers a client's
 * {@code Sec-WebSocket-Key} with. (The load generator checks it with its own, as it uses nothing of
 * the service's.)
 */
public final class AcceptKey {

  private static final byte[] GUID =
      "258EAFA5-E914-47DA-95CA-C5AB0DC85B11".getBytes(StandardCharsets.US_ASCII);

  private AcceptKey() {}

  /** The accept value for {@code key}; {@code sha1} is the caller's own (it is not thread-safe). */
  public static String of(String key, MessageDigest sha1) {
    sha1.reset();
    sha1.update(key.getBytes(StandardCharsets.US_ASCII));
    return Base64.getEncoder().encodeToString(sha1.digest(GUID));
  }
}
