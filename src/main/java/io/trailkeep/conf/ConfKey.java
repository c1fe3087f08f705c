package io.trailkeep.conf;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Every configuration key TrailKeep understands, each declared once here with its type, default,
 * validation and one-line doc. {@link TrailkeepConf} resolves values as flag &gt; conf file &gt;
 * default, validates each with its key's type, and rejects keys not declared here. Jobs read
 * typed values ({@code conf.get(ConfKey.INGEST_FILES_PER_TASK)} is an {@code Integer}); the
 * {@code --help} text and the README's configuration table list these declarations (a test keeps
 * the README in step). Keys under {@code spark.} are passed to the Spark session unchanged.
 *
 * @param <T> the value type
 */
public final class ConfKey<T> {

  private static final Map<String, ConfKey<?>> ALL = new LinkedHashMap<>();

  public static final ConfKey<String> RAW = key("raw", Types.TEXT, "demo-data/raw",
      "Root holding raw logs in the S3 layout (AWSLogs/...): a local path or s3a://bucket/prefix");
  public static final ConfKey<String> LAKE = key("lake", Types.TEXT, "demo-data/lake",
      "Root of the Delta tables: a local path or s3a://bucket/prefix");
  public static final ConfKey<String> MASTER = key("master", Types.TEXT, "local[*]",
      "Spark master when TrailKeep builds the session itself (ignored under spark-submit)");
  public static final ConfKey<Integer> SHUFFLE_PARTITIONS = key("shuffle-partitions",
      Types.integer(1, 100_000), "8",
      "spark.sql.shuffle.partitions for the job's shuffles (keys only; kept small on purpose)");
  public static final ConfKey<String> INGEST_SOURCES = key("ingest.source",
      Types.sourceList("cloudtrail", "vpcflow", "guardduty"), "all",
      "Which sources ingest handles: cloudtrail, vpcflow, guardduty (comma-separated) or all");
  public static final ConfKey<Integer> INGEST_FILES_PER_TASK = key("ingest.files-per-task",
      Types.integer(1, 1_000_000), "256",
      "Raw files parsed by one Spark task (at least two tasks per core are used when there are "
          + "enough files)");
  public static final ConfKey<Integer> INGEST_LOOKBACK_DAYS = key("ingest.lookback-days",
      Types.integer(0, 3650), "2",
      "Days before the last ingested day that an incremental ingest lists again for late deliveries");
  public static final ConfKey<Long> INGEST_MAX_FILE_BYTES = key("ingest.max-file-bytes",
      Types.longInteger(1024, Integer.MAX_VALUE - 16L), "1073741824",
      "Largest decompressed raw file parsed in memory; larger files are quarantined with a reason");
  public static final ConfKey<Integer> QUARANTINE_RAW_CHARS = key("ingest.quarantine-raw-chars",
      Types.integer(0, 100_000_000), "8192",
      "Raw text kept per quarantined record or file, truncated beyond this many characters");
  public static final ConfKey<String> PARQUET_CODEC = key("write.parquet-codec",
      Types.choice("zstd", "snappy", "gzip", "lz4", "uncompressed"), "zstd",
      "Parquet compression codec for the lake's tables");
  public static final ConfKey<String> DELTA_LOG_STORE = key("delta.log-store",
      Types.matching("default|dynamodb:[^:]+:[a-z0-9-]+", "'default' or 'dynamodb:<table>:<region>'"),
      "default",
      "Delta log store: default (one writer per table) or dynamodb:<table>:<region> for "
          + "concurrent writers (needs delta-storage-s3-dynamodb on the classpath)");
  public static final ConfKey<String> S3_ENDPOINT = key("s3.endpoint", Types.TEXT, "",
      "S3 API endpoint URL (empty = AWS default for the region), e.g. http://127.0.0.1:9000");
  public static final ConfKey<String> S3_REGION = key("s3.region",
      Types.matching("[a-z]{2}(-[a-z]+)+-\\d+", "an AWS region such as us-east-1"), "us-east-1",
      "S3 signing region");
  public static final ConfKey<Boolean> S3_PATH_STYLE = key("s3.path-style", Types.BOOLEAN, "false",
      "Use path-style requests (needed by most S3-compatible servers)");
  public static final ConfKey<String> S3_SSE = key("s3.sse", Types.choice("none", "SSE-S3", "SSE-KMS"),
      "none", "Server-side encryption for objects TrailKeep writes");
  public static final ConfKey<String> S3_SSE_KMS_KEY = key("s3.sse-kms-key", Types.TEXT, "",
      "KMS key id or ARN when s3.sse is SSE-KMS");
  public static final ConfKey<String> AWS_PROFILE = key("aws.profile", Types.TEXT, "",
      "Named AWS profile for credentials (empty = default provider chain)");
  public static final ConfKey<String> AWS_ROLE_ARN = key("aws.role-arn",
      Types.matching("|arn:aws[a-z-]*:iam::\\d{12}:role/.+", "a role ARN (arn:aws:iam::<account>:role/<name>)"),
      "", "IAM role to assume for S3 access (empty = use the base credentials directly)");
  public static final ConfKey<Long> MAINTAIN_TARGET_FILE_BYTES = key("maintain.target-file-bytes",
      Types.longInteger(1024, Long.MAX_VALUE), "134217728",
      "Target size of files written by compaction (128 MiB)");
  public static final ConfKey<Map<String, Integer>> MAINTAIN_RETENTION = key("maintain.retention",
      Types.RETENTION, "cloudtrail=2557,cloudtrail_insights=2557,vpc_flow=400,guardduty_findings=2557",
      "Retention per table in days, table=days,... (2557 days = 7 years); a table left out is never trimmed");
  public static final ConfKey<LegalHoldSpec> MAINTAIN_LEGAL_HOLD = key("maintain.legal-hold",
      Types.LEGAL_HOLD, "",
      "Rows retention never deletes: account=ID, principal=ARN, dates=FROM..TO, comma-separated");
  /**
   * The shortest VACUUM window that keeps time travel and readers of older snapshots safe, in hours
   * (Delta's own default, and the tables' {@code delta.deletedFileRetentionDuration}): the one
   * definition of it.
   */
  public static final int VACUUM_MIN_HOURS = 168;
  public static final ConfKey<Integer> MAINTAIN_VACUUM_HOURS = key("maintain.vacuum-hours",
      Types.integer(0, 1_000_000), String.valueOf(VACUUM_MIN_HOURS),
      "VACUUM keeps files needed by snapshots this recent; below " + VACUUM_MIN_HOURS
          + " only with --force-vacuum");
  public static final ConfKey<String> VALIDATE_PUBLIC_KEYS = key("validate.public-keys", Types.TEXT, "",
      "CloudTrail public keys as 'aws cloudtrail list-public-keys' JSON, for offline validation "
          + "(empty = <raw>/cloudtrail-public-keys.json when a local raw folder holds one, else "
          + "CloudTrail's ListPublicKeys in each digest's region)");
  public static final ConfKey<Integer> VALIDATE_MAX_PROBLEMS = key("validate.max-problems",
      Types.integer(0, 10_000_000), "1000",
      "Problems listed in the validate summary (all are in the integrity table)");
  public static final ConfKey<String> DETECT_RULES_DIR = key("detect.rules-dir", Types.TEXT, "",
      "A folder of your own rule files (<id>.yml), run with the shipped rules (empty = shipped only)");
  public static final ConfKey<List<String>> DETECT_DISABLED = key("detect.disabled-rules", Types.NAMES,
      "", "Rule ids detect does not run, comma-separated");
  public static final ConfKey<String> DETECT_EXCEPTIONS = key("detect.exceptions", Types.TEXT, "",
      "A YAML file of your exceptions to the rules (README, Exceptions): matching alerts are kept, "
          + "flagged suppressed_by, and seed no incident (empty = none)");
  public static final ConfKey<Integer> DETECT_LEARNING_DAYS = key("detect.learning-days",
      Types.integer(1, 3650), "7",
      "Days of a principal's history the unusual-activity rules learn from before they alert");
  public static final ConfKey<Integer> CORRELATE_WINDOW_MINUTES = key("correlate.window-minutes",
      Types.integer(1, 7 * 24 * 60), "60",
      "Minutes before and after a seed within which another seed sharing an entity joins its incident");
  public static final ConfKey<Integer> CORRELATE_MAX_FANOUT = key("correlate.max-fanout",
      Types.integer(1, 100_000), "25",
      "An address used by more principals than this on one day (a NAT, a proxy) links no seeds of that day;"
          + " a key that assumed more sessions than this is not followed to them");
  public static final ConfKey<Integer> CORRELATE_MAX_SPAN_HOURS = key("correlate.max-span-hours",
      Types.integer(1, 24 * 366), "24",
      "Longest time from an incident's first seed to its last; a chain of linked seeds that would span"
          + " more is split at its widest gap between seeds, and again until every part fits");
  public static final ConfKey<String> CORRELATE_MIN_SEVERITY = key("correlate.min-severity",
      Types.choice(Severity.labelsFrom(Severity.LOW).toArray(new String[0])), "medium",
      "Least severity of an incident's most severe alert or finding; weaker groups are not incidents");
  /** Every step nightly knows, in the order they run: the one list of them. */
  public static final List<String> NIGHTLY_STEP_NAMES = List.of("ingest", "validate", "maintain", "detect",
      "correlate", "report");
  public static final ConfKey<List<String>> NIGHTLY_STEPS = key("nightly.steps",
      Types.namesOf(NIGHTLY_STEP_NAMES), String.join(",", NIGHTLY_STEP_NAMES),
      "The steps nightly runs, in this order (leave out validate for logs without digests)");
  public static final ConfKey<String> NIGHTLY_RECONCILE_DAY = key("nightly.reconcile-day",
      Types.choice("none", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
      "sunday", "Weekday (UTC) on which nightly's ingest lists every day (--reconcile) instead of the recent ones");
  public static final ConfKey<String> NIGHTLY_REPORTS_DIR = key("nightly.reports-dir", Types.TEXT, "",
      "Local folder where nightly's report step writes one HTML and JSON file per incident (empty = a "
          + "reports folder beside a local lake, ./reports for a lake on S3)");
  public static final ConfKey<String> CATALOG_DATABASE = key("catalog.database",
      Types.matching("[a-z][a-z0-9_]{0,254}", "a lower-case name: letters, digits and _"), "trailkeep",
      "Database (Glue Data Catalog or Spark catalog) that catalog registers the lake's tables in");
  public static final ConfKey<String> CATALOG_TARGET = key("catalog.target", Types.choice("spark", "glue"),
      "spark", "Where catalog registers the tables: spark (the session's own catalog; on EMR and Glue "
          + "that is the Glue Data Catalog when the cluster uses it) or glue (the Glue API directly)");
  public static final ConfKey<String> CATALOG_GLUE_REGION = key("catalog.glue-region", Types.TEXT, "",
      "Region of the Glue Data Catalog (empty = the AWS SDK's default region chain)");
  public static final ConfKey<String> CATALOG_GLUE_CATALOG_ID = key("catalog.glue-catalog-id",
      Types.matching("|\\d{12}", "empty or a 12-digit AWS account id"), "",
      "Account id of the Glue Data Catalog (empty = the caller's account)");
  public static final ConfKey<Long> GENERATE_SEED = key("generate.seed", Types.longInteger(Long.MIN_VALUE,
      Long.MAX_VALUE), "42", "Seed of the data generator; equal seeds give byte-identical output");
  public static final ConfKey<Long> GENERATE_EVENTS = key("generate.events",
      Types.longInteger(1, Long.MAX_VALUE), "20000",
      "Approximate number of CloudTrail events the generator writes");
  public static final ConfKey<Integer> GENERATE_DAYS = key("generate.days", Types.integer(1, 36_500),
      "8", "Number of days the generated data spans; beyond detect.learning-days the scenarios "
          + "play after the learning period");
  public static final ConfKey<LocalDate> GENERATE_START = key("generate.start", Types.DAY,
      "2026-11-01", "First UTC day of generated data (YYYY-MM-DD)");
  public static final ConfKey<Integer> GENERATE_ACCOUNTS = key("generate.accounts",
      Types.integer(1, 500), "4", "Number of AWS accounts in the generated organization");
  public static final ConfKey<List<String>> GENERATE_SCENARIOS = key("generate.scenarios",
      Types.NAMES, "leaked-access-key", "Comma-separated attack scenarios to inject (README, Scenario "
          + "catalog), all, or none");
  public static final ConfKey<String> GENERATE_SCENARIO_LAYOUT = key("generate.scenario-layout",
      Types.choice("spread", "concurrent"), "spread",
      "When the scenarios happen: spread (one after another across the span) or concurrent (all "
          + "start within six minutes, 3 hours after the span's middle, several in one account); in a "
          + "span longer than detect.learning-days, only after those first days");
  public static final ConfKey<Double> GENERATE_FLOW_RATIO = key("generate.flow-ratio",
      Types.decimal(0, 1_000_000), "10",
      "VPC flow-log records generated per CloudTrail event (0 = no flow logs)");
  public static final ConfKey<String> GENERATE_FLOW_FORMAT = key("generate.flow-format", Types.TEXT,
      "mixed", "Flow-log format: mixed (default/custom/custom under Hive prefixes, by account), "
          + "default, custom (30 fields) or a space-separated field list");
  public static final ConfKey<Double> GENERATE_FINDINGS_PER_DAY = key("generate.findings-per-day",
      Types.decimal(0, 1_000_000), "2",
      "Background GuardDuty findings per account and day (0 = no GuardDuty exports at all)");

  private final String name;
  private final Type<T> type;
  private final String defaultText;
  private final T defaultValue;
  private final String description;

  private ConfKey(String name, Type<T> type, String defaultText, String description) {
    this.name = name;
    this.type = type;
    this.defaultText = defaultText;
    this.description = description;
    this.defaultValue = parse(defaultText);
  }

  private static <T> ConfKey<T> key(String name, Type<T> type, String defaultText, String description) {
    ConfKey<T> k = new ConfKey<>(name, type, defaultText, description);
    if (ALL.put(name, k) != null) {
      throw new IllegalStateException("configuration key declared twice: " + name);
    }
    return k;
  }

  public String name() {
    return name;
  }

  /** The default as written in conf files and the README. */
  public String defaultText() {
    return defaultText;
  }

  /** The default, typed. */
  public T defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }

