package io.stockstream.web;

import io.vertx.core.http.HttpServerOptions;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Stream;

/**
 * The public port's TLS: Mozilla's "intermediate" profile, TLS 1.2 and 1.3 with forward-secret AEAD
 * suites only, written once for every way the port gets its certificate.
 */
public final class TlsProfile {

  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /** TLS 1.3's suites: AEAD by definition, and its key exchange is always ephemeral. */
  public static final List<String> TLS13_SUITES =
      List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

  /**
   * TLS 1.2: ECDHE with AES-GCM or ChaCha20-Poly1305, in Mozilla's order. The names are IANA's,
   * which JSSE uses and Netty's OpenSSL engine translates. Mozilla also lists DHE-RSA with the same
   * ciphers; they are left out, docs/choices.md says why.
   */
  public static final List<String> TLS12_SUITES =
      List.of(
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private TlsProfile() {}

  /** Every enabled suite, TLS 1.3's first. */
  public static List<String> cipherSuites() {
    return Stream.concat(TLS13_SUITES.stream(), TLS12_SUITES.stream()).toList();
  }

  /**
   * Restricts {@code options} to the profile. The suites must be listed: with none, the engine
   * would enable its own defaults, CBC and static RSA among them. A certificate reload copies these
   * options, so the profile holds after it too.
   */
  public static HttpServerOptions applyTo(HttpServerOptions options) {
    options.setEnabledSecureTransportProtocols(new LinkedHashSet<>(PROTOCOLS));
    cipherSuites().forEach(options::addEnabledCipherSuite);
    return options;
  }
}
