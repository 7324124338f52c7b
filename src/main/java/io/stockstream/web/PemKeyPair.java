package io.stockstream.web;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Enumeration;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;

/**
 * The bytes of a PEM certificate chain and its private key, as read from their two files, and the
 * check that they parse and belong together before they are served. Two pairs are equal when their
 * files and bytes are (Vert.x buffers compare by content).
 */
public record PemKeyPair(Path certFile, Buffer cert, Path keyFile, Buffer key) {

  /** Why a pair cannot be served: names the file at fault, never its content. */
  public static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(Path file, String problem) {
      super(file + " " + problem);
    }
  }

  /** Reads both files without blocking. */
  public static Future<PemKeyPair> read(Vertx vertx, Path certFile, Path keyFile) {
    Future<Buffer> cert = vertx.fileSystem().readFile(certFile.toString());
    Future<Buffer> key = vertx.fileSystem().readFile(keyFile.toString());
    return Future.all(cert, key)
        .map(v -> new PemKeyPair(certFile, cert.result(), keyFile, key.result()));
  }

  /** Options that serve exactly these bytes, never re-read from the files. */
  public PemKeyCertOptions options() {
    return new PemKeyCertOptions().setCertValue(cert.copy()).setKeyValue(key.copy());
  }

  /**
   * The leaf certificate, once the chain parses, the key parses as Vert.x reads it (PKCS#8, RSA or
   * EC) and signs what the leaf's public key verifies. Blocking CPU work: run it on a worker.
   *
   * @throws Invalid naming the file at fault
   */
  public X509Certificate check(Vertx vertx) throws Invalid {
    X509Certificate leaf = leaf();
    PrivateKey privateKey;
    try {
      privateKey = privateKey(vertx, leaf);
    } catch (Exception e) {
      // Also an RSA key beside an EC certificate: Java refuses to put the two in one entry.
      throw new Invalid(keyFile, "is not a PEM private key of the certificate's type (RSA or EC)");
    }
    if (!signs(privateKey, leaf)) {
      throw new Invalid(keyFile, "does not match the certificate in " + certFile);
    }
    return leaf;
  }

  private X509Certificate leaf() throws Invalid {
    // The JDK would also take DER; Vert.x reads only PEM, so only PEM passes here.
    if (!cert.toString(StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
      throw new Invalid(certFile, "holds no PEM certificate");
    }
    try {
      Collection<? extends Certificate> chain =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(cert.getBytes()));
      if (chain.isEmpty() || !(chain.iterator().next() instanceof X509Certificate leaf)) {
        throw new Invalid(certFile, "holds no X.509 certificate");
      }
      return leaf;
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new Invalid(certFile, "is not a PEM certificate chain");
    }
  }

  /** The key as the server would load it: through Vert.x's own PEM reader. */
  private PrivateKey privateKey(Vertx vertx, X509Certificate leaf) throws Exception {
    PemKeyCertOptions options = options();
    KeyStore store = options.loadKeyStore(vertx);
    Enumeration<String> aliases = store.aliases();
    if (!aliases.hasMoreElements()) {
      throw new IllegalStateException("no key entry");
    }
    String alias = aliases.nextElement();
    KeyManagerFactory factory = options.getKeyManagerFactory(vertx);
    for (KeyManager manager : factory.getKeyManagers()) {
      if (manager instanceof X509KeyManager x509) {
        PrivateKey key = x509.getPrivateKey(alias);
        if (key == null) {
          // A key manager that names its entries its own way (PKIX): ask it by the key's type.
          String chosen = x509.chooseServerAlias(leaf.getPublicKey().getAlgorithm(), null, null);
          key = chosen == null ? null : x509.getPrivateKey(chosen);
        }
        if (key != null) {
          return key;
        }
      }
    }
    throw new IllegalStateException("no private key");
  }

  /** Whether the key signs what the certificate's public key verifies: the one proof of a pair. */
  private static boolean signs(PrivateKey key, X509Certificate leaf) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> null;
        };
    if (algorithm == null) {
      return false;
    }
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    // Never the bytes: a record's default toString would print the private key.
    return "PemKeyPair[" + certFile + ", " + keyFile + "]";
  }
}
