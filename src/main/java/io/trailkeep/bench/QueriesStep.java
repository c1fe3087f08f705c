package io.trailkeep.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;

import io.trailkeep.correlate.ActivityQuery;
import io.trailkeep.job.Progress;
import io.trailkeep.lake.Lake;
import io.trailkeep.lake.ScanReport;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.storage.AwsLogKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Bench step {@code queries}: three investigation queries on the maintained lake ({@link SharedLake}), against the
 * same rows as plain Parquet and against Spark scanning the raw files: latency (best of the
 * repeats, each freshly planned), files and bytes each side read.
 */
final class QueriesStep {
  private QueriesStep() {}

  static Map<String, Object> run(SparkSession spark, Path dir, BenchData data, SharedLake shared,
      int repeats, Progress progress) throws IOException {
    Lake lake = shared.get();
    Dataset<Row> table = lake.read(CloudTrailTable.NAME);
    // the same rows, in the same files order, as plain Parquet partitioned by day
    Path parquetDir = Files.createTempDirectory(dir, "parquet-copy").resolve("cloudtrail");
    table.write().partitionBy(CloudTrailTable.PARTITION_COLUMN).parquet(parquetDir.toString());
    ParquetCopy parquet = new ParquetCopy(spark, parquetDir.toString(),
        spark.read().parquet(parquetDir.toString()));
    Row sample = table.filter(col("access_key_id").isNotNull().and(col("actor_type").equalTo("IAMUser")))
        .select("actor_principal", "access_key_id", "event_date", "account_id", "awsRegion").first();
    Supplier<Dataset<Row>> rawScan = () -> rawScan(spark, data.logGlob());
    String principal = sample.getString(0);
    String key = sample.getString(1);
    Date day = sample.getDate(2);
    String account = sample.getString(3);
    String region = sample.getString(4);
    Date monthStart = Date.valueOf(day.toLocalDate().withDayOfMonth(1));
    Date monthEnd = Date.valueOf(day.toLocalDate().withDayOfMonth(1).plusMonths(1).minusDays(1));
    Column q1 = col("event_date").equalTo(day).and(col("actor_principal").equalTo(principal));
    Column q2 = col("account_id").equalTo(account).and(col("awsRegion").equalTo(region))
        .and(col("event_date").between(monthStart, monthEnd));
    Column q3 = col("access_key_id").equalTo(key);
    // path-pruned raw scans, as Athena's partition projection reads: the folders of the account,
    // region and days a query names, and the next day's folder too (an event near midnight is
    // delivered after it)
    String principalAccount = principal.split(":")[4];
    LocalDate d = day.toLocalDate();
    LocalDate next = d.plusDays(1);
    String[] q1Folders = {glob(data, principalAccount, "*", d), glob(data, principalAccount, "*", next)};
    LocalDate firstOfNextMonth = monthStart.toLocalDate().plusMonths(1);
    String[] q2Folders = {data.raw().resolve(AwsLogKeys.cloudTrailLogGlob("*", account, region,
        String.format("%04d", d.getYear()), String.format("%02d", d.getMonthValue()), "*")).toString(),
        glob(data, account, region, firstOfNextMonth)};
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("q1_principal_day", compare(lake, repeats,
        () -> ActivityQuery.on(lake).principal(principal).from(day.toLocalDate()).to(day.toLocalDate())
            .plan().events(),
        parquet, p -> p.filter(q1),
        () -> rawScan.get().filter(to_date(col("eventTime")).equalTo(day)
            .and(col("userIdentity.arn").equalTo(principal))),
        () -> rawScan(spark, q1Folders).filter(to_date(col("eventTime")).equalTo(day)
            .and(col("userIdentity.arn").equalTo(principal)))));
    m.put("q2_counts_account_region_month", compare(lake, repeats,
        () -> lake.read(CloudTrailTable.NAME).filter(q2).groupBy("eventName", "errorCode").agg(count(lit(1))),
        parquet, p -> p.filter(q2).groupBy("eventName", "errorCode").agg(count(lit(1))),
        () -> rawScan.get().filter(col("recipientAccountId").equalTo(account)
            .and(col("awsRegion").equalTo(region))
            .and(to_date(col("eventTime")).between(monthStart, monthEnd)))
            .groupBy("eventName", "errorCode").agg(count(lit(1))),
        () -> rawScan(spark, q2Folders).filter(col("recipientAccountId").equalTo(account)
            .and(col("awsRegion").equalTo(region))
            .and(to_date(col("eventTime")).between(monthStart, monthEnd)))
            .groupBy("eventName", "errorCode").agg(count(lit(1)))));
    m.put("q3_access_key_all_days", compare(lake, repeats,
        () -> ActivityQuery.on(lake).accessKey(key).plan().events(),
        parquet, p -> p.filter(q3),
        () -> rawScan.get().filter(col("userIdentity.accessKeyId").equalTo(key)),
        null));
    progress.info("bench: queries %s", m);
    return m;
  }

