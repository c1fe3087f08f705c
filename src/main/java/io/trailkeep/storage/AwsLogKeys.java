package io.trailkeep.storage;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The S3 key layouts AWS delivers logs in, built and parsed in this one place: CloudTrail log,
 * Insights and digest files (plain and organization trails), VPC Flow Logs (plain and
 * Hive-compatible prefixes, optionally per hour, text or Parquet) and GuardDuty exports. The
 * generator builds keys with the {@code build} methods; discovery, ingest and validation parse
 * them with {@link #parse}. Keys are relative to the raw root ({@code AWSLogs/...}); parsing also
 * accepts full paths that contain {@code AWSLogs/}. Stateless.
 */
public final class AwsLogKeys {
  private AwsLogKeys() {}

  /** What a raw object holds, from its key alone. */
  public enum Kind {
    CLOUDTRAIL("cloudtrail"),
    CLOUDTRAIL_INSIGHT("cloudtrail"),
    CLOUDTRAIL_DIGEST("cloudtrail"),
    /** The signature sidecar TrailKeep writes next to a digest in a local folder. */
    DIGEST_SIGNATURE("cloudtrail"),
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

  /**
   * A parsed key. {@code time} is the delivery minute for logs and flow files, the digest's end
   * time for digests, null for GuardDuty exports (their names carry no time). {@code trail} and
   * {@code homeRegion} are set for digests, {@code flowLogId} for flow logs.
   */
  public record LogKey(Kind kind, String orgId, String accountId, String region, LocalDate day,
      Instant time, String fileName, String trail, String homeRegion, String flowLogId,
      boolean hive) {

    /** The region prefix ({@code .../AWSLogs/[o-org/]<acct>/<service>/<region>/}). */
    public String regionPrefix(String path) {
      Matcher m = DAY_DIRS.matcher(path);
      return m.find() ? path.substring(0, m.start()) : null;
    }
  }

  /** A key layout of a folder level: the service directory names under an account. */
  public static final String CLOUDTRAIL = "CloudTrail";
  public static final String CLOUDTRAIL_INSIGHT = "CloudTrail-Insight";
  public static final String CLOUDTRAIL_DIGEST = "CloudTrail-Digest";
  public static final String VPCFLOW = "vpcflowlogs";
  public static final String GUARDDUTY = "GuardDuty";

  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'")
      .withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DAY_PATH = DateTimeFormatter.ofPattern("yyyy/MM/dd")
      .withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter HIVE_DAY = DateTimeFormatter.ofPattern(
      "'year='yyyy/'month='MM/'day='dd").withZone(ZoneOffset.UTC);

  /** An account directory name. */
  public static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
  /** An organization directory name (organization trails). */
  public static final Pattern ORG = Pattern.compile("o-[a-z0-9]{10,32}");
  /** A Hive-compatible account directory name. */
  public static final Pattern HIVE_ACCOUNT = Pattern.compile("aws-account-id=\\d{12}");
  /** The day folders of a region prefix, plain {@code YYYY/MM/DD/} or Hive {@code year=/month=/day=/}. */
  public static final String DAY_DIRS_REGEX = "(?:year=)?\\d{4}/(?:month=)?\\d{2}/(?:day=)?\\d{2}/";
  private static final Pattern DAY_DIRS = Pattern.compile(DAY_DIRS_REGEX);

  // AWSLogs/[o-org/]<acct>/<service>/<region>/YYYY/MM/DD/[HH/]<file>
  private static final Pattern PLAIN = Pattern.compile(
      "(?:^|/)AWSLogs/(?:(o-[a-z0-9]{10,32})/)?(\\d{12})/(CloudTrail|CloudTrail-Insight|"
          + "CloudTrail-Digest|vpcflowlogs|GuardDuty)/([a-z0-9-]+)/(\\d{4})/(\\d{2})/(\\d{2})/"
          + "(?:\\d{2}/)?([^/]+)$");
  // AWSLogs/aws-account-id=<acct>/aws-service=vpcflowlogs/aws-region=<r>/year=/month=/day=/[hour=/]<file>
  private static final Pattern HIVE = Pattern.compile(
      "(?:^|/)AWSLogs/aws-account-id=(\\d{12})/aws-service=(vpcflowlogs)/aws-region=([a-z0-9-]+)/"
          + "year=(\\d{4})/month=(\\d{2})/day=(\\d{2})/(?:hour=\\d{2}/)?([^/]+)$");
  /** {@code <acct>_CloudTrail[-Insight]_<region>_<YYYYMMDDTHHmmZ>_<unique>.json[.gz]} */
  private static final Pattern LOG_NAME = Pattern.compile(
      "\\d{12}_CloudTrail(?:-Insight)?_[a-z0-9-]+_(\\d{8}T\\d{4}Z)_?[^/]*\\.json(?:\\.gz)?");
  /** {@code <acct>_CloudTrail-Digest_<region>_<trail>_<home>_<YYYYMMDDTHHmmssZ>[_backfill].json.gz} */
  private static final Pattern DIGEST_NAME = Pattern.compile(
      "\\d{12}_CloudTrail-Digest_([a-z0-9-]+)_(.+)_([a-z]{2}(?:-[a-z]+)+-\\d+)_(\\d{8}T\\d{6}Z)"
          + "(?:_backfill)?\\.json(?:\\.gz)?");
  /** {@code <acct>_vpcflowlogs_<region>_<fl-id>_<YYYYMMDDTHHmmZ>_<hash>.log[.gz|.parquet]} */
  private static final Pattern FLOW_NAME = Pattern.compile(
      "\\d{12}_vpcflowlogs_[a-z0-9-]+_(fl-[0-9a-z]+)_(\\d{8}T\\d{4}Z)_[^/]*");
  /** The delivery minute inside a log or flow file name. */
  private static final Pattern NAME_TIME = Pattern.compile("_(\\d{8}T\\d{4})Z_[^/]*$");

  /**
   * Suffix of the sidecar holding a digest's signature in a local folder: the digest's key plus
   * this suffix, a JSON object with the S3 metadata CloudTrail sets ({@code x-amz-meta-signature},
   * {@code x-amz-meta-signature-algorithm}).
   */
  public static final String DIGEST_SIDECAR_SUFFIX = ".metadata.json";

  // ---- building ----

  private static String accountRoot(String orgId, String accountId) {
    return "AWSLogs/" + (orgId == null ? "" : orgId + "/") + accountId + "/";
  }

  /** A CloudTrail log file delivered at {@code delivered} (the file name carries the minute). */
  public static String cloudTrailLog(String orgId, String accountId, String region, Instant delivered,
      String unique) {
    return accountRoot(orgId, accountId) + CLOUDTRAIL + "/" + region + "/" + DAY_PATH.format(delivered)
        + "/" + accountId + "_CloudTrail_" + region + "_" + MINUTE.format(delivered) + "_" + unique
        + ".json.gz";
  }

  /**
   * A glob of CloudTrail log files, as a path-pruning reader (Athena's partition projection, a
   * Spark user's glob) names them: each argument a value, or {@code *} for any; {@code orgId}
   * null for an account's own trail (no organization level).
   */
  public static String cloudTrailLogGlob(String orgId, String accountId, String region, String year,
      String month, String day) {
    return accountRoot(orgId, accountId) + CLOUDTRAIL + "/" + region + "/" + year + "/" + month + "/"
        + day + "/*.json.gz";
  }

  /** A CloudTrail Insights file. */
  public static String insight(String orgId, String accountId, String region, Instant delivered,
      String unique) {
    return accountRoot(orgId, accountId) + CLOUDTRAIL_INSIGHT + "/" + region + "/"
        + DAY_PATH.format(delivered) + "/" + accountId + "_CloudTrail-Insight_" + region + "_"
        + MINUTE.format(delivered) + "_" + unique + ".json.gz";
  }

  /** An hourly digest file ending at {@code end}, of {@code trail} whose home region is {@code home}. */
  public static String digest(String orgId, String accountId, String region, String trail,
      String home, Instant end) {
    return accountRoot(orgId, accountId) + CLOUDTRAIL_DIGEST + "/" + region + "/" + DAY_PATH.format(end)
        + "/" + accountId + "_CloudTrail-Digest_" + region + "_" + trail + "_" + home + "_"
        + SECOND.format(end) + ".json.gz";
  }

  /** How a backfill digest's key ends, as a regular expression on the key. */
  public static final String BACKFILL_DIGEST_SUFFIX_REGEX = "_backfill\\.json(\\.gz)?$";

  /**
   * A backfill digest file of the hour ending at {@code end}: CloudTrail's digest of the log files
   * of that hour delivered after the hour's digest was written (the hourly key with
   * {@code _backfill} before {@code .json.gz}).
   */
  public static String backfillDigest(String orgId, String accountId, String region, String trail,
      String home, Instant end) {
    String hourly = digest(orgId, accountId, region, trail, home, end);
    return hourly.substring(0, hourly.length() - ".json.gz".length()) + "_backfill.json.gz";
  }

  /** Whether {@code key} names a backfill digest. */
  public static boolean isBackfillDigest(String key) {
    return key.matches(".*" + BACKFILL_DIGEST_SUFFIX_REGEX);
  }

  /**
   * A VPC Flow Logs file for the 5-minute window starting at {@code window}: plain or
   * Hive-compatible prefix, optionally with an hour folder; {@code extension} is {@code log.gz}
   * or {@code log.parquet}.
   */
  public static String flowLog(String accountId, String region, String flowLogId, Instant window,
      String hash, boolean hive, boolean hourly, String extension) {
    String hour = String.format("%02d", window.atZone(ZoneOffset.UTC).getHour());
    String prefix = hive
        ? "AWSLogs/aws-account-id=" + accountId + "/aws-service=" + VPCFLOW + "/aws-region=" + region
            + "/" + HIVE_DAY.format(window) + "/" + (hourly ? "hour=" + hour + "/" : "")
        : "AWSLogs/" + accountId + "/" + VPCFLOW + "/" + region + "/" + DAY_PATH.format(window) + "/"
            + (hourly ? hour + "/" : "");
    return prefix + accountId + "_vpcflowlogs_" + region + "_" + flowLogId + "_"
        + MINUTE.format(window) + "_" + hash + "." + extension;
  }

  /** A GuardDuty export file written at {@code exported}. */
  public static String guardDuty(String accountId, String region, Instant exported, String uuid) {
    return "AWSLogs/" + accountId + "/" + GUARDDUTY + "/" + region + "/" + DAY_PATH.format(exported)
        + "/" + uuid + ".jsonl.gz";
  }

  // ---- parsing ----

  /** Parses a key or a full path; objects outside the layouts are {@link Kind#UNKNOWN}. */
  public static LogKey parse(String path) {
    Matcher m = PLAIN.matcher(path);
    if (m.find()) {
      String service = m.group(3);
      String file = m.group(8);
      LocalDate day = date(m.group(5), m.group(6), m.group(7));
      String org = m.group(1);
      String account = m.group(2);
      String region = m.group(4);
      switch (service) {
        case CLOUDTRAIL: {
          boolean log = file.endsWith(".json.gz") || file.endsWith(".json");
          return new LogKey(log ? Kind.CLOUDTRAIL : Kind.UNKNOWN, org, account, region, day,
              nameTime(file), file, null, null, null, false);
        }
        case CLOUDTRAIL_INSIGHT:
          return new LogKey(Kind.CLOUDTRAIL_INSIGHT, org, account, region, day, nameTime(file), file,
              null, null, null, false);
        case CLOUDTRAIL_DIGEST: {
          if (file.endsWith(DIGEST_SIDECAR_SUFFIX)) {
            return new LogKey(Kind.DIGEST_SIGNATURE, org, account, region, day, null, file, null,
                null, null, false);
          }
          Matcher d = DIGEST_NAME.matcher(file);
          boolean named = d.matches();
          return new LogKey(Kind.CLOUDTRAIL_DIGEST, org, account, region, day,
              named ? instant(d.group(4), SECOND) : null, file, named ? d.group(2) : null,
              named ? d.group(3) : null, null, false);
        }
        case VPCFLOW: {
          Matcher f = FLOW_NAME.matcher(file);
          boolean named = f.lookingAt();
          return new LogKey(Kind.VPCFLOW, org, account, region, day,
              named ? instant(f.group(2), MINUTE) : null, file, null, null, named ? f.group(1) : null,
              false);
        }
        default:
          return new LogKey(Kind.GUARDDUTY, org, account, region, day, null, file, null, null, null,
              false);
      }
    }
    Matcher h = HIVE.matcher(path);
    if (h.find()) {
      String file = h.group(7);
      Matcher f = FLOW_NAME.matcher(file);
      boolean named = f.lookingAt();
      return new LogKey(Kind.VPCFLOW, null, h.group(1), h.group(3), date(h.group(4), h.group(5),
          h.group(6)), named ? instant(f.group(2), MINUTE) : null, file, null, null,
          named ? f.group(1) : null, true);
    }
    String file = path.substring(path.lastIndexOf('/') + 1);
    return new LogKey(Kind.UNKNOWN, null, null, null, null, null, file, null, null, null, false);
  }

  /** The delivery minute in a CloudTrail or flow-log file name, if it has one. */
  public static Optional<LocalDateTime> deliveryMinute(String path) {
    Matcher m = NAME_TIME.matcher(path);
    if (!m.find()) {
      return Optional.empty();
    }
    try {
      return Optional.of(LocalDateTime.parse(m.group(1), DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm")));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /**
   * The key that sorts just before every file of {@code dayDir} delivered at or after
   * {@code minute}: the file-name prefix of {@code sample} (a file of that day) up to its time,
   * followed by the time. Only CloudTrail and Insights names sort by time within a day folder.
   */
  public static Optional<String> startAfter(String dayDir, String sample, LocalDateTime minute) {
    boolean sortsByTime = dayDir.contains("/" + CLOUDTRAIL + "/") || dayDir.contains("/" + CLOUDTRAIL_INSIGHT + "/");
    Matcher m = NAME_TIME.matcher(sample);
    if (!sortsByTime || !sample.startsWith(dayDir) || !m.find()) {
      return Optional.empty();
    }
    String name = sample.substring(dayDir.length(), m.start() + 1);
    return Optional.of(dayDir + name + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm").format(minute));
  }

  private static Instant nameTime(String file) {
    Matcher m = LOG_NAME.matcher(file);
    return m.matches() ? instant(m.group(1), MINUTE) : null;
  }

  private static Instant instant(String text, DateTimeFormatter f) {
    try {
      return Instant.from(f.parse(text));
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static LocalDate date(String y, String m, String d) {
    try {
      return LocalDate.of(Integer.parseInt(y), Integer.parseInt(m), Integer.parseInt(d));
    } catch (RuntimeException e) {
      return null;
    }
  }
}
