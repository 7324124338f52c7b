package io.stockstream.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;

/**
 * The cluster settings, out of {@link ConfigLoader} for its size. Cluster mode is on when
 * CLUSTER_MEMBERS or CLUSTER_DNS is set. Values come through the loader, so trimming, flags over
 * the environment and number bounds are those of every other setting.
 */
final class ClusterSettings {

  /** This machine's own address: a lookup that can fail, which tests stand in for. */
  @FunctionalInterface
  interface LocalAddress {
    String get() throws UnknownHostException;
  }

  /** In a pod the hostname resolves, through the hosts file Kubernetes writes, to the pod's IP. */
  static final LocalAddress SYSTEM = () -> InetAddress.getLocalHost().getHostAddress();

  private static final String MEMBER_LIST_HOST = "127.0.0.1";

  /** An RFC 1123 label: no hyphen at either end, at most 63 characters. */
  private static final Pattern LABEL =
      Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

  private static final Pattern ALL_DIGITS = Pattern.compile("[0-9]+");

  private static final Pattern OCTET = Pattern.compile("25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]");

  /** Only hex digits, colons and dots: no zone (%eth0), which names an interface of one machine. */
  private static final Pattern IPV6_TEXT = Pattern.compile("[0-9A-Fa-f:.]+");

  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

  private static final String BRACKETS = "an IPv6 address goes in brackets, as [::1]:5701";

  private ClusterSettings() {}

  static Optional<Config.Cluster> read(
      Function<Setting, Optional<String>> value,
      ToIntFunction<Setting> number,
      LocalAddress localAddress) {
    Optional<String> members = value.apply(Setting.CLUSTER_MEMBERS);
    Optional<String> dns = value.apply(Setting.CLUSTER_DNS);
    if (members.isEmpty() && dns.isEmpty()) {
      // Strict, as the TLS pair is: a node that was meant to join must not start alone unnoticed.
      for (Setting s : List.of(Setting.CLUSTER_HOST, Setting.CLUSTER_PORT, Setting.EVENTBUS_PORT)) {
        if (value.apply(s).isPresent()) {
          throw ConfigException.of(s, "needs cluster mode: set CLUSTER_MEMBERS or CLUSTER_DNS too");
        }
      }
      return Optional.empty();
    }
    if (members.isPresent() && dns.isPresent()) {
      throw ConfigException.of(
          Setting.CLUSTER_DNS,
          "cannot be combined with CLUSTER_MEMBERS: a node joins by a member list or by DNS");
    }
    Config.Join join = members.isPresent() ? members(members.get()) : dns(dns.get());
    int port = number.applyAsInt(Setting.CLUSTER_PORT);
    int eventBusPort = number.applyAsInt(Setting.EVENTBUS_PORT);
    if (port == eventBusPort) {
      throw ConfigException.of(
          Setting.EVENTBUS_PORT, "must differ from CLUSTER_PORT; both are " + port);
    }
    String host =
        value
            .apply(Setting.CLUSTER_HOST)
            .map(ClusterSettings::host)
            .orElseGet(() -> defaultHost(join, localAddress));
    return Optional.of(new Config.Cluster(join, host, port, eventBusPort));
  }

