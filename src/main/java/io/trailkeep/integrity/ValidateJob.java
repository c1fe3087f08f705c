package io.trailkeep.integrity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import io.delta.tables.DeltaTable;
import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.job.JobAction;
import io.trailkeep.job.JobResult;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.IntegrityTable;
import io.trailkeep.schema.ManifestTable;
import io.trailkeep.storage.AwsLogKeys;
import io.trailkeep.storage.HadoopRawStore;
import io.trailkeep.storage.RawStore;
import io.trailkeep.storage.S3Clients;
import io.trailkeep.storage.S3RawStore;
import io.trailkeep.storage.SerializableHadoopConf;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.storage.StorageLevel;

/**
 * The {@code validate} action: checks CloudTrail's chain of custody for every trail under a raw
 * root (or the days [from, to]): each digest's signature with the key its fingerprint names, each
 * chain (per account, region and trail) through {@code previousDigestS3Object} and
 * {@code previousDigestSignature} with time continuity, so any number of consecutive missing
 * digests is found, and every listed log file's SHA-256 over its uncompressed content. One verdict
 * per log file and per digest goes to the {@code integrity} table, and each ingested file's latest
 * verdict to the manifest.
 *
 * <p>Cost: the driver lists the account, region and day folders only; executors list the day
 * folders, read each digest and each log file once and hash in parallel; chain checks are window
 * functions. No hash list is held by the driver, which collects counts and at most
 * {@code validate.max-problems} problems.
 *
 * <p>Side effects: one append to {@code integrity}, one MERGE into {@code ingest_manifest} (when
 * there is one), a run_history row.
 */
public final class ValidateJob extends JobAction<ValidateJob, ValidateJob.Result> {
  private LocalDate from;
  private LocalDate to;
  private boolean existingLake;

  private ValidateJob(Lake lake) {
    super("validate", lake);
  }

  public static ValidateJob on(Lake lake) {
    return new ValidateJob(lake);
  }

  @Override
  protected List<ConfKey<?>> keys() {
    return List.of(ConfKey.RAW, ConfKey.VALIDATE_PUBLIC_KEYS, ConfKey.VALIDATE_MAX_PROBLEMS);
  }

  public ValidateJob raw(String rawRoot) {
    return set(ConfKey.RAW, rawRoot);
  }

  /** The list-public-keys JSON file to validate with, offline (empty asks CloudTrail). */
  public ValidateJob publicKeys(String file) {
    return set(ConfKey.VALIDATE_PUBLIC_KEYS, file);
  }

  public ValidateJob maxProblems(int n) {
    return set(ConfKey.VALIDATE_MAX_PROBLEMS, n);
  }

  /** Validates only log files delivered, and digests ending, within [first, last] (UTC days). */
  public ValidateJob days(LocalDate first, LocalDate last) {
    if (first != null && last != null && first.isAfter(last)) {
      throw new ConfException("--from " + first + " is after --to " + last);
    }
    this.from = first;
    this.to = last;
    return this;
  }

  /**
   * Counts per verdict (every verdict, zeros included), items checked, and the first problems: a
   * problem is {@code {"verdict", "key"}}, or {@code {"verdict", "from", "to"}} for a missing
   * digest inferred from a time gap. {@code publicKeys} is the key file used, or
   * {@code cloudtrail-api}.
   */
  public record Result(String runId, Map<String, Long> verdicts, long digestsChecked,
      long logsChecked, long problemCount, List<Map<String, String>> problems, String raw,
      String publicKeys, double seconds) implements JobResult {
    @Override
    public String job() {
      return "validate";
    }
  }

  /**
   * With {@link #existingLake} true, verdicts go only to a lake beside what ingest landed: a folder
   * holding neither an ingest manifest nor earlier verdicts is refused as a mistyped {@code --lake}.
   */
  @Override
  protected List<String> requiredTables() {
    return existingLake ? List.of(ManifestTable.NAME, IntegrityTable.NAME) : List.of();
  }

  /**
   * Whether the lake must already hold an ingest manifest or earlier verdicts (the command line's
   * default); false lets validation start a lake of its own (default for the API).
   */
  public ValidateJob existingLake(boolean required) {
    this.existingLake = required;
    return this;
  }

