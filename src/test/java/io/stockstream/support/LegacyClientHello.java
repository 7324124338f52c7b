package io.stockstream.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;

/**
 * A hand-made TLS ClientHello of any version, sent over a plain socket, and the first record the
 * server answers with. The JDK's own client refuses to offer TLS 1.0 or 1.1 (they are in its {@code
 * jdk.tls.disabledAlgorithms}), so a test of the server's refusal writes the bytes itself.
 */
public final class LegacyClientHello {

  public static final int SSL_3_0 = 0x0300;
  public static final int TLS_1_0 = 0x0301;
  public static final int TLS_1_1 = 0x0302;
  public static final int TLS_1_2 = 0x0303;

  private static final int HANDSHAKE = 22;
  private static final int ALERT = 21;
  private static final int TIMEOUT_MS = 10_000;

  /**
   * The server's first record: a {@code ServerHello} (a handshake record whose first message is of
   * type 2) or an alert with its description (70 protocol_version, 40 handshake_failure).
   */
  public record Reply(int contentType, int first, int second) {
    public boolean isServerHello() {
      return contentType == HANDSHAKE && first == 2;
    }

    public boolean isFatalAlert() {
      return contentType == ALERT && first == 2;
    }

    public int alertDescription() {
      return second;
    }
  }

  private LegacyClientHello() {}

  /** Sends a ClientHello of {@code version} offering {@code suites} (IANA code points). */
  public static Reply send(int port, int version, int... suites) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
      socket.setSoTimeout(TIMEOUT_MS);
      OutputStream out = socket.getOutputStream();
      out.write(record(version, suites));
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      try {
        int type = in.readUnsignedByte();
        in.readUnsignedShort(); // record version
        int length = in.readUnsignedShort();
        byte[] body = new byte[length];
        in.readFully(body);
        return new Reply(
            type, body.length > 0 ? body[0] & 0xFF : -1, body.length > 1 ? body[1] & 0xFF : -1);
      } catch (EOFException closed) {
        // Closed without a word: a refusal too, but one a test should see as such.
        return new Reply(-1, -1, -1);
      }
    }
  }

  private static byte[] record(int version, int... suites) {
    ByteArrayOutputStream hello = new ByteArrayOutputStream();
    u16(hello, version);
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    hello.writeBytes(random);
    hello.write(0); // no session id
    u16(hello, suites.length * 2);
    for (int suite : suites) {
      u16(hello, suite);
    }
    hello.write(1); // one compression method: null
    hello.write(0);
    byte[] extensions = extensions();
    u16(hello, extensions.length);
    hello.writeBytes(extensions);

    ByteArrayOutputStream handshake = new ByteArrayOutputStream();
    handshake.write(1); // client_hello
    u24(handshake, hello.size());
    handshake.writeBytes(hello.toByteArray());

    ByteArrayOutputStream record = new ByteArrayOutputStream();
    record.write(HANDSHAKE);
    u16(record, TLS_1_0); // the record layer's version, as real clients send it
    u16(record, handshake.size());
    record.writeBytes(handshake.toByteArray());
    return record.toByteArray();
  }

  /** What an ECDHE suite needs: named groups, point formats and signature algorithms. */
  private static byte[] extensions() {
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    // supported_groups: x25519, secp256r1, secp384r1
    listExtension(e, 10, 0x001d, 0x0017, 0x0018);
    // ec_point_formats: uncompressed
    u16(e, 11);
    u16(e, 2);
    e.write(1);
    e.write(0);
    // signature_algorithms: rsa_pss_rsae_sha256, rsa_pkcs1_sha256, ecdsa_secp256r1_sha256
    listExtension(e, 13, 0x0804, 0x0401, 0x0403);
    return e.toByteArray();
  }

  /** An extension whose body is one list of 16-bit values. */
  private static void listExtension(ByteArrayOutputStream out, int type, int... values) {
    u16(out, type);
    u16(out, values.length * 2 + 2);
    u16(out, values.length * 2);
    for (int v : values) {
      u16(out, v);
    }
  }

  private static void u16(ByteArrayOutputStream out, int v) {
    out.write((v >> 8) & 0xFF);
    out.write(v & 0xFF);
  }

  private static void u24(ByteArrayOutputStream out, int v) {
    out.write((v >> 16) & 0xFF);
    u16(out, v);
  }
}