  private static Config.Join.Members members(String list) {
    if (list.isEmpty()) {
      throw ConfigException.of(Setting.CLUSTER_MEMBERS, "must not be empty");
    }
    List<Config.HostPort> members = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String e : list.split(",", -1)) {
      String entry = e.trim();
      if (entry.isEmpty()) {
        throw ConfigException.of(Setting.CLUSTER_MEMBERS, "'" + list + "' has an empty entry");
      }
      Config.HostPort member = member(entry);
      // Compared as addresses, so that [::1] and [0:0:0:0:0:0:0:1] are one member; names as
      // written, since telling that a name and an address are one machine needs DNS.
      String key = member.host().contains(":") ? ipv6(member.host()).orElseThrow() : member.host();
      if (!seen.add(key.toLowerCase(Locale.ROOT) + "/" + member.port())) {
        throw ConfigException.of(Setting.CLUSTER_MEMBERS, member + " is listed twice");
      }
      members.add(member);
    }
    return new Config.Join.Members(members);
  }

  private static Config.HostPort member(String entry) {
    String host;
    String portText;
    if (entry.startsWith("[")) {
      int close = entry.indexOf(']');
      if (close < 0) {
        throw badMember("'" + entry + "' is not host:port; " + BRACKETS);
      }
      if (close + 1 == entry.length()) {
        throw badMember("'" + entry + "' has no port: each member is host:port");
      }
      if (entry.charAt(close + 1) != ':') {
        throw badMember("'" + entry + "' is not host:port; " + BRACKETS);
      }
      host = entry.substring(1, close);
      portText = entry.substring(close + 2);
      if (ipv6(host).isEmpty()) {
        throw badMember("'" + entry + "': '" + host + "' is not a plain IPv6 address");
      }
    } else {
      int colon = entry.indexOf(':');
      if (colon < 0) {
        throw badMember("'" + entry + "' has no port: each member is host:port");
      }
      if (entry.indexOf(':', colon + 1) >= 0) {
        throw badMember("'" + entry + "' is not host:port; " + BRACKETS);
      }
      host = entry.substring(0, colon).trim();
      portText = entry.substring(colon + 1);
      if (host.isEmpty()) {
        throw badMember("'" + entry + "' has no host: each member is host:port");
      }
      if (!isIpv4(host) && dnsNameProblem(host).isPresent()) {
        throw badMember("'" + entry + "': '" + host + "' is not a hostname or IPv4 address");
      }
    }
    portText = portText.trim();
    int port = PORT.matcher(portText).matches() ? Integer.parseInt(portText) : -1;
    if (port < 1 || port > 65_535) {
      throw badMember("'" + entry + "': port '" + portText + "' is not in 1..65535");
    }
    return new Config.HostPort(host, port);
  }

  private static ConfigException badMember(String problem) {
    return ConfigException.of(Setting.CLUSTER_MEMBERS, problem);
  }

  private static Config.Join.Dns dns(String name) {
    if (name.isEmpty()) {
      throw ConfigException.of(Setting.CLUSTER_DNS, "must not be empty");
    }
    Optional<String> problem = dnsNameProblem(name);
    if (problem.isPresent()) {
      throw ConfigException.of(
          Setting.CLUSTER_DNS, "'" + name + "' is not a DNS name: " + problem.get());
    }
    return new Config.Join.Dns(name);
  }

  /** A given CLUSTER_HOST, an IPv6 address without its brackets. */
  private static String host(String given) {
    if (given.isEmpty()) {
      throw ConfigException.of(Setting.CLUSTER_HOST, "must not be empty");
    }
    boolean bracketed = given.startsWith("[") && given.endsWith("]");
    String bare = bracketed ? given.substring(1, given.length() - 1) : given;
    Optional<String> v6 = ipv6(bare);
    boolean address = v6.isPresent() || (!bracketed && isIpv4(given));
    if (address || (!bracketed && dnsNameProblem(given).isEmpty())) {
      // It is bound and also told to the others: "every interface" tells them nothing.
      if (given.equals("0.0.0.0") || v6.filter(a -> a.equals("0:0:0:0:0:0:0:0")).isPresent()) {
        throw ConfigException.of(
            Setting.CLUSTER_HOST,
            "'"
                + given
                + "' cannot be advertised to the other nodes; give this node's own address");
      }
      return bare;
    }
    int colon = given.indexOf(':');
    if ((colon >= 0 && colon == given.lastIndexOf(':')) || given.contains("]:")) {
      throw ConfigException.of(
          Setting.CLUSTER_HOST, "'" + given + "' has a port; this node's port is CLUSTER_PORT");
    }
    throw ConfigException.of(
        Setting.CLUSTER_HOST, "'" + given + "' is not an IP address or hostname");
  }

  private static String defaultHost(Config.Join join, LocalAddress localAddress) {
    if (join instanceof Config.Join.Members) {
      return MEMBER_LIST_HOST;
    }
    try {
      return localAddress.get();
    } catch (UnknownHostException e) {
      throw ConfigException.of(
          Setting.CLUSTER_HOST,
          "this machine's own address cannot be resolved ("
              + e.getMessage()
              + "); set it to this node's IP");
    }
  }

  /** Why {@code name} is no DNS name (RFC 1123), or empty if it is one. */
  private static Optional<String> dnsNameProblem(String name) {
    if (name.length() > 253) {
      return Optional.of("it is longer than 253 characters");
    }
    String[] labels = name.split("\\.", -1);
    for (String label : labels) {
      if (label.isEmpty()) {
        return Optional.of("it has an empty label");
      }
      if (label.length() > 63) {
        return Optional.of("a label is longer than 63 characters");
      }
      if (!LABEL.matcher(label).matches()) {
        return Optional.of("labels hold letters, digits and inner hyphens only");
      }
    }
    // 10.0.0.256 or 1.2.3 is a mistyped address, not a name a resolver would be asked.
    if (ALL_DIGITS.matcher(labels[labels.length - 1]).matches()) {
      return Optional.of("its last label is all digits, as in an IP address");
    }
    return Optional.empty();
  }

  private static boolean isIpv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (!OCTET.matcher(part).matches()) {
        return false;
      }
    }
    return true;
  }

  /** The address in full form if {@code text} is an IPv6 literal without zone or brackets. */
  private static Optional<String> ipv6(String text) {
    if (!text.contains(":") || !IPV6_TEXT.matcher(text).matches()) {
      return Optional.empty();
    }
    try {
      // In brackets the JDK only parses a literal: it never asks DNS, and it refuses an IPv4.
      InetAddress a = InetAddress.getByName("[" + text + "]");
      // ::ffff:1.2.3.4 comes back as IPv4; it is to be written as 1.2.3.4.
      return a instanceof Inet6Address ? Optional.of(a.getHostAddress()) : Optional.empty();
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }
}