  /** What values the key takes, for help text ("integer 1..1000000"). */
  public String typeDescription() {
    return type.describe();
  }

  /** Parses and validates a value; a bad one is a {@link ConfException} naming the key and the fix. */
  public T parse(String text) {
    try {
      return type.parse(text == null ? "" : text.trim());
    } catch (ConfException e) {
      throw new ConfException(name + " " + e.getMessage() + ", got '" + text + "'");
    }
  }

  /** {@code value} as text that {@link #parse} accepts. */
  public String format(T value) {
    return type.format(value);
  }

  /** All declared keys in declaration order. */
  public static Map<String, ConfKey<?>> all() {
    return Collections.unmodifiableMap(ALL);
  }

  @Override
  public String toString() {
    return name;
  }

  /** How a key's text becomes a value. A failure throws {@link ConfException} saying what is expected. */
  public interface Type<T> {
    T parse(String text);

    String describe();

    /** The text {@link #parse} turns back into {@code value}. */
    default String format(T value) {
      return String.valueOf(value);
    }
  }

  /** The value types keys use. */
  public static final class Types {
    private Types() {}

    static <T> Type<T> of(String describe, Function<String, T> parser) {
      return of(describe, parser, String::valueOf);
    }

    static <T> Type<T> of(String describe, Function<String, T> parser, Function<T, String> format) {
      return new Type<>() {
        @Override
        public T parse(String text) {
          return parser.apply(text);
        }

        @Override
        public String describe() {
          return describe;
        }

        @Override
        public String format(T value) {
          return format.apply(value);
        }
      };
    }

