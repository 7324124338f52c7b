package io.stockstream.web;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The contract's TLS rule, checked from outside on what a scanner saw, independently of {@link
 * TlsProfile}: TLS 1.2 and 1.3 only, and on 1.2 only forward-secret AEAD suites of Mozilla's
 * intermediate profile. Each breach is named with its reason, so a failure says what is wrong.
 */
final class IntermediateProfileRule {

  private static final List<String> ALLOWED_PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");

  private static final Pattern TLS13 =
      Pattern.compile("TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)");

  /** Mozilla intermediate's TLS 1.2 suites, in OpenSSL's names, DHE-RSA included. */
  private static final Pattern TLS12 =
      Pattern.compile(
          "(ECDHE-ECDSA|ECDHE-RSA|DHE-RSA)-(AES128-GCM-SHA256|AES256-GCM-SHA384|CHACHA20-POLY1305)");

  private IntermediateProfileRule() {}

  static List<String> violations(TlsScan scan) {
    List<String> found = new ArrayList<>();
    for (String protocol : TlsScan.ALL_PROTOCOLS) {
      Boolean enabled = scan.protocols().get(protocol);
      if (enabled == null) {
        found.add(protocol + ": the scan says nothing about it");
      } else if (enabled != ALLOWED_PROTOCOLS.contains(protocol)) {
        found.add(protocol + (enabled ? " is enabled" : " is not enabled"));
      }
    }
    if (scan.accepted().isEmpty()) {
      found.add("no accepted suite in the scan");
    }
    for (TlsScan.Suite suite : scan.accepted()) {
      List<String> why = reasons(suite);
      if (!why.isEmpty()) {
        found.add(suite + ": " + String.join(", ", why));
      }
    }
    return found;
  }

  /** Why one accepted suite breaks the rule; empty when it keeps it. */
  static List<String> reasons(TlsScan.Suite suite) {
    String name = suite.name();
    List<String> why = new ArrayList<>();
    if (!ALLOWED_PROTOCOLS.contains(suite.protocol())) {
      why.add("accepted on " + suite.protocol());
    }
    if (suite.protocol().equals("TLSv1.3")) {
      if (!TLS13.matcher(name).matches()) {
        why.add("not a TLS 1.3 suite of the profile");
      }
      return why;
    }
    if (name.contains("NULL")) {
      why.add("NULL");
    }
    if (name.startsWith("EXP")) {
      why.add("EXPORT");
    }
    if (name.contains("RC4")) {
      why.add("RC4");
    }
    if (name.contains("DES-CBC3") || name.contains("3DES")) {
      why.add("3DES");
    }
    if (name.startsWith("ADH") || name.startsWith("AECDH") || name.contains("anon")) {
      why.add("anonymous");
    } else if (!(name.startsWith("ECDHE-") || name.startsWith("DHE-") || name.startsWith("EDH-"))) {
      why.add("static RSA or no forward secrecy");
    }
    if (!(name.contains("GCM") || name.contains("CHACHA20-POLY1305") || name.contains("CCM"))) {
      why.add("CBC or not AEAD");
    }
    if (why.isEmpty() && !TLS12.matcher(name).matches()) {
      why.add("not in Mozilla's intermediate list");
    }
    return why;
  }
}
