package io.stockstream.http;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * JWTs made by hand from Base64url and the JCA, so that every flaw an attacker could put in a token
 * can be made: each attack is one flaw away from the valid token {@link #valid} makes.
 */
final class JwtForge {

  /** One bad token, as a client would send it: an Authorization header and/or a query value. */
  record Attack(String name, String authorization, String query) {

    static Attack of(String name, String token) {
      return new Attack(name, "Bearer " + token, token);
    }

    /** The token strings of this attack, and their signature parts, that must never be logged. */
    List<String> secrets() {
      List<String> out = new ArrayList<>();
      for (String s : new String[] {bearerToken(), query}) {
        if (s != null && s.length() >= 8) {
          out.add(s);
          String[] parts = s.split("\\.");
          if (parts.length >= 3 && parts[2].length() >= 8) {
            out.add(parts[2]);
          }
        }
      }
      return out;
    }

    private String bearerToken() {
      return authorization == null || authorization.length() <= 7
          ? null
          : authorization.substring(7);
    }
  }

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final String secret;
  private final long now = System.currentTimeMillis() / 1000;

  JwtForge(String secret) {
    this.secret = secret;
  }

  static String b64(String text) {
    return B64.encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static String header(String alg) {
    return b64(new JsonObject().put("alg", alg).put("typ", "JWT").encode());
  }

  /** Claims issued now that expire in 5 minutes, then {@code extra} over them. */
  String claims(JsonObject extra) {
    return b64(
        new JsonObject()
            .put("sub", "trader-1")
            .put("iat", now)
            .put("exp", now + 300)
            .mergeIn(extra)
            .encode());
  }

  static byte[] hmac(String javaAlg, String key, String input) {
    try {
      Mac mac = Mac.getInstance(javaAlg);
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), javaAlg));
      return mac.doFinal(input.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code header.payload} followed by its signature made with {@code javaAlg} and {@code key}. */
  static String signed(String header, String payload, String javaAlg, String key) {
    String input = header + "." + payload;
    return input + "." + B64.encodeToString(hmac(javaAlg, key, input));
  }

  /** A valid HS256 token, signed with the secret, with a {@code pad} claim of {@code pad} chars. */
  String valid(int pad) {
    JsonObject extra = pad == 0 ? new JsonObject() : new JsonObject().put("pad", "x".repeat(pad));
    return signed(header("HS256"), claims(extra), "HmacSHA256", secret);
  }

  static String rs256(String payload) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair pair = generator.generateKeyPair();
      String input = header("RS256") + "." + payload;
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(pair.getPrivate());
      rsa.update(input.getBytes(StandardCharsets.UTF_8));
      return input + "." + B64.encodeToString(rsa.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The token with one byte of its signature flipped. */
  static String flipSignatureByte(String token) {
    int dot = token.lastIndexOf('.');
    byte[] sig = Base64.getUrlDecoder().decode(token.substring(dot + 1));
    sig[sig.length / 2] ^= 0x01;
    return token.substring(0, dot + 1) + B64.encodeToString(sig);
  }

  /** Every attack of the contract; none of them may get past the 401. */
  List<Attack> attacks() {
    String hs256 = header("HS256");
    String payload = claims(new JsonObject());
    String good = signed(hs256, payload, "HmacSHA256", secret);
    String goodSig = good.substring(good.lastIndexOf('.') + 1);
    List<Attack> a = new ArrayList<>();
    a.add(Attack.of("alg none, empty signature", header("none") + "." + payload + "."));
    a.add(Attack.of("alg none, no signature part", header("none") + "." + payload));
    a.add(Attack.of("alg none, with signature", header("none") + "." + payload + "." + goodSig));
    a.add(Attack.of("alg None", header("None") + "." + payload + "."));
    a.add(Attack.of("no alg", signed(b64("{\"typ\":\"JWT\"}"), payload, "HmacSHA256", secret)));
    a.add(
        Attack.of("HS384 with the secret", signed(header("HS384"), payload, "HmacSHA384", secret)));
    a.add(
        Attack.of("HS512 with the secret", signed(header("HS512"), payload, "HmacSHA512", secret)));
    a.add(
        Attack.of(
            "RS256 header, HMAC-SHA256 with the secret (key confusion)",
            signed(header("RS256"), payload, "HmacSHA256", secret)));
    a.add(Attack.of("RS256 with a fresh RSA key", rs256(payload)));
    a.add(
        Attack.of(
            "exp in the past",
            signed(
                hs256,
                claims(new JsonObject().put("iat", now - 600).put("exp", now - 300)),
                "HmacSHA256",
                secret)));
    a.add(
        Attack.of(
            "nbf in the future",
            signed(hs256, claims(new JsonObject().put("nbf", now + 3600)), "HmacSHA256", secret)));
    a.add(
        Attack.of(
            "iat a day in the future",
            signed(
                hs256,
                claims(new JsonObject().put("iat", now + 86_400).put("exp", now + 90_000)),
                "HmacSHA256",
                secret)));
    a.add(Attack.of("one flipped signature byte", flipSignatureByte(good)));
    a.add(Attack.of("signed with another secret", signed(hs256, payload, "HmacSHA256", "other")));
    a.add(
        Attack.of(
            "payload changed after signing", hs256 + "." + claims(sub("admin")) + "." + goodSig));
    a.add(Attack.of("two parts", hs256 + "." + payload));
    a.add(Attack.of("four parts", good + "." + goodSig));
    a.add(Attack.of("not base64", "@@@.!!!.***"));
    a.add(Attack.of("not base64, signed", signed("@@@", "!!!", "HmacSHA256", secret)));
    a.add(Attack.of("header not JSON", signed(b64("not json"), payload, "HmacSHA256", secret)));
    a.add(Attack.of("payload not JSON", signed(hs256, b64("{not json"), "HmacSHA256", secret)));
    a.add(Attack.of("payload a JSON array", signed(hs256, b64("[1]"), "HmacSHA256", secret)));
    a.add(new Attack("empty string", "Bearer ", ""));
    a.add(new Attack("Bearer with no token", "Bearer", null));
    a.add(new Attack("Bearer with only spaces", "Bearer    ", null));
    a.add(Attack.of("100 KiB token, validly signed", valid(77_000)));
    a.add(Attack.of("100 KiB of garbage", "A".repeat(100 * 1024)));
    return a;
  }

  private static JsonObject sub(String sub) {
    return new JsonObject().put("sub", sub);
  }
}