  @Override
  protected Result run(Run run) {
    Lake lake = lake();
    SparkSession spark = lake.spark();
    String raw = Lake.absolute(get(ConfKey.RAW));
    raw = raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<SerializableHadoopConf> hconf =
        jsc.broadcast(new SerializableHadoopConf(jsc.hadoopConfiguration()));
    run.progress().info("validate: listing trails under %s", raw);
    List<String> days = dayFolders(raw);
    int slices = Math.max(1, Math.min(days.size(), 4 * spark.sparkContext().defaultParallelism()));
    Dataset<Row> listed = spark.createDataFrame(jsc.parallelize(days, slices)
        .mapPartitions(new DigestScan.ListDays(hconf, raw)), DigestScan.LISTED)
        .persist(StorageLevel.MEMORY_AND_DISK());
    List<Dataset<Row>> release = new ArrayList<>(List.of(listed));
    try {
      Column logDays = inRange(col("day"), from, to);
      // digests of the day after the range list the range's last logs
      Column digestDays = inRange(col("day"), from, to == null ? null : to.plusDays(1));
      Dataset<Row> logs = listed.filter(col("kind").equalTo("log").and(logDays));
      List<String> digestPaths = listed.filter(col("kind").equalTo("digest").and(digestDays))
          .select("path").as(Encoders.STRING()).collectAsList();
      run.progress().info("validate: %d digests", digestPaths.size());
      String keyFile = publicKeyFile(raw);
      run.progress().info("validate: public keys from %s", keyFile == null
          ? "CloudTrail's ListPublicKeys" : keyFile);
      PublicKeys keys = publicKeys(listed.filter(col("kind").equalTo("digest")), keyFile);
      Broadcast<PublicKeys> keysB = jsc.broadcast(keys);
      JavaRDD<String> dp = jsc.parallelize(digestPaths, Math.max(1, Math.min(digestPaths.size(), slices)));
      Dataset<Row> read = spark.createDataFrame(dp.mapPartitions(
          new DigestScan.ReadDigests(hconf, keysB)), DigestScan.DIGEST)
          .withColumn("backfill", isBackfill(col("object_key")));
      // a digest stored without its signature is checked with the one its successor names
      WindowSpec chain = chainWindow();
      Dataset<Row> withNext = read.withColumn("next_sig", when(
          lead(col("prev_key"), 1).over(chain).equalTo(col("object_key")),
          lead(col("prev_sig"), 1).over(chain)));
      Dataset<Row> digests = withNext.mapPartitions(new DigestScan.VerifyWithSuccessor(keysB),
              Encoders.row(withNext.schema())).drop("next_sig")
          .persist(StorageLevel.MEMORY_AND_DISK());
      release.add(digests);
      Dataset<Row> verdicts = digestVerdicts(digests).unionByName(missingDigests(digests))
          .unionByName(logVerdicts(jsc, hconf, digests, logs))
          .withColumn("run_id", lit(run.runId()))
          .withColumn("checked_at", lit(Timestamp.from(run.started())))
          .selectExpr(IntegrityTable.SCHEMA.fieldNames())
          .persist(StorageLevel.MEMORY_AND_DISK());
      release.add(verdicts);
      spark.sparkContext().setJobDescription("validate: check digests and log files");
      Map<String, Long> counts = new LinkedHashMap<>();
      for (String v : IntegrityTable.VERDICTS) {
        counts.put(v, 0L);
      }
      long digestsChecked = 0;
      long logsChecked = 0;
      for (Row r : verdicts.groupBy("item", "verdict").agg(count(lit(1))).collectAsList()) {
        counts.merge(r.getString(1), r.getLong(2), Long::sum);
        if (r.getString(0).equals("digest") && !r.getString(1).equals("missing_digest")) {
          digestsChecked += r.getLong(2);
        } else if (r.getString(0).equals("log")) {
          logsChecked += r.getLong(2);
        }
      }
      lake.ensure(IntegrityTable.NAME, IntegrityTable.SCHEMA, null, Map.of());
      verdicts.write().format("delta").mode("append").option("userMetadata", run.runId())
          .save(lake.pathOf(IntegrityTable.NAME));
      recordInManifest(lake, verdicts, run);
      Column problem = col("verdict").isin("valid", "pending").unary_$bang();
      long problemCount = counts.entrySet().stream()
          .filter(e -> !e.getKey().equals("valid") && !e.getKey().equals("pending"))
          .mapToLong(Map.Entry::getValue).sum();
      List<Map<String, String>> problems = new ArrayList<>();
      for (Row r : verdicts.filter(problem).orderBy("verdict", "object_key", "range_start")
          .limit(get(ConfKey.VALIDATE_MAX_PROBLEMS)).collectAsList()) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("verdict", r.getString(r.fieldIndex("verdict")));
        if (r.isNullAt(r.fieldIndex("object_key"))) {
          p.put("from", r.getTimestamp(r.fieldIndex("range_start")).toInstant().toString());
          p.put("to", r.getTimestamp(r.fieldIndex("range_end")).toInstant().toString());
        } else {
          p.put("key", r.getString(r.fieldIndex("object_key")));
        }
        problems.add(p);
      }
      run.progress().info("validate: %d digests and %d log files checked, %d problems %s",
          digestsChecked, logsChecked, problemCount, counts);
      return new Result(run.runId(), counts, digestsChecked, logsChecked, problemCount, problems,
          raw, keyFile == null ? "cloudtrail-api" : keyFile, run.seconds());
    } finally {
      // newest first: nothing cached later is left built on what is uncached (no re-planning)
      for (int i = release.size() - 1; i >= 0; i--) {
        release.get(i).unpersist();
      }
      spark.sparkContext().setJobDescription(null);
    }
  }

  private static Column inRange(Column day, LocalDate first, LocalDate last) {
    Column c = lit(true);
    if (first != null) {
      c = c.and(day.geq(lit(Date.valueOf(first))));
    }
    if (last != null) {
      c = c.and(day.leq(lit(Date.valueOf(last))));
    }
    return c;
  }

  /** The day folders of every CloudTrail and CloudTrail-Digest region prefix (driver listing). */
  private List<String> dayFolders(String raw) {
    org.apache.hadoop.conf.Configuration hadoop = lake().spark().sparkContext().hadoopConfiguration();
    List<String> out = new ArrayList<>();
    try (RawStore store = S3Clients.isS3(raw) ? new S3RawStore(raw, hadoop)
        : new HadoopRawStore(raw, hadoop)) {
      String awsLogs = raw + "/AWSLogs/";
      if (!store.exists(awsLogs)) {
        throw new ConfException("raw root " + raw + " has no AWSLogs/ folder; pass --raw with the "
            + "folder or s3a:// prefix that holds AWSLogs/");
      }
      List<String> accounts = new ArrayList<>();
      for (String d : store.childDirs(awsLogs)) {
        String name = segment(d);
        if (AwsLogKeys.ORG.matcher(name).matches()) {
          accounts.addAll(store.childDirs(d));
        } else if (AwsLogKeys.ACCOUNT.matcher(name).matches()) {
          accounts.add(d);
        }
      }
      LocalDate first = from == null ? LocalDate.MIN : from;
      LocalDate last = to == null ? LocalDate.MAX : to.plusDays(1);
      for (String account : accounts) {
        for (String service : List.of(AwsLogKeys.CLOUDTRAIL, AwsLogKeys.CLOUDTRAIL_DIGEST)) {
          for (String region : store.childDirs(account + service + "/")) {
            for (String year : store.childDirs(region)) {
              for (String month : store.childDirs(year)) {
                for (String day : store.childDirs(month)) {
                  LocalDate date = date(segment(year), segment(month), segment(day));
                  if (date != null && !date.isBefore(first) && !date.isAfter(last)) {
                    out.add(day);
                  }
                }
              }
            }
          }
        }
      }
    }
    return out;
  }

  private static LocalDate date(String y, String m, String d) {
    try {
      return LocalDate.of(Integer.parseInt(y), Integer.parseInt(m), Integer.parseInt(d));
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String segment(String dir) {
    String d = dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
    return d.substring(d.lastIndexOf('/') + 1);
  }

  /**
   * The key file to validate with: {@code validate.public-keys} when set, else
   * {@code <raw>/cloudtrail-public-keys.json} when a local raw folder holds one (never from a bucket,
   * which whoever tampers with the logs could write too), else null (CloudTrail's API).
   */
  private String publicKeyFile(String raw) {
    String file = get(ConfKey.VALIDATE_PUBLIC_KEYS);
    if (!file.isEmpty()) {
      return Lake.absolute(file);
    }
    if (S3Clients.isS3(raw)) {
      // never looked for in a bucket: whoever can write the logs could plant keys there and sign
      // forged digests with them (and the pipeline's role may not even read the bucket's root)
      return null;
    }
    return PublicKeys.besideRaw(raw, lake().spark().sparkContext().hadoopConfiguration());
  }

  /** The keys: from the file given, or CloudTrail's API for the digests' regions and time range. */
  private PublicKeys publicKeys(Dataset<Row> digestObjects, String file) {
    if (file != null) {
      return PublicKeys.fromFile(file, lake().spark().sparkContext().hadoopConfiguration());
    }
    List<Row> range = digestObjects.agg(min("delivered"),
        max("delivered")).collectAsList();
    if (range.isEmpty() || range.get(0).isNullAt(0)) {
      return PublicKeys.fromJson("{\"PublicKeyList\":[]}");
    }
    TreeSet<String> regions = new TreeSet<>(digestObjects.select("region").distinct()
        .as(Encoders.STRING()).collectAsList());
    Instant first = range.get(0).getTimestamp(0).toInstant().minusSeconds(86400);
    Instant last = range.get(0).getTimestamp(1).toInstant().plusSeconds(86400);
    return PublicKeys.fromCloudTrail(regions, first, last);
  }

  /**
   * Whether a digest key is a backfill digest ({@code ..._backfill.json.gz}): CloudTrail's digest of
   * log files delivered after their hour's digest was written. Backfill digests chain among
   * themselves (a null previous link starts or restarts that chain) and are not hourly, so they
   * form a chain of their own beside the hourly one and have no time-continuity check.
   */
  static Column isBackfill(Column objectKey) {
    return objectKey.rlike(AwsLogKeys.BACKFILL_DIGEST_SUFFIX_REGEX);
  }

  /** One chain per account, region and trail, and apart from it the trail's backfill digests. */
  private static WindowSpec chainWindow() {
    return Window.partitionBy("account_id", "region", "trail", "backfill").orderBy("end", "object_key");
  }

  /** Each present digest's verdict: its own key and signature, then its link to the previous one. */
  private static Dataset<Row> digestVerdicts(Dataset<Row> digests) {
    WindowSpec chain = chainWindow();
    Dataset<Row> d = digests.withColumn("lag_key", lag(col("object_key"), 1).over(chain))
        .withColumn("lag_sig", lag(col("signature"), 1).over(chain))
        .withColumn("lag_end", lag(col("end"), 1).over(chain));
    Column linked = col("prev_key").isNotNull().and(col("lag_key").equalTo(col("prev_key")));
    // a previous digest stored without its signature was checked with this one's (see
    // VerifyWithSuccessor): nothing to compare then
    Column mismatch = linked.and(col("lag_sig").isNotNull())
        .and(col("prev_sig").isNull().or(col("prev_sig").notEqual(col("lag_sig"))));
    Column gap = linked.and(col("backfill").unary_$bang()).and(col("lag_end").notEqual(col("start")));
    Column verdict = when(col("status").notEqual("valid"), col("status"))
        .when(mismatch, lit("broken_chain"))
        .when(gap, lit("broken_chain"))
        .otherwise(lit("valid"));
    Column detail = when(col("status").notEqual("valid"), col("detail"))
        .when(mismatch, lit("previousDigestSignature differs from the previous digest's signature"))
        .when(gap, lit("the digest does not start where the previous one ended"));
    return d.select(lit("digest").alias("item"), verdict.alias("verdict"), col("object_key"),
        col("path"), col("account_id"), col("region"), col("trail"),
        lit(null).cast("string").alias("digest_key"), col("start").alias("range_start"),
        col("end").alias("range_end"), lit(null).cast("string").alias("expected_sha256"),
        lit(null).cast("string").alias("actual_sha256"), col("fingerprint"), detail.alias("detail"));
  }

  /**
   * Digests that should be there and are not: one a present digest names as its previous, and,
   * before it, the time between the preceding present digest and the named one's start (assumed
   * as long as its successor's period) - any number of consecutive missing digests.
   */
  private static Dataset<Row> missingDigests(Dataset<Row> digests) {
    WindowSpec chain = chainWindow();
    Dataset<Row> d = digests.withColumn("lag_key", lag(col("object_key"), 1).over(chain))
        .withColumn("lag_end", lag(col("end"), 1).over(chain));
    Dataset<Row> present = digests.select(col("object_key").alias("present_key"));
    Dataset<Row> named = d.filter(col("prev_key").isNotNull()
            .and(col("lag_key").isNull().or(col("lag_key").notEqual(col("prev_key")))))
        .join(present, col("prev_key").equalTo(col("present_key")), "left_anti");
    Column namedStart = expr("`start` - (`end` - `start`)");
    Dataset<Row> byName = named.select(lit("digest").alias("item"), lit("missing_digest").alias("verdict"),
        col("prev_key").alias("object_key"), lit(null).cast("string").alias("path"),
        col("account_id"), col("region"), col("trail"), col("object_key").alias("digest_key"),
        lit(null).cast("timestamp").alias("range_start"), col("start").alias("range_end"),
        lit(null).cast("string").alias("expected_sha256"), lit(null).cast("string").alias("actual_sha256"),
        lit(null).cast("string").alias("fingerprint"),
        lit("named by the next digest's previousDigestS3Object").alias("detail"));
    // backfill digests are not hourly: no gap is inferred from their times
    Dataset<Row> inferred = named.filter(col("backfill").unary_$bang().and(col("lag_end").isNotNull())
            .and(col("lag_end").lt(namedStart)))
        .select(lit("digest").alias("item"), lit("missing_digest").alias("verdict"),
            lit(null).cast("string").alias("object_key"), lit(null).cast("string").alias("path"),
            col("account_id"), col("region"), col("trail"), col("object_key").alias("digest_key"),
            col("lag_end").alias("range_start"), namedStart.alias("range_end"),
            lit(null).cast("string").alias("expected_sha256"), lit(null).cast("string").alias("actual_sha256"),
            lit(null).cast("string").alias("fingerprint"),
            lit("inferred from the gap between two present digests").alias("detail"));
    return byName.unionByName(inferred);
  }

  /**
   * Every log file's verdict: listed and present (hashed: valid or modified_log), listed and absent
   * (missing_log), present and not listed by any present digest (unlisted_log, or pending when it
   * was delivered after its region's newest digest).
   */
  private Dataset<Row> logVerdicts(JavaSparkContext jsc, Broadcast<SerializableHadoopConf> hconf,
      Dataset<Row> digests, Dataset<Row> logs) {
    SparkSession spark = lake().spark();
    Dataset<Row> listed = digests.select(col("object_key").alias("digest_key"), col("account_id"),
            col("region"), col("trail"), explode(col("logs")).alias("l"))
        .select(col("l.object_key").alias("object_key"), col("l.sha256").alias("expected_sha256"),
            col("digest_key"), col("trail"));
    // only the listed logs of the days validated
    listed = listed.withColumn("_day", to_date(
            regexp_extract(col("object_key"),
                "/(\\d{4}/\\d{2}/\\d{2})/[^/]+$", 1), "yyyy/MM/dd"))
        .filter(inRange(col("_day"), from, to)).drop("_day").dropDuplicates("object_key");
    Dataset<Row> present = logs.select(col("path"), col("object_key"), col("account_id"),
        col("region"), col("delivered"));
    Dataset<Row> both = listed.join(present, "object_key");
    List<String> toHash = both.select("path").as(Encoders.STRING()).collectAsList();
    int slices = Math.max(1, Math.min(toHash.size(), 4 * spark.sparkContext().defaultParallelism()));
    Dataset<Row> hashed = spark.createDataFrame(jsc.parallelize(toHash, slices)
        .mapPartitions(new DigestScan.HashLogs(hconf)), DigestScan.HASHED);
    Dataset<Row> checked = both.join(hashed, "path").select(lit("log").alias("item"),
        when(col("actual_sha256").isNull(), lit("missing_log"))
            .when(col("actual_sha256").equalTo(col("expected_sha256")), lit("valid"))
            .otherwise(lit("modified_log")).alias("verdict"),
        col("object_key"), col("path"), col("account_id"), col("region"), col("trail"),
        col("digest_key"), lit(null).cast("timestamp").alias("range_start"),
        lit(null).cast("timestamp").alias("range_end"), col("expected_sha256"), col("actual_sha256"),
        lit(null).cast("string").alias("fingerprint"), lit(null).cast("string").alias("detail"));
    Dataset<Row> missing = listed.join(present, listed.col("object_key").equalTo(present.col("object_key")),
            "left_anti")
        .select(lit("log").alias("item"), lit("missing_log").alias("verdict"), col("object_key"),
            lit(null).cast("string").alias("path"), lit(null).cast("string").alias("account_id"),
            lit(null).cast("string").alias("region"), col("trail"), col("digest_key"),
            lit(null).cast("timestamp").alias("range_start"), lit(null).cast("timestamp").alias("range_end"),
            col("expected_sha256"), lit(null).cast("string").alias("actual_sha256"),
            lit(null).cast("string").alias("fingerprint"),
            lit("listed by its digest, absent from the bucket").alias("detail"));
    Dataset<Row> newest = digests.groupBy("account_id", "region").agg(max("end").alias("newest_end"));
    Dataset<Row> unlisted = present.join(listed, present.col("object_key").equalTo(listed.col("object_key")),
            "left_anti")
        .join(newest, new String[] {"account_id", "region"}, "left")
        .select(lit("log").alias("item"),
            when(col("newest_end").isNull().or(col("delivered").geq(col("newest_end"))), lit("pending"))
                .otherwise(lit("unlisted_log")).alias("verdict"),
            col("object_key"), col("path"), col("account_id"), col("region"),
            lit(null).cast("string").alias("trail"), lit(null).cast("string").alias("digest_key"),
            lit(null).cast("timestamp").alias("range_start"), lit(null).cast("timestamp").alias("range_end"),
            lit(null).cast("string").alias("expected_sha256"), lit(null).cast("string").alias("actual_sha256"),
            lit(null).cast("string").alias("fingerprint"),
            when(col("newest_end").isNull().or(col("delivered").geq(col("newest_end"))),
                lit("delivered after its region's newest digest"))
                .otherwise(lit("no present digest lists it")).alias("detail"));
    return checked.unionByName(missing).unionByName(unlisted);
  }

  /** Each validated log file's latest verdict on its manifest rows. */
  private static void recordInManifest(Lake lake, Dataset<Row> verdicts, Run run) {
    if (!lake.exists(ManifestTable.NAME)) {
      return;
    }
    lake.ensureColumns(ManifestTable.NAME, ManifestTable.SCHEMA);
    Dataset<Row> latest = verdicts.filter(col("item").equalTo("log").and(col("path").isNotNull()))
        .select(col("path"), col("verdict"));
    run.settings().set(Lake.COMMIT_MARKER_CONF, run.runId() + "/" + ManifestTable.NAME);
    Map<String, Column> set = new LinkedHashMap<>();
    set.put("integrity_verdict", col("s.verdict"));
    set.put("integrity_run_id", lit(run.runId()));
    set.put("integrity_checked_at", lit(Timestamp.from(run.started())));
    DeltaTable.forPath(lake.spark(), lake.pathOf(ManifestTable.NAME)).as("t")
        .merge(latest.as("s"), col("t.path").equalTo(col("s.path")))
        .whenMatched().update(set)
        .execute();
    run.settings().unset(Lake.COMMIT_MARKER_CONF);
  }
}
