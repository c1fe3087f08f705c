package io.trailkeep.ingest;

import java.io.Serializable;
import java.time.LocalDate;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One raw object found by discovery, classified from its key alone (no read). Keys follow the
 * AWS delivery layouts under {@code AWSLogs/}, plain or organization trail, and the Hive-style
 * layout of VPC Flow Logs. Immutable.
 */
public final class RawFile implements Serializable {
  private static final long serialVersionUID = 1L;

  /** What a raw object holds. */
  public enum Kind {
    CLOUDTRAIL("cloudtrail"),
    CLOUDTRAIL_INSIGHT("cloudtrail"),
    CLOUDTRAIL_DIGEST("cloudtrail"),
    VPCFLOW("vpcflow"),
    GUARDDUTY("guardduty"),
    UNKNOWN("unknown");

    /** The source (ingest --source value) this kind belongs to. */
    public final String source;

    Kind(String source) {
      this.source = source;
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  // AWSLogs/[o-org/]<acct>/<service>/<region>/YYYY/MM/DD/[HH/]<file>
  private static final Pattern PLAIN = Pattern.compile(
      "(?:^|/)AWSLogs/(?:(o-[a-z0-9]{10,32})/)?(\\d{12})/(CloudTrail|CloudTrail-Insight|"
          + "CloudTrail-Digest|vpcflowlogs|GuardDuty)/([a-z0-9-]+)/(\\d{4})/(\\d{2})/(\\d{2})/"
          + "(?:\\d{2}/)?([^/]+)$");
  // AWSLogs/aws-account-id=<acct>/aws-service=vpcflowlogs/aws-region=<r>/year=/month=/day=/[hour=/]
  private static final Pattern HIVE = Pattern.compile(
      "(?:^|/)AWSLogs/aws-account-id=(\\d{12})/aws-service=(vpcflowlogs)/aws-region=([a-z0-9-]+)/"
          + "year=(\\d{4})/month=(\\d{2})/day=(\\d{2})/(?:hour=\\d{2}/)?([^/]+)$");

  public final String path;
  public final long size;
  public final long modificationTime;
  public final Kind kind;
  public final String orgId;
  public final String accountId;
  public final String region;
  public final LocalDate deliveryDate;

  private RawFile(String path, long size, long modificationTime, Kind kind, String orgId,
      String accountId, String region, LocalDate deliveryDate) {
    this.path = path;
    this.size = size;
    this.modificationTime = modificationTime;
    this.kind = kind;
    this.orgId = orgId;
    this.accountId = accountId;
    this.region = region;
    this.deliveryDate = deliveryDate;
  }

  /** Classifies an object by its full path; never reads it. */
  public static RawFile classify(String path, long size, long modificationTime) {
    Matcher m = PLAIN.matcher(path);
    if (m.find()) {
      String service = m.group(3);
      String file = m.group(8);
      Kind kind;
      switch (service) {
        case "CloudTrail":
          kind = file.endsWith(".json.gz") || file.endsWith(".json") ? Kind.CLOUDTRAIL : Kind.UNKNOWN;
          break;
        case "CloudTrail-Insight":
          kind = Kind.CLOUDTRAIL_INSIGHT;
          break;
        case "CloudTrail-Digest":
          kind = Kind.CLOUDTRAIL_DIGEST;
          break;
        case "vpcflowlogs":
          kind = Kind.VPCFLOW;
          break;
        default:
          kind = Kind.GUARDDUTY;
      }
      return new RawFile(path, size, modificationTime, kind, m.group(1), m.group(2), m.group(4),
          date(m.group(5), m.group(6), m.group(7)));
    }
    Matcher h = HIVE.matcher(path);
    if (h.find()) {
      return new RawFile(path, size, modificationTime, Kind.VPCFLOW, null, h.group(1), h.group(3),
          date(h.group(4), h.group(5), h.group(6)));
    }
    return new RawFile(path, size, modificationTime, Kind.UNKNOWN, null, null, null, null);
  }

  private static LocalDate date(String y, String m, String d) {
    try {
      return LocalDate.of(Integer.parseInt(y), Integer.parseInt(m), Integer.parseInt(d));
    } catch (RuntimeException e) {
      return null;
    }
  }


  @Override
  public String toString() {
    return kind.label() + ":" + path;
  }
}