    public static final Type<String> TEXT = of("text", s -> s);

    public static final Type<Boolean> BOOLEAN = of("true or false", s -> {
      String v = s.toLowerCase(Locale.ROOT);
      if (v.equals("true") || v.equals("false")) {
        return Boolean.parseBoolean(v);
      }
      throw new ConfException("must be true or false");
    });

    public static final Type<LocalDate> DAY = of("a day YYYY-MM-DD", s -> {
      try {
        return LocalDate.parse(s);
      } catch (DateTimeParseException e) {
        throw new ConfException("must be a day as YYYY-MM-DD");
      }
    });

    /** Comma-separated names; blank and {@code none} give an empty list. */
    public static final Type<List<String>> NAMES = of("comma-separated names, or none", s -> {
      List<String> out = new ArrayList<>();
      for (String p : s.split(",")) {
        String n = p.trim();
        if (!n.isEmpty() && !n.equals("none")) {
          out.add(n);
        }
      }
      return List.copyOf(out);
    }, names -> String.join(",", names));

    public static final Type<Map<String, Integer>> RETENTION = of("table=days,...", s -> {
      Map<String, Integer> m = new TreeMap<>();
      for (String part : s.split(",")) {
        if (part.isBlank()) {
          continue;
        }
        String[] kv = part.trim().split("=");
        try {
          int days = Integer.parseInt(kv[1].trim());
          if (kv.length != 2 || days < 1 || !kv[0].trim().matches("[a-z_]+")) {
            throw new IllegalArgumentException();
          }
          m.put(kv[0].trim(), days);
        } catch (RuntimeException e) {
          throw new ConfException("entry '" + part.trim() + "' must be table=days with days >= 1");
        }
      }
      return Collections.unmodifiableMap(m);
    }, m -> {
      StringBuilder b = new StringBuilder();
      for (Map.Entry<String, Integer> e : new TreeMap<>(m).entrySet()) {
        b.append(b.length() == 0 ? "" : ",").append(e.getKey()).append('=').append(e.getValue());
      }
      return b.toString();
    });

