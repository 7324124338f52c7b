package io.stockstream.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stockstream.support.Await;
import io.stockstream.support.LegacyClientHello;
import io.stockstream.support.TestCertificate;
import io.stockstream.support.TestNode;
import io.stockstream.support.TlsProbe;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The public port speaks Mozilla's intermediate profile whichever way it got its certificate
 * (self-signed, PEM with an RSA key, PEM with an EC key): TLS 1.3 and the forward-secret AEAD
 * suites of TLS 1.2 are accepted; CBC, static RSA, DHE, NULL, RC4, 3DES and export suites, and TLS
 * 1.1 and older, are refused by the server itself, with an alert.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsProfileTest {

  private static final int PROTOCOL_VERSION = 70;
  private static final int HANDSHAKE_FAILURE = 40;

  /** How the node under test got its certificate. */
  enum Mode {
    SELF_SIGNED("CN=localhost"),
    PEM_RSA("CN=rsa.test"),
    PEM_EC("CN=ec.test");

    /** The certificate's subject: which node answered. */
    final String subject;

    Mode(String subject) {
      this.subject = subject;
    }

    boolean rsa() {
      return this != PEM_EC;
    }
  }

  /** TLS 1.2 suites outside the profile, by IANA code point, and why each is out. */
  enum Refused {
    ECDHE_RSA_AES128_CBC_SHA(0xC013, "CBC"),
    ECDHE_RSA_AES256_CBC_SHA(0xC014, "CBC"),
    ECDHE_RSA_AES128_CBC_SHA256(0xC027, "CBC"),
    ECDHE_RSA_AES256_CBC_SHA384(0xC028, "CBC"),
    ECDHE_ECDSA_AES128_CBC_SHA(0xC009, "CBC"),
    ECDHE_ECDSA_AES128_CBC_SHA256(0xC023, "CBC"),
    RSA_AES128_GCM_SHA256(0x009C, "static RSA, no forward secrecy"),
    RSA_AES256_GCM_SHA384(0x009D, "static RSA, no forward secrecy"),
    RSA_AES128_CBC_SHA(0x002F, "static RSA and CBC"),
    DHE_RSA_AES128_GCM_SHA256(0x009E, "DHE, left out of the profile"),
    DHE_RSA_AES256_GCM_SHA384(0x009F, "DHE, left out of the profile"),
    DHE_RSA_CHACHA20_POLY1305(0xCCAA, "DHE, left out of the profile"),
    RSA_3DES_EDE_CBC_SHA(0x000A, "3DES"),
    RSA_RC4_128_SHA(0x0005, "RC4"),
    RSA_NULL_SHA256(0x003B, "NULL"),
    RSA_EXPORT_RC4_40_MD5(0x0003, "EXPORT");

    final int codePoint;
    final String why;

    Refused(int codePoint, String why) {
      this.codePoint = codePoint;
      this.why = why;
    }
  }

  @TempDir static Path dir;
  private final Map<Mode, Vertx> vertxes = new EnumMap<>(Mode.class);
  private final Map<Mode, TestNode> nodes = new EnumMap<>(Mode.class);

  @BeforeAll
  void startOneNodePerMode() {
    // One Vert.x each: nodes on one Vert.x that all ask for a free port share the first one's.
    for (Mode mode : Mode.values()) {
      vertxes.put(mode, Vertx.vertx());
    }
    start(Mode.SELF_SIGNED, Map.of("STOCKSTREAM_TLS_SELF_SIGNED", "true"));
    start(Mode.PEM_RSA, pem("rsa", TestCertificate.rsa("rsa.test")));
    start(Mode.PEM_EC, pem("ec", TestCertificate.ec("ec.test")));
  }

  private static Map<String, String> pem(String name, TestCertificate cert) {
    Path certFile = dir.resolve(name + ".crt");
    Path keyFile = dir.resolve(name + ".key");
    cert.writeTo(certFile, keyFile);
    return Map.of(
        "STOCKSTREAM_TLS_CERT", certFile.toString(), "STOCKSTREAM_TLS_KEY", keyFile.toString());
  }

  private void start(Mode mode, Map<String, String> env) {
    nodes.put(mode, Await.result(TestNode.start(vertxes.get(mode), env)));
  }

  @AfterAll
  void stop() {
    vertxes.values().forEach(v -> Await.result(v.close()));
  }

  private int port(Mode mode) {
    return nodes.get(mode).port();
  }

  static Stream<Arguments> accepted() {
    List<Arguments> cases = new ArrayList<>();
    for (Mode mode : Mode.values()) {
      for (String suite : TlsProfile.TLS13_SUITES) {
        cases.add(Arguments.of(mode, "TLSv1.3", suite));
      }
      for (String suite : TlsProfile.TLS12_SUITES) {
        // A suite signs with the certificate's key: ECDHE_RSA needs an RSA one, ECDSA an EC one.
        if (suite.contains("_RSA_") == mode.rsa()) {
          cases.add(Arguments.of(mode, "TLSv1.2", suite));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}: {1} {2}")
  @MethodSource
  void accepted(Mode mode, String protocol, String suite) throws Exception {
    TlsProbe.Handshake h = TlsProbe.handshake(port(mode), List.of(protocol), List.of(suite));

    assertThat(h.protocol()).isEqualTo(protocol);
    assertThat(h.cipherSuite()).isEqualTo(suite);
    assertThat(h.peer().getSubjectX500Principal().getName()).isEqualTo(mode.subject);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void aJdkClientOfferingOnlyACbcSuiteOnTls12IsRefusedByTheServer(Mode mode) {
    String cbc =
        mode.rsa()
            ? "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"
            : "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256";

    // "Received fatal alert": the server said no; a client that refused to offer the suite
    // would fail with a message of its own.
    assertThatThrownBy(() -> TlsProbe.handshake(port(mode), List.of("TLSv1.2"), List.of(cbc)))
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessageContaining("Received fatal alert: handshake_failure");
  }

  static Stream<Arguments> refusedOnTls12() {
    return Stream.of(Mode.values())
        .flatMap(mode -> Stream.of(Refused.values()).map(suite -> Arguments.of(mode, suite)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource
  void refusedOnTls12(Mode mode, Refused suite) throws Exception {
    LegacyClientHello.Reply reply =
        LegacyClientHello.send(port(mode), LegacyClientHello.TLS_1_2, suite.codePoint);

    assertThat(reply.isFatalAlert()).as("%s (%s): %s", suite, suite.why, reply).isTrue();
    assertThat(reply.alertDescription()).isEqualTo(HANDSHAKE_FAILURE);
  }

  static Stream<Arguments> legacyProtocols() {
    return Stream.of(Mode.values())
        .flatMap(
            mode ->
                Stream.of(
                    Arguments.of(mode, "TLS 1.1", LegacyClientHello.TLS_1_1),
                    Arguments.of(mode, "TLS 1.0", LegacyClientHello.TLS_1_0),
                    Arguments.of(mode, "SSL 3.0", LegacyClientHello.SSL_3_0)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("legacyProtocols")
  void aHelloOfTls11OrOlderGetsAProtocolVersionAlert(Mode mode, String name, int version)
      throws Exception {
    // Suites those versions had, for both key types: the version alone is what is refused.
    LegacyClientHello.Reply reply =
        LegacyClientHello.send(port(mode), version, 0xC013, 0xC009, 0x002F, 0xC02F, 0xC02B);

    assertThat(reply.isFatalAlert()).as("%s: %s", name, reply).isTrue();
    assertThat(reply.alertDescription()).isEqualTo(PROTOCOL_VERSION);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void theHandMadeHelloIsAnsweredWhenItOffersTls12AndAnAeadSuite(Mode mode) throws Exception {
    // The control of the two tests above: the same bytes, with a version and a suite of the
    // profile, get a ServerHello, so their refusals are about the version or the suite.
    int aead = mode.rsa() ? 0xC02F : 0xC02B;
    LegacyClientHello.Reply reply =
        LegacyClientHello.send(port(mode), LegacyClientHello.TLS_1_2, aead);

    assertThat(reply.isServerHello()).as("%s", reply).isTrue();
  }

  @Test
  void everySuiteOfTheProfileIsOneTheJdkSupports() throws Exception {
    // Netty hands the list to JSSE as it is, and a suite JSSE does not know fails every
    // connection: a typo is caught here rather than by the first client.
    List<String> supported =
        List.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());

    assertThat(supported).containsAll(TlsProfile.cipherSuites());
  }
}
