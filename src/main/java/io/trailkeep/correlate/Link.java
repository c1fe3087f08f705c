package io.trailkeep.correlate;

import java.util.regex.Pattern;

/**
 * An entity a seed links by ({@link IncidentGraph}): a source address, or a temporary access key
 * as used from an address. A private address is scoped to its account ({@code account}) and, when
 * {@code entity_interfaces} knows it, to the network interface that held it ({@code networkInterface});
 * a public one is the same entity everywhere. A key link names the address it was used from
 * ({@code via}, null for a seed without one). {@link #id()} is the link's identity for the graph;
 * nothing parses it back. No cost, no side effects.
 */
public record Link(Kind kind, String value, String account, String networkInterface, String via)
    implements Comparable<Link> {

  /** What a link is. */
  public enum Kind { ADDRESS, KEY }

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:]*:[0-9a-fA-F:.]*");

  /** True for a text that is an IPv4 or IPv6 address (not {@code AWS Internal}, not a service name). */
  static boolean isAddress(String s) {
    return s != null && (IPV4.matcher(s).matches() || IPV6.matcher(s).matches());
  }

  /** An address link: a private address within its account, a public one anywhere; null for a non-address. */
  static Link address(String ip, String account) {
    if (!isAddress(ip)) {
      return null;
    }
    return new Link(Kind.ADDRESS, ip, isPrivate(ip) ? account : null, null, null);
  }

  /** A temporary key as used from {@code via} (an address, or null). */
  static Link key(String key, String via) {
    return new Link(Kind.KEY, key, null, null, via);
  }

  /** This private address on a known network interface. */
  Link on(String networkInterface) {
    return new Link(kind, value, account, networkInterface, via);
  }

  /** A private address: scoped to its account. */
  boolean scoped() {
    return kind == Kind.ADDRESS && account != null;
  }

  /**
   * The identity: {@code ip:203.0.113.7}, {@code ip:10.0.1.5@111122223333},
   * {@code ip:10.0.1.5@111122223333#eni-0abc}, {@code key:ASIA...|203.0.113.7} or {@code key:ASIA...}.
   */
  public String id() {
    if (kind == Kind.KEY) {
      return "key:" + value + (via == null ? "" : "|" + via);
    }
    return "ip:" + value + (account == null ? "" : "@" + account)
        + (networkInterface == null ? "" : "#" + networkInterface);
  }

  @Override
  public int compareTo(Link o) {
    return id().compareTo(o.id());
  }

  /** RFC 1918, loopback, link-local, carrier-grade NAT, IPv6 ULA and link-local. */
  static boolean isPrivate(String ip) {
    if (ip.contains(":")) {
      String l = ip.toLowerCase(java.util.Locale.ROOT);
      return l.startsWith("fc") || l.startsWith("fd") || l.startsWith("fe80") || l.equals("::1");
    }
    String[] p = ip.split("\\.");
    int a = Integer.parseInt(p[0]);
    int b = Integer.parseInt(p[1]);
    return a == 10 || a == 127 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168)
        || (a == 100 && b >= 64 && b <= 127) || (a == 169 && b == 254);
  }
}
