package io.trailkeep.conf;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Checks of the entity and date arguments users type: each returns the value in its normal form or
 * throws a {@link ConfException} (exit 2) that names the flag, what was given and the form
 * expected. Pure text checks (no DNS, no AWS call); no side effects.
 */
public final class Arguments {
  private Arguments() {}

  private static final Pattern IPV4 = Pattern.compile(
      "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6_GROUP = Pattern.compile("[0-9a-fA-F]{1,4}");
  private static final Pattern ACCESS_KEY = Pattern.compile("(AKIA|ASIA)[A-Z0-9]{12,124}");
  private static final Pattern PRINCIPAL_ID = Pattern.compile("A(IDA|ROA)[A-Z0-9]{12,124}.*");
  private static final Pattern INSTANCE = Pattern.compile("i-([0-9a-f]{8}|[0-9a-f]{17})");
  /** Today's bucket names, and the older us-east-1 ones (upper case, '_', up to 255 characters). */
  private static final Pattern BUCKET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]");

  /** Whether {@code s} is an IPv4 dotted quad or an IPv6 address (with at most one {@code ::}). */
  public static boolean isIp(String s) {
    return s != null && (IPV4.matcher(s).matches() || isIpv6(s));
  }

  private static boolean isIpv6(String s) {
    if (!s.contains(":") || s.indexOf("::") != s.lastIndexOf("::") || s.contains(":::")
        || s.startsWith(":") && !s.startsWith("::") || s.endsWith(":") && !s.endsWith("::")) {
      return false;
    }
    String body = s;
    int groups = 0;
    int lastColon = s.lastIndexOf(':');
    if (s.indexOf('.') > lastColon) {
      // an IPv4 tail (::ffff:192.0.2.1) counts as two groups
      if (!IPV4.matcher(s.substring(lastColon + 1)).matches()) {
        return false;
      }
      body = s.substring(0, lastColon + 1) + "0";
      groups = 1;
    }
    boolean compressed = body.contains("::");
    for (String g : body.split(":", -1)) {
      if (g.isEmpty()) {
        continue;
      }
      if (!IPV6_GROUP.matcher(g).matches()) {
        return false;
      }
      groups++;
    }
    if (!compressed) {
      // no empty groups allowed outside '::'
      for (String g : body.split(":", -1)) {
        if (g.isEmpty()) {
          return false;
        }
      }
    }
    return compressed ? groups <= 7 : groups == 8;
  }

  /** An IP address, as given. */
  public static String ip(String flag, String value) {
    String v = trimmed(flag, value);
    return isIp(v) ? v : refuse(flag, v, "an IPv4 or IPv6 address such as 203.0.113.7 or 2001:db8::1", "");
  }

  /** An access key id ({@code AKIA...} long-term, {@code ASIA...} temporary). */
  public static String accessKey(String flag, String value) {
    String v = trimmed(flag, value);
    return ACCESS_KEY.matcher(v).matches() ? v : refuse(flag, v, "an access key id such as "
        + "AKIAIOSFODNN7EXAMPLE (AKIA... or ASIA..., upper-case letters and digits)",
        PRINCIPAL_ID.matcher(v).matches() ? "; that is a principal id: pass it with --principal" : "");
  }

  /** An EC2 instance id ({@code i-} and 8 or 17 hex digits). */
  public static String instance(String flag, String value) {
    String v = trimmed(flag, value);
    return INSTANCE.matcher(v).matches() ? v : refuse(flag, v, "an EC2 instance id such as "
        + "i-0abcd1234ef567890 (i- and 8 or 17 lower-case hex digits)", "");
  }

  /** An S3 bucket name, or its ARN ({@code arn:aws:s3:::name}), as the name. */
  public static String bucket(String flag, String value) {
    String v = trimmed(flag, value);
    String name = v.matches("arn:aws[a-z-]*:s3:::[^/]+") ? v.substring(v.lastIndexOf(':') + 1) : v;
    boolean ok = BUCKET.matcher(name).matches() && !name.contains("..") && !IPV4.matcher(name).matches();
    return ok ? name : refuse(flag, v, "an S3 bucket name (letters, digits, dots, hyphens and, in older "
        + "buckets, underscores) or its ARN arn:aws:s3:::NAME", "");
  }

  /** The one-line refusal: the flag, the form expected, what was given, and a hint. */
  private static String refuse(String flag, String given, String expected, String hint) {
    throw new ConfException(flag + " expects " + expected + ", got '" + given + "'" + hint);
  }

  /** A UTC day {@code YYYY-MM-DD}; null stays null. */
  public static LocalDate day(String flag, String value) {
    if (value == null) {
      return null;
    }
    try {
      return LocalDate.parse(value.trim());
    } catch (DateTimeParseException e) {
      throw new ConfException(flag + " must be a day as YYYY-MM-DD, got '" + value + "'");
    }
  }

  /** Checks that a day range runs forwards; either end may be open (null). */
  public static void dayRange(String fromFlag, LocalDate first, String toFlag, LocalDate last) {
    if (first != null && last != null && first.isAfter(last)) {
      throw new ConfException(fromFlag + " " + first + " is after " + toFlag + " " + last
          + "; give the earlier day first");
    }
  }

  private static String trimmed(String flag, String value) {
    if (value == null || value.isBlank()) {
      throw new ConfException(flag + " needs a value");
    }
    return value.trim();
  }
}
