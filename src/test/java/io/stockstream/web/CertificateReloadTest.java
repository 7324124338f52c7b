package io.stockstream.web;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.stockstream.support.Await;
import io.stockstream.support.Eventually;
import io.stockstream.support.TestCertificate;
import io.stockstream.support.TestNode;
import io.stockstream.support.TlsProbe;
import io.stockstream.support.WsClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * A certificate written over the PEM files is served to new connections within the reload interval,
 * by every web instance, while open connections carry on; a bad pair keeps the old certificate with
 * one warning and one count, and the next good pair is served.
 */
class CertificateReloadTest {

  private static final long INTERVAL_MS = 250;

  /** One interval, plus what one check (two reads, a signature, a new SSL context) may take. */
  private static final long WITHIN_MS = INTERVAL_MS + 5_000;

  /** Web instances on the one port: a new connection may land on any of them. */
  private static final int INSTANCES = 3;

  private static final String OK = "stockstream_tls_reloads_total{outcome=\"ok\"}";
  private static final String FAILED = "stockstream_tls_reloads_total{outcome=\"failed\"}";

  @TempDir Path dir;
  private Path certFile;
  private Path keyFile;
  private Vertx vertx;
  private Context context;
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger reloaderLog = (Logger) LoggerFactory.getLogger(CertificateReloader.class);

  @BeforeEach
  void setUp() {
    certFile = dir.resolve("tls.crt");
    keyFile = dir.resolve("tls.key");
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    logged.start();
    reloaderLog.addAppender(logged);
  }

  @AfterEach
  void tearDown() {
    reloaderLog.detachAppender(logged);
    Await.result(vertx.close());
  }

  private TestNode start() {
    return Await.result(
        TestNode.start(
            vertx,
            Map.of(
                "STOCKSTREAM_TLS_CERT", certFile.toString(),
                "STOCKSTREAM_TLS_KEY", keyFile.toString(),
                "STOCKSTREAM_TLS_RELOAD_INTERVAL_MS", Long.toString(INTERVAL_MS),
                "STOCKSTREAM_WEB_INSTANCES", Integer.toString(INSTANCES),
                "STOCKSTREAM_TICK_INTERVAL_MS", "20")));
  }

  /** The certificate a new connection is shown, from a handshake on a worker thread. */
  private Future<X509Certificate> peer(TestNode node) {
    return vertx.executeBlocking(() -> TlsProbe.peerCertificate(node.port()));
  }

  /**
   * Waits until new connections are shown {@code expected}; fails after one interval and a check.
   */
  private void awaitServed(TestNode node, TestCertificate expected) {
    Await.result(
        Eventually.eventually(
            vertx, WITHIN_MS, () -> peer(node), c -> c.equals(expected.certificate())));
  }

  private List<String> warnings() {
    synchronized (logged) {
      return logged.list.stream()
          .filter(e -> e.getLevel() == Level.WARN)
          .map(ILoggingEvent::getFormattedMessage)
          .toList();
    }
  }

  /**
   * Lets the reloader look at unchanged files several times. This waits for an absence (no second
   * warning, no second count), which no event announces, so a fixed window is the only way.
   */
  private void letSeveralChecksPass() {
    Promise<Void> elapsed = Promise.promise();
    vertx.setTimer(INTERVAL_MS * 4, id -> elapsed.complete());
    Await.result(elapsed.future());
  }

  private <T> T onContext(Supplier<Future<T>> work) {
    return Await.onContext(context, work, 30_000);
  }

