package io.stockstream.support;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed certificate and its private key for TLS tests, as the PEM text a server reads and
 * the certificate a client is shown. RSA keys are written as cert-manager writes them by default,
 * PKCS#1 ({@code RSA PRIVATE KEY}); EC keys as PKCS#8 ({@code PRIVATE KEY}), since the JDK's EC key
 * carries its curve only in the PKCS#8 wrapper, and Vert.x needs the curve in a SEC 1 key.
 */
public record TestCertificate(String certPem, String keyPem, X509Certificate certificate) {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** RSA 2048, signed with SHA-256, for {@code CN=<commonName>}. */
  public static TestCertificate rsa(String commonName) {
    return make(commonName, "RSA", "SHA256withRSA");
  }

  /** EC P-256, signed with ECDSA and SHA-256: the certificate the ECDHE-ECDSA suites need. */
  public static TestCertificate ec(String commonName) {
    return make(commonName, "EC", "SHA256withECDSA");
  }

  private static TestCertificate make(String commonName, String keyType, String signature) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(keyType);
      if (keyType.equals("EC")) {
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      } else {
        generator.initialize(2048, RANDOM);
      }
      KeyPair pair = generator.generateKeyPair();
      X500Principal name = new X500Principal("CN=" + commonName);
      Instant now = Instant.now();
      X509Certificate cert =
          new JcaX509CertificateConverter()
              .getCertificate(
                  new JcaX509v3CertificateBuilder(
                          name,
                          new BigInteger(64, RANDOM),
                          Date.from(now.minus(Duration.ofHours(1))),
                          Date.from(now.plus(Duration.ofDays(30))),
                          name,
                          pair.getPublic())
                      .build(new JcaContentSignerBuilder(signature).build(pair.getPrivate())));
      Object key =
          keyType.equals("EC") ? new JcaPKCS8Generator(pair.getPrivate(), null) : pair.getPrivate();
      return new TestCertificate(pem(cert), pem(key), cert);
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(Object o) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * Puts the certificate and the key in place of {@code cert} and {@code key}, in that order, each
   * whole by a rename, as a renewal tool does: a reload check never reads a truncated file, and the
   * old key beside the new certificate only for the instant between the two renames.
   */
  public void writeTo(Path cert, Path key) {
    replace(cert, certPem);
    replace(key, keyPem);
  }

  private static void replace(Path file, String text) {
    Path next = file.resolveSibling(file.getFileName() + ".next");
    write(next, text);
    try {
      Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void write(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    // Never the key: assertion messages print records.
    return "TestCertificate[" + certificate.getSubjectX500Principal().getName() + "]";
  }
}
