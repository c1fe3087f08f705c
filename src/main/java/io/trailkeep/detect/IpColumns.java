package io.trailkeep.detect;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.when;

import io.trailkeep.conf.ConfException;
import org.apache.spark.sql.Column;

/**
 * Address matching as column expressions (never SQL text): an exact address, or an IPv4 network in
 * CIDR notation compared as a 32-bit number. Used by suppression allow-lists and Sigma's
 * {@code cidr} modifier.
 */
public final class IpColumns {
  private IpColumns() {}

  /** True when {@code ip} equals {@code spec} or lies in the IPv4 network {@code spec}. */
  public static Column inNetwork(Column ip, String spec) {
    String s = spec.trim();
    int slash = s.indexOf('/');
    if (slash < 0) {
      return ip.equalTo(lit(s));
    }
    long network = ipv4(s.substring(0, slash), spec);
    int bits;
    try {
      bits = Integer.parseInt(s.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new ConfException("'" + spec + "' is not an address or an IPv4 network (a.b.c.d/n)");
    }
    if (bits < 0 || bits > 32) {
      throw new ConfException("'" + spec + "' has a prefix length outside 0..32");
    }
    long size = 1L << (32 - bits);
    long start = network & ~(size - 1);
    Column n = asNumber(ip);
    return n.isNotNull().and(n.geq(lit(start))).and(n.lt(lit(start + size)));
  }

  /** An IPv4 address as a number, or null when the column does not hold one. */
  static Column asNumber(Column ip) {
    Column parts = split(ip, "\\.");
    Column valid = ip.rlike("^(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}$");
    Column n = parts.getItem(0).cast("long").multiply(16777216L)
        .plus(parts.getItem(1).cast("long").multiply(65536L))
        .plus(parts.getItem(2).cast("long").multiply(256L))
        .plus(parts.getItem(3).cast("long"));
    return when(valid, n);
  }

  private static long ipv4(String text, String spec) {
    String[] p = text.split("\\.");
    if (p.length != 4) {
      throw new ConfException("'" + spec + "' is not an IPv4 network (a.b.c.d/n)");
    }
    long n = 0;
    for (String part : p) {
      int v;
      try {
        v = Integer.parseInt(part);
      } catch (NumberFormatException e) {
        throw new ConfException("'" + spec + "' is not an IPv4 network (a.b.c.d/n)");
      }
      if (v < 0 || v > 255) {
        throw new ConfException("'" + spec + "' is not an IPv4 network (a.b.c.d/n)");
      }
      n = n * 256 + v;
    }
    return n;
  }
}
