package io.stockstream.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The outside TLS check can fail: on real scans of weak servers (kept under {@code tlsscan/}: an
 * OpenSSL {@code s_server} with every suite at security level 0, and this service before the
 * profile, on the JDK's defaults) it names each breach, and on scans of the service with the
 * profile it finds none.
 */
class TlsScanTest {

  private static String fixture(String name) {
    try (InputStream in = TlsScanTest.class.getResourceAsStream("/tlsscan/" + name)) {
      if (in == null) {
        throw new IllegalStateException("no fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void anOpenSslServerWithEverythingOnBreaksTheRuleInEveryWay() {
    TlsScan scan = TlsScan.fromSslscanXml(fixture("sslscan-openssl-everything.xml"));
    List<String> violations = IntermediateProfileRule.violations(scan);

    assertThat(violations)
        .contains("TLSv1.0 is enabled", "TLSv1.1 is enabled")
        .anyMatch(v -> v.startsWith("TLSv1.0 ") && v.contains("accepted on TLSv1.0"))
        .anyMatch(
            v -> v.equals("TLSv1.2 AES128-SHA: static RSA or no forward secrecy, CBC or not AEAD"))
        .anyMatch(v -> v.equals("TLSv1.2 ECDHE-RSA-AES128-SHA256: CBC or not AEAD"))
        .anyMatch(v -> v.startsWith("TLSv1.2 ADH-AES128-GCM-SHA256: anonymous"))
        .anyMatch(
            v -> v.equals("TLSv1.2 ECDHE-ARIA128-GCM-SHA256: not in Mozilla's intermediate list"));
    // Its Mozilla suites are not among the breaches.
    assertThat(violations).noneMatch(v -> v.startsWith("TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256:"));
  }

  @Test
  void theServiceOnTheJdkDefaultsBreaksTheRuleWithCbcAndStaticRsaSuites() {
    for (TlsScan scan :
        List.of(
            TlsScan.fromSslscanXml(fixture("sslscan-jdk-defaults.xml")),
            TlsScan.fromTestsslJson(fixture("testssl-jdk-defaults.json")))) {
      List<String> violations = IntermediateProfileRule.violations(scan);

      assertThat(violations)
          .as("%s", scan)
          .contains(
              "TLSv1.2 ECDHE-RSA-AES256-SHA384: CBC or not AEAD",
              "TLSv1.2 ECDHE-RSA-AES128-SHA: CBC or not AEAD",
              "TLSv1.2 DHE-RSA-AES128-SHA256: CBC or not AEAD",
              "TLSv1.2 AES128-GCM-SHA256: static RSA or no forward secrecy",
              "TLSv1.2 AES256-SHA: static RSA or no forward secrecy, CBC or not AEAD")
          .hasSize(14);
    }
  }

  @Test
  void theServiceWithTheProfilePassesOnBothScanners() {
    for (TlsScan scan :
        List.of(
            TlsScan.fromSslscanXml(fixture("sslscan-intermediate.xml")),
            TlsScan.fromTestsslJson(fixture("testssl-intermediate.json")))) {
      assertThat(IntermediateProfileRule.violations(scan)).as("%s", scan).isEmpty();
      assertThat(scan.accepted()).hasSize(6);
    }
  }

  @ParameterizedTest(name = "{0} {1}: {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "TLSv1.2 | NULL-SHA256 | NULL, static RSA or no forward secrecy, CBC or not AEAD",
        "TLSv1.2 | EXP-RC4-MD5 | EXPORT, RC4, static RSA or no forward secrecy, CBC or not AEAD",
        "TLSv1.2 | ECDHE-RSA-RC4-SHA | RC4, CBC or not AEAD",
        "TLSv1.2 | ECDHE-RSA-DES-CBC3-SHA | 3DES, CBC or not AEAD",
        "TLSv1.1 | ECDHE-RSA-AES128-GCM-SHA256 | accepted on TLSv1.1",
        "TLSv1.3 | TLS_AES_128_CCM_8_SHA256 | not a TLS 1.3 suite of the profile",
        "TLSv1.2 | DHE-RSA-AES256-GCM-SHA384 | ",
        "TLSv1.2 | ECDHE-ECDSA-CHACHA20-POLY1305 | ",
        "TLSv1.3 | TLS_CHACHA20_POLY1305_SHA256 | "
      })
  void eachSuiteGetsItsReasons(String protocol, String name, String reasons) {
    String why =
        String.join(", ", IntermediateProfileRule.reasons(new TlsScan.Suite(protocol, name)));

    assertThat(why).isEqualTo(reasons == null ? "" : reasons);
  }
}
