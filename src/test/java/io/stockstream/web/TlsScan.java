package io.stockstream.web;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * What a TLS scanner saw on a port, read from sslscan's XML or testssl.sh's JSON: each protocol
 * offered or not, and each accepted suite by protocol and OpenSSL name (TLS 1.3's names are the
 * same in both vocabularies).
 */
record TlsScan(Map<String, Boolean> protocols, List<Suite> accepted) {

  /** Protocols as sslscan names them; a complete scan reports on each. */
  static final List<String> ALL_PROTOCOLS =
      List.of("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3");

  record Suite(String protocol, String name) {
    @Override
    public String toString() {
      return protocol + " " + name;
    }
  }

  /** Parses {@code sslscan --xml=-}. */
  static TlsScan fromSslscanXml(String xml) {
    Document doc;
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      doc =
          factory
              .newDocumentBuilder()
              .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalArgumentException("not sslscan XML: " + e + "\n" + xml, e);
    }
    Map<String, Boolean> protocols = new LinkedHashMap<>();
    NodeList ps = doc.getElementsByTagName("protocol");
    for (int i = 0; i < ps.getLength(); i++) {
      Element p = (Element) ps.item(i);
      String name =
          p.getAttribute("type").equals("ssl")
              ? "SSLv" + p.getAttribute("version")
              : "TLSv" + p.getAttribute("version");
      protocols.put(name, p.getAttribute("enabled").equals("1"));
    }
    List<Suite> accepted = new ArrayList<>();
    NodeList cs = doc.getElementsByTagName("cipher");
    for (int i = 0; i < cs.getLength(); i++) {
      Element c = (Element) cs.item(i);
      String status = c.getAttribute("status");
      if (status.equals("accepted") || status.equals("preferred")) {
        accepted.add(new Suite(c.getAttribute("sslversion"), c.getAttribute("cipher")));
      }
    }
    return new TlsScan(protocols, accepted);
  }

  private static final Map<String, String> TESTSSL_PROTOCOLS =
      Map.of(
          "SSLv2", "SSLv2",
          "SSLv3", "SSLv3",
          "TLS1", "TLSv1.0",
          "TLS1_1", "TLSv1.1",
          "TLS1_2", "TLSv1.2",
          "TLS1_3", "TLSv1.3");

  /** In a finding of {@code -E}: "TLS 1.2 xc030 ECDHE-RSA-AES256-GCM-SHA384 ECDH 253 ...". */
  private static final Pattern TESTSSL_CIPHER =
      Pattern.compile("^(SSLv[23]|TLS 1(?:\\.[123])?)\\s+x[0-9a-f]+\\s+(\\S+)");

  /** Parses testssl.sh's {@code --jsonfile} of {@code -p -E}. */
  static TlsScan fromTestsslJson(String json) {
    Map<String, Boolean> protocols = new LinkedHashMap<>();
    List<Suite> accepted = new ArrayList<>();
    for (Object o : new JsonArray(json)) {
      JsonObject finding = (JsonObject) o;
      String id = finding.getString("id", "");
      String text = finding.getString("finding", "");
      if (TESTSSL_PROTOCOLS.containsKey(id)) {
        protocols.put(
            TESTSSL_PROTOCOLS.get(id), text.startsWith("offered") && !text.contains("not"));
      } else if (id.startsWith("cipher-") && !text.contains("not offered")) {
        Matcher m = TESTSSL_CIPHER.matcher(text.trim());
        if (!m.find()) {
          throw new IllegalArgumentException("unexpected cipher finding: " + finding);
        }
        String version = m.group(1);
        String protocol =
            version.startsWith("SSL")
                ? version
                : "TLSv" + (version.equals("TLS 1") ? "1.0" : version.substring(4));
        accepted.add(new Suite(protocol, m.group(2)));
      }
    }
    return new TlsScan(protocols, accepted);
  }
}