  @Test
  void aRenewedCertificateIsServedToNewConnectionsWhileAnOpenWebSocketKeepsStreaming() {
    TestCertificate old = TestCertificate.rsa("old.test");
    old.writeTo(certFile, keyFile);
    TestNode node = start();
    assertThat(node.metric(OK)).as("registered at 0").isZero();
    assertThat(node.metric(FAILED)).as("registered at 0").isZero();
    assertThat(Await.result(peer(node))).isEqualTo(old.certificate());
    WsClient ws =
        onContext(
            () ->
                WsClient.connect(
                    vertx,
                    new WebSocketConnectOptions()
                        .setHost("127.0.0.1")
                        .setPort(node.port())
                        .setURI("/ws?symbols=AAPL"),
                    true));
    onContext(() -> ws.next("subscribed").compose(s -> ws.nextTick("AAPL")));

    TestCertificate renewed = TestCertificate.rsa("renewed.test");
    long written = System.nanoTime();
    renewed.writeTo(certFile, keyFile);
    awaitServed(node, renewed);
    long tookMs = (System.nanoTime() - written) / 1_000_000;
    System.out.printf("renewed certificate served %d ms after it was written%n", tookMs);

    // Every instance serves it: a few more new connections, spread over the instances.
    for (int i = 0; i < INSTANCES * 3; i++) {
      assertThat(Await.result(peer(node))).isEqualTo(renewed.certificate());
    }
    // The WebSocket opened before the renewal is still open and still gets ticks.
    long seqAtReload =
        ws.received().stream()
            .filter(f -> "tick".equals(f.getString("type")))
            .mapToLong(f -> f.getLong("seq"))
            .max()
            .orElseThrow();
    JsonObject later =
        onContext(
            () ->
                ws.next(
                    f -> "tick".equals(f.getString("type")) && f.getLong("seq") > seqAtReload + 2));
    assertThat(later.getString("symbol")).isEqualTo("AAPL");
    assertThat(ws.closed().isComplete()).as("the open WebSocket was closed").isFalse();
    assertThat(node.metric(OK)).isEqualTo(1);
    assertThat(node.metric(FAILED)).isZero();
    assertThat(warnings()).isEmpty();
  }

