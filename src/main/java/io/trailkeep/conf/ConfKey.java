package io.trailkeep.conf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every configuration key TrailKeep understands, with its default and meaning. This is the one
 * place where options are declared; {@link TrailkeepConf} resolves them as flag &gt; conf file &gt;
 * default and rejects any key not listed here. Keys under {@code spark.} are passed to the Spark
 * session unchanged (for example {@code spark.driver.memory} or {@code spark.hadoop.fs.s3a.*}).
 */
public final class ConfKey {

  private static final Map<String, ConfKey> ALL = new LinkedHashMap<>();

  public static final ConfKey RAW = key("raw", "demo-data/raw",
      "Root holding raw logs in the S3 layout (AWSLogs/...): a local path or s3a://bucket/prefix");
  public static final ConfKey LAKE = key("lake", "demo-data/lake",
      "Root of the Delta tables: a local path or s3a://bucket/prefix");
  public static final ConfKey MASTER = key("master", "local[*]",
      "Spark master when TrailKeep builds the session itself (ignored under spark-submit)");
  public static final ConfKey SHUFFLE_PARTITIONS = key("shuffle-partitions", "8",
      "spark.sql.shuffle.partitions for the job's shuffles (keys only; kept small on purpose)");
  public static final ConfKey INGEST_SOURCES = key("ingest.source", "all",
      "Which sources ingest handles: cloudtrail, vpcflow, guardduty or all");
  public static final ConfKey INGEST_FILES_PER_TASK = key("ingest.files-per-task", "256",
      "Raw files parsed by one Spark task; fewer means more parallelism and more output files");
  public static final ConfKey INGEST_LOOKBACK_DAYS = key("ingest.lookback-days", "2",
      "Days before the last ingested day that are listed again for late deliveries");
  public static final ConfKey INGEST_MAX_FILE_BYTES = key("ingest.max-file-bytes", "1073741824",
      "Largest decompressed raw file parsed in memory; larger files are quarantined with a reason");
  public static final ConfKey QUARANTINE_RAW_CHARS = key("ingest.quarantine-raw-chars", "8192",
      "Raw text kept per quarantined record or file, truncated beyond this many characters");
  public static final ConfKey PARQUET_CODEC = key("write.parquet-codec", "zstd",
      "Parquet compression codec for the lake's tables: zstd, snappy, gzip or uncompressed");
  public static final ConfKey DELTA_LOG_STORE = key("delta.log-store", "default",
      "Delta log store: default (single driver per table) or dynamodb:<table>:<region> for "
          + "concurrent writers (needs delta-storage-s3-dynamodb on the classpath)");
  public static final ConfKey S3_ENDPOINT = key("s3.endpoint", "",
      "S3 API endpoint URL (empty = AWS default for the region), e.g. http://127.0.0.1:9000");
  public static final ConfKey S3_REGION = key("s3.region", "us-east-1", "S3 signing region");
  public static final ConfKey S3_PATH_STYLE = key("s3.path-style", "false",
      "Use path-style requests (needed by most S3-compatible servers)");
  public static final ConfKey S3_SSE = key("s3.sse", "none",
      "Server-side encryption for objects TrailKeep writes: none, SSE-S3 or SSE-KMS");
  public static final ConfKey S3_SSE_KMS_KEY = key("s3.sse-kms-key", "",
      "KMS key id or ARN when s3.sse is SSE-KMS");
  public static final ConfKey AWS_PROFILE = key("aws.profile", "",
      "Named AWS profile for credentials (empty = default provider chain)");
  public static final ConfKey MAINTAIN_TARGET_FILE_BYTES = key("maintain.target-file-bytes", "134217728",
      "Target size of files written by compaction (128 MiB)");
  public static final ConfKey MAINTAIN_RETENTION = key("maintain.retention",
      "cloudtrail=2557,cloudtrail_insights=2557,vpc_flow=400,guardduty_findings=2557",
      "Retention per table in days, table=days,... (2557 days = 7 years)");
  public static final ConfKey MAINTAIN_LEGAL_HOLD = key("maintain.legal-hold", "",
      "Rows retention never deletes: account=ID, principal=ARN, dates=FROM..TO, comma-separated");
  public static final ConfKey MAINTAIN_VACUUM_HOURS = key("maintain.vacuum-hours", "168",
      "VACUUM keeps files needed by snapshots this recent; below 168 only with --force-vacuum");
  public static final ConfKey AWS_ROLE_ARN = key("aws.role-arn", "",
      "IAM role to assume for S3 access (empty = use the base credentials directly)");
  public static final ConfKey GENERATE_SEED = key("generate.seed", "42",
      "Seed of the data generator; equal seeds give byte-identical output");
  public static final ConfKey GENERATE_EVENTS = key("generate.events", "20000",
      "Approximate number of CloudTrail events the generator writes");
  public static final ConfKey GENERATE_DAYS = key("generate.days", "2",
      "Number of days the generated data spans");
  public static final ConfKey GENERATE_START = key("generate.start", "2026-11-01",
      "First UTC day of generated data (YYYY-MM-DD)");
  public static final ConfKey GENERATE_ACCOUNTS = key("generate.accounts", "4",
      "Number of AWS accounts in the generated organization");
  public static final ConfKey GENERATE_SCENARIOS = key("generate.scenarios", "leaked-access-key",
      "Comma-separated attack scenarios to inject (or none)");
  public static final ConfKey GENERATE_FLOW_RATIO = key("generate.flow-ratio", "10",
      "VPC flow-log records generated per CloudTrail event (0 = no flow logs)");
  public static final ConfKey GENERATE_FLOW_FORMAT = key("generate.flow-format", "mixed",
      "Flow-log format: mixed (default/custom/custom under Hive prefixes, by account), default, "
          + "custom (30 fields) or a space-separated field list");
  public static final ConfKey GENERATE_FINDINGS_PER_DAY = key("generate.findings-per-day", "2",
      "Background GuardDuty findings per account and day (0 = no GuardDuty exports at all)");

  private final String name;
  private final String defaultValue;
  private final String description;

  private ConfKey(String name, String defaultValue, String description) {
    this.name = name;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  private static ConfKey key(String name, String defaultValue, String description) {
    ConfKey k = new ConfKey(name, defaultValue, description);
    ALL.put(name, k);
    return k;
  }

  public String name() {
    return name;
  }

  public String defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }

  /** All declared keys in declaration order. */
  public static Map<String, ConfKey> all() {
    return Collections.unmodifiableMap(ALL);
  }

  @Override
  public String toString() {
    return name;
  }
}