  /**
   * Spark's JSON reader over the given paths or globs, one row per record; globs that match no
   * file are left out (Spark refuses a path that does not exist).
   */
  private static Dataset<Row> rawScan(SparkSession spark, String... paths) {
    List<String> existing = new ArrayList<>();
    for (String p : paths) {
      try {
        org.apache.hadoop.fs.Path glob = new org.apache.hadoop.fs.Path(p);
        FileStatus[] found = glob.getFileSystem(spark.sparkContext().hadoopConfiguration()).globStatus(glob);
        if (found != null && found.length > 0) {
          existing.add(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return spark.read().option("multiLine", true).schema(IngestStep.baselineSchema())
        .json(existing.toArray(String[]::new))
        .select(explode(col("Records")).alias("r")).select("r.*");
  }

  /** The glob of one account's (and region's, or {@code *}) CloudTrail folders of one day. */
  private static String glob(BenchData data, String account, String region, LocalDate day) {
    return data.raw().resolve(AwsLogKeys.cloudTrailLogGlob("*", account, region,
        String.format("%04d", day.getYear()), String.format("%02d", day.getMonthValue()),
        String.format("%02d", day.getDayOfMonth()))).toString();
  }

  /**
   * The plain Parquet copy: read afresh per query (listing and partition discovery included, as
   * the lake side loads its Delta snapshot per query), and one DataFrame read once before the
   * timings (its listing cached; the comparison of earlier rounds).
   */
  private record ParquetCopy(SparkSession spark, String path, Dataset<Row> held) {
    Dataset<Row> read() {
      return spark.read().parquet(path);
    }
  }

  /**
   * Latency (best of the repeats, each on a freshly planned query) of the lake, Parquet and raw
   * JSON sides (unpruned, and pruned by path when the query names folders; null when it names
   * none: an access key's account is not in the query), and files and bytes each side read
   * (from one more execution with scan metrics). Every side finds its files inside the timing
   * (Delta snapshot, Parquet listing, raw globs); the held Parquet DataFrame is reported beside.
   */
  private static Map<String, Object> compare(Lake lake, int repeats, Supplier<Dataset<Row>> lakeQuery,
      ParquetCopy parquet, UnaryOperator<Dataset<Row>> parquetQuery, Supplier<Dataset<Row>> rawQuery,
      Supplier<Dataset<Row>> prunedQuery) throws IOException {
    AtomicLong lakeRows = new AtomicLong();
    AtomicLong parquetRows = new AtomicLong();
    AtomicLong heldRows = new AtomicLong();
    AtomicLong rawRows = new AtomicLong();
    double lakeSeconds = Timing.best(repeats, () -> lakeRows.set(lakeQuery.get().count()));
    double parquetSeconds = Timing.best(repeats,
        () -> parquetRows.set(parquetQuery.apply(parquet.read()).count()));
    double heldSeconds = Timing.best(repeats,
        () -> heldRows.set(parquetQuery.apply(parquet.held()).count()));
    double rawSeconds = Timing.best(repeats, () -> rawRows.set(rawQuery.get().count()));
    Map<String, Object> lakeScan = ScanReport.of(lake, lakeQuery.get());
    Map<String, Object> rawScan = ScanReport.of(lake, rawQuery.get());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lake_seconds", lakeSeconds);
    m.put("parquet_seconds", parquetSeconds);
    m.put("raw_json_seconds", rawSeconds);
    m.put("speedup_vs_raw", rawSeconds / lakeSeconds);
    m.put("lake_vs_parquet", lakeSeconds / parquetSeconds);
    m.put("parquet_held_seconds", heldSeconds);
    m.put("lake_vs_parquet_held", lakeSeconds / heldSeconds);
    m.put("lake_files_read", lakeScan.get("files_read"));
    m.put("lake_files_total", lakeScan.get("files_total"));
    m.put("lake_bytes_read", lakeScan.get("bytes_read"));
    m.put("raw_files_read", rawScan.get("files_read"));
    m.put("raw_bytes_read", rawScan.get("bytes_read"));
    m.put("bytes_fraction_of_raw", ((Number) lakeScan.get("bytes_read")).doubleValue()
        / Math.max(1, ((Number) rawScan.get("bytes_read")).doubleValue()));
    m.put("rows", lakeRows.get());
    m.put("rows_parquet", parquetRows.get());
    m.put("rows_parquet_held", heldRows.get());
    m.put("rows_raw", rawRows.get());
    if (prunedQuery == null) {
      m.put("raw_pruned", "not prunable: the query names no account, region or day");
      return m;
    }
    AtomicLong prunedRows = new AtomicLong();
    double prunedSeconds = Timing.best(repeats, () -> prunedRows.set(prunedQuery.get().count()));
    Map<String, Object> prunedScan = ScanReport.of(lake, prunedQuery.get());
    m.put("raw_pruned_seconds", prunedSeconds);
    m.put("speedup_vs_raw_pruned", prunedSeconds / lakeSeconds);
    m.put("raw_pruned_files_read", prunedScan.get("files_read"));
    m.put("raw_pruned_bytes_read", prunedScan.get("bytes_read"));
    m.put("rows_raw_pruned", prunedRows.get());
    return m;
  }
}