  static Stream<Arguments> badPairs() {
    TestCertificate other = TestCertificate.rsa("other.test");
    String garbage =
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
    return Stream.of(
        Arguments.of("a certificate file of garbage", garbage, null, "tls.crt"),
        Arguments.of("a key file of garbage", null, "not a key at all\n", "tls.key"),
        Arguments.of("an empty certificate file", "", null, "tls.crt"),
        Arguments.of("a key of another certificate", null, other.keyPem(), "tls.key"),
        Arguments.of(
            "an EC key beside an RSA certificate",
            null,
            TestCertificate.ec("ec.test").keyPem(),
            "tls.key"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badPairs")
  void aBadPairKeepsTheOldCertificateWithOneWarningAndOneCountUntilAGoodPairIsWritten(
      String what, String certText, String keyText, String blamed) {
    TestCertificate old = TestCertificate.rsa("old.test");
    old.writeTo(certFile, keyFile);
    TestNode node = start();

    if (certText != null) {
      TestCertificate.write(certFile, certText);
    }
    if (keyText != null) {
      TestCertificate.write(keyFile, keyText);
    }
    Await.result(
        Eventually.eventually(vertx, what + " counted", WITHIN_MS, () -> node.metric(FAILED) == 1));
    letSeveralChecksPass();

    assertThat(Await.result(peer(node)))
        .as("still the old certificate")
        .isEqualTo(old.certificate());
    assertThat(node.metric(FAILED)).as("counted once").isEqualTo(1);
    assertThat(node.metric(OK)).isZero();
    List<String> warnings = warnings();
    assertThat(warnings).as("one warning").hasSize(1);
    assertThat(warnings.get(0))
        .contains(dir.resolve(blamed).toString())
        .contains("still serving the previous one")
        .doesNotContain("\n");
    // Nothing of either key reaches the log: no line of their base64.
    for (String pem : Stream.of(old.keyPem(), keyText).filter(k -> k != null).toList()) {
      pem.lines()
          .filter(l -> !l.startsWith("-----") && l.length() > 16)
          .forEach(l -> assertThat(warnings.get(0)).doesNotContain(l));
    }

    TestCertificate fixed = TestCertificate.rsa("fixed.test");
    fixed.writeTo(certFile, keyFile);
    awaitServed(node, fixed);
    assertThat(node.metric(OK)).isEqualTo(1);
    assertThat(node.metric(FAILED)).isEqualTo(1);
  }

  @Test
  void aMissingKeyFileKeepsTheOldCertificateWithOneWarningUntilAPairIsWrittenAgain()
      throws Exception {
    TestCertificate old = TestCertificate.rsa("old.test");
    old.writeTo(certFile, keyFile);
    TestNode node = start();

    Files.delete(keyFile);
    Await.result(
        Eventually.eventually(
            vertx, "the missing file counted", WITHIN_MS, () -> node.metric(FAILED) == 1));
    letSeveralChecksPass();

    assertThat(Await.result(peer(node))).isEqualTo(old.certificate());
    assertThat(node.metric(FAILED)).isEqualTo(1);
    assertThat(warnings()).singleElement().asString().contains("cannot read", keyFile.toString());

    TestCertificate renewed = TestCertificate.rsa("renewed.test");
    renewed.writeTo(certFile, keyFile);
    awaitServed(node, renewed);
    assertThat(node.metric(OK)).isEqualTo(1);
  }

  @Test
  void aHalfWrittenRenewalKeepsTheOldCertificateUntilTheKeyFollows() {
    TestCertificate old = TestCertificate.rsa("old.test");
    old.writeTo(certFile, keyFile);
    TestNode node = start();

    TestCertificate renewed = TestCertificate.rsa("renewed.test");
    TestCertificate.write(certFile, renewed.certPem());
    Await.result(
        Eventually.eventually(
            vertx, "the mismatch counted", WITHIN_MS, () -> node.metric(FAILED) == 1));
    assertThat(Await.result(peer(node))).isEqualTo(old.certificate());
    assertThat(warnings()).singleElement().asString().contains("does not match the certificate");

    TestCertificate.write(keyFile, renewed.keyPem());
    awaitServed(node, renewed);
    assertThat(node.metric(OK)).isEqualTo(1);
  }

  @Test
  void aPairThatDoesNotMatchAtStartStopsTheStartNamingTheKeyFile() {
    TestCertificate.rsa("one.test").writeTo(certFile, keyFile);
    TestCertificate.write(keyFile, TestCertificate.rsa("other.test").keyPem());

    Future<TestNode> started =
        TestNode.start(
            vertx,
            Map.of(
                "STOCKSTREAM_TLS_CERT", certFile.toString(),
                "STOCKSTREAM_TLS_KEY", keyFile.toString()));

    Throwable failure =
        Await.result(
            started.<Throwable>transform(
                ar -> Future.succeededFuture(ar.failed() ? ar.cause() : null)));
    assertThat(failure)
        .as("the node started")
        .isNotNull()
        .hasMessageContaining(keyFile + " does not match the certificate in " + certFile);
  }

  @Test
  void aKubernetesSecretUpdatedBySwappingItsDataSymlinkIsServed() throws Exception {
    // The layout of a mounted Secret: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>/. An
    // update writes a new timestamped directory and renames a new ..data link over the old one;
    // the paths the service was given never change, nor do their links' mtimes.
    TestCertificate old = TestCertificate.rsa("old.test");
    Path first = Files.createDirectory(dir.resolve("..2025_01_01_00_00_00.1"));
    old.writeTo(first.resolve("tls.crt"), first.resolve("tls.key"));
    Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
    Files.createSymbolicLink(certFile, Path.of("..data", "tls.crt"));
    Files.createSymbolicLink(keyFile, Path.of("..data", "tls.key"));
    TestNode node = start();
    assertThat(Await.result(peer(node))).isEqualTo(old.certificate());

    TestCertificate renewed = TestCertificate.rsa("renewed.test");
    Path second = Files.createDirectory(dir.resolve("..2025_03_01_00_00_00.2"));
    renewed.writeTo(second.resolve("tls.crt"), second.resolve("tls.key"));
    Path newLink = Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
    Files.move(newLink, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

    awaitServed(node, renewed);
    assertThat(node.metric(OK)).isEqualTo(1);
    assertThat(node.metric(FAILED)).isZero();
  }
}
