package io.stockstream.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.Await;
import io.stockstream.support.Command;
import io.stockstream.support.ExternalTool;
import io.stockstream.support.ServiceProcess;
import io.stockstream.support.TestCertificate;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real jar, scanned from outside by Debian's sslscan (and testssl.sh): its public port offers
 * TLS 1.2 and 1.3 only, and only Mozilla intermediate's forward-secret AEAD suites, in self-signed
 * and in PEM mode. The same check run on a server with the JDK's defaults fails, so a pass means
 * something.
 */
class SslScanIT {

  /** What an RSA certificate gets: every TLS 1.3 suite, and ECDHE-RSA with GCM or ChaCha20. */
  private static final List<String> EXPECTED_WITH_RSA =
      List.of(
          "TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256",
          "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384",
          "TLSv1.2 ECDHE-RSA-CHACHA20-POLY1305",
          "TLSv1.3 TLS_AES_128_GCM_SHA256",
          "TLSv1.3 TLS_AES_256_GCM_SHA384",
          "TLSv1.3 TLS_CHACHA20_POLY1305_SHA256");

  private static final Duration SCAN_TIMEOUT = Duration.ofMinutes(3);

  @TempDir Path dir;
  private final List<ServiceProcess> processes = new ArrayList<>();
  private Vertx vertx;

  @AfterEach
  void stopEverything() {
    processes.forEach(ServiceProcess::close);
    if (vertx != null) {
      Await.result(vertx.close());
    }
  }

  private int startJar(Map<String, String> tls) throws Exception {
    Map<String, String> env = new HashMap<>(tls);
    env.put("STOCKSTREAM_HOST", "127.0.0.1");
    env.put("STOCKSTREAM_HTTP_PORT", "0");
    env.put("STOCKSTREAM_MANAGEMENT_PORT", "0");
    ServiceProcess p = ServiceProcess.start(env);
    processes.add(p);
    return p.publicPort();
  }

  private int startPemJar() throws Exception {
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    TestCertificate.rsa("localhost").writeTo(cert, key);
    return startJar(
        Map.of("STOCKSTREAM_TLS_CERT", cert.toString(), "STOCKSTREAM_TLS_KEY", key.toString()));
  }

  /**
   * One sslscan of the port. Without the key-exchange groups: the JDK answers some of sslscan's
   * group probes with silence, and waiting for each one's timeout takes two minutes.
   */
  private static TlsScan sslscan(int port) throws Exception {
    Path tool = ExternalTool.require("sslscan", "sslscan");
    long start = System.nanoTime();
    Command scan =
        Command.run(
            List.of(tool.toString(), "--no-colour", "--no-groups", "--xml=-", "127.0.0.1:" + port),
            SCAN_TIMEOUT);
    assertThat(scan.exitCode()).as("%s", scan).isZero();
    TlsScan result = TlsScan.fromSslscanXml(scan.stdout());
    System.out.printf(
        "sslscan of port %d (%d ms): %s; accepted %s%n",
        port, (System.nanoTime() - start) / 1_000_000, result.protocols(), result.accepted());
    return result;
  }

  private static List<String> accepted(TlsScan scan) {
    return scan.accepted().stream().map(TlsScan.Suite::toString).sorted().toList();
  }

  @Test
  void inSelfSignedModeSslscanSeesOnlyTheIntermediateProfile() throws Exception {
    TlsScan scan = sslscan(startJar(Map.of("STOCKSTREAM_TLS_SELF_SIGNED", "true")));

    assertThat(IntermediateProfileRule.violations(scan)).isEmpty();
    assertThat(accepted(scan)).isEqualTo(EXPECTED_WITH_RSA);
  }

  @Test
  void inPemModeSslscanSeesOnlyTheIntermediateProfile() throws Exception {
    TlsScan scan = sslscan(startPemJar());

    assertThat(IntermediateProfileRule.violations(scan)).isEmpty();
    assertThat(accepted(scan)).isEqualTo(EXPECTED_WITH_RSA);
  }

  @Test
  void theSameCheckFailsOnAServerWithTheJdkDefaults() throws Exception {
    // The control: what the public port was before the profile, a Vert.x server with TLS on and
    // nothing else said, scanned by the same command and judged by the same rule.
    vertx = Vertx.vertx();
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    HttpServer server =
        Await.result(
            vertx
                .createHttpServer(
                    new HttpServerOptions().setSsl(true).setKeyCertOptions(cert.keyCertOptions()))
                .requestHandler(req -> req.response().end())
                .listen(0, "127.0.0.1"));

    List<String> violations = IntermediateProfileRule.violations(sslscan(server.actualPort()));

    assertThat(violations)
        .anyMatch(v -> v.contains("CBC or not AEAD"))
        .anyMatch(v -> v.contains("static RSA or no forward secrecy"));
  }

  @Test
  void testsslSeesTheSameProfile() throws Exception {
    Path tool = ExternalTool.require("testssl", "testssl.sh");
    int port = startPemJar();
    Path json = dir.resolve("testssl.json");
    long start = System.nanoTime();
    // -p protocols and -E each suite per protocol: the half of testssl.sh this rule needs, about
    // half a minute; the full run takes minutes and mostly repeats what is checked here.
    Command run =
        Command.run(
            List.of(
                tool.toString(),
                "--quiet",
                "--color",
                "0",
                "--warnings",
                "off",
                "--nodns",
                "none",
                "--jsonfile",
                json.toString(),
                "-p",
                "-E",
                "127.0.0.1:" + port),
            SCAN_TIMEOUT);
    assertThat(Files.exists(json)).as("%s", run).isTrue();
    TlsScan scan = TlsScan.fromTestsslJson(Files.readString(json));
    System.out.printf(
        "testssl.sh -p -E of port %d (%d ms): %s; accepted %s%n",
        port,
        (System.nanoTime() - start) / 1_000_000,
        scan.protocols(),
        scan.accepted().stream().map(TlsScan.Suite::toString).collect(Collectors.joining(", ")));

    assertThat(IntermediateProfileRule.violations(scan)).isEmpty();
    assertThat(accepted(scan)).isEqualTo(EXPECTED_WITH_RSA);
  }
}
