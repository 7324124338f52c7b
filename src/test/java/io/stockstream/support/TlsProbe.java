package io.stockstream.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A real TLS client (the JDK's) for tests: one blocking handshake with the protocols and suites a
 * test chooses, trusting any certificate, reporting what was negotiated and which certificate the
 * server showed. Never on an event loop.
 */
public final class TlsProbe {

  private static final int TIMEOUT_MS = 10_000;

  /** What one handshake negotiated. */
  public record Handshake(String protocol, String cipherSuite, X509Certificate peer) {}

  private TlsProbe() {}

  /** A handshake offering only {@code protocols} and {@code suites}; throws when it fails. */
  public static Handshake handshake(int port, List<String> protocols, List<String> suites)
      throws IOException {
    try (Socket tcp = new Socket()) {
      tcp.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
      tcp.setSoTimeout(TIMEOUT_MS);
      try (SSLSocket tls =
          (SSLSocket) trustingAll().getSocketFactory().createSocket(tcp, "localhost", port, true)) {
        tls.setEnabledProtocols(protocols.toArray(String[]::new));
        tls.setEnabledCipherSuites(suites.toArray(String[]::new));
        tls.startHandshake();
        SSLSession session = tls.getSession();
        return new Handshake(
            session.getProtocol(),
            session.getCipherSuite(),
            (X509Certificate) session.getPeerCertificates()[0]);
      }
    }
  }

  /** The certificate a new client with the JDK's defaults (TLS 1.3 and 1.2) is shown. */
  public static X509Certificate peerCertificate(int port) throws IOException {
    SSLParameters defaults = trustingAll().getDefaultSSLParameters();
    return handshake(port, List.of(defaults.getProtocols()), List.of(defaults.getCipherSuites()))
        .peer();
  }

  private static SSLContext trustingAll() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Tests check the certificate themselves, by comparing it with the one they wrote. */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