    public static final Type<LegalHoldSpec> LEGAL_HOLD =
        of("account=ID, principal=ARN, dates=FROM..TO (comma-separated)", LegalHoldSpec::parse);

    public static Type<Integer> integer(int min, int max) {
      return of("integer " + min + ".." + max, s -> {
        try {
          int v = Integer.parseInt(s);
          if (v >= min && v <= max) {
            return v;
          }
        } catch (NumberFormatException e) {
          // reported below
        }
        throw new ConfException("must be an integer from " + min + " to " + max);
      });
    }

    public static Type<Long> longInteger(long min, long max) {
      return of("integer " + min + ".." + max, s -> {
        try {
          long v = Long.parseLong(s);
          if (v >= min && v <= max) {
            return v;
          }
        } catch (NumberFormatException e) {
          // reported below
        }
        throw new ConfException("must be an integer from " + min + " to " + max);
      });
    }

    public static Type<Double> decimal(double min, double max) {
      return of("number " + min + ".." + max, s -> {
        try {
          double v = Double.parseDouble(s);
          if (v >= min && v <= max) {
            return v;
          }
        } catch (NumberFormatException e) {
          // reported below
        }
        throw new ConfException("must be a number from " + min + " to " + max);
      });
    }

    /** One of the given values (case-insensitive; the declared spelling is returned). */
    public static Type<String> choice(String... values) {
      return of("one of " + String.join(", ", values), s -> {
        for (String v : values) {
          if (v.equalsIgnoreCase(s)) {
            return v;
          }
        }
        throw new ConfException("must be one of " + String.join(", ", values));
      });
    }

    /** Comma-separated names, each one of {@code known}; blank and {@code none} give an empty list. */
    public static Type<List<String>> namesOf(List<String> known) {
      return of("comma-separated names among " + String.join(", ", known) + ", or none", s -> {
        List<String> names = NAMES.parse(s);
        for (String n : names) {
          if (!known.contains(n)) {
            throw new ConfException("has unknown name '" + n + "'; use some of " + String.join(", ", known));
          }
        }
        return names;
      }, names -> String.join(",", names));
    }

    /** {@code all}, or a comma-separated subset of {@code names}; normalized to the list or all. */
    public static Type<String> sourceList(String... names) {
      List<String> known = List.of(names);
      return of("all or a comma-separated subset of " + String.join(", ", names), s -> {
        for (String p : s.split(",")) {
          String n = p.trim();
          if (!n.equals("all") && !known.contains(n)) {
            throw new ConfException("has unknown source '" + n + "'; use one of " + known + " or all");
          }
        }
        return s;
      });
    }

    public static Type<String> matching(String regex, String what) {
      return of(what, s -> {
        if (!s.matches(regex)) {
          throw new ConfException("must be " + what);
        }
        return s;
      });
    }
  }
}
