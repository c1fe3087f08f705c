package io.trailkeep.maintain;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import io.trailkeep.conf.ConfException;
import io.trailkeep.job.JobResult;
import io.trailkeep.job.Progress;
import io.trailkeep.job.RunHistory;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.GuardDutyTable;
import io.trailkeep.schema.VpcFlowTable;
import io.trailkeep.schema.MaintenanceTables;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * The maintain action, per data table: retention (delete rows older than the table's policy,
 * except those under legal hold, recorded in retention_history), compaction of the partitions
 * that received files since the last maintenance in the table's {@link Layout} (so a nightly run
 * is cheap and a second run rewrites nothing), VACUUM of files no snapshot within the safety
 * window needs, and for {@code cloudtrail} the access-key index of the changed days.
 *
 * <p>Side effects: Delta commits on each table; cloudtrail_access_keys, maintenance_state,
 * retention_history and run_history rows. Safe while no ingest writes the same lake; run
 * concurrently with an ingest, a compaction commit may conflict with the ingest's append and fail
 * (Delta's optimistic concurrency), in which case this job fails with exit 1 and can be rerun.
 */
public final class MaintainJob {

  /**
   * How compaction orders a table's rows within each daily partition. {@code SORT} range-partitions
   * the day by the columns in order and sorts each file (a principal's events of a day sit in one
   * or two files); {@code ZORDER} is Delta's OPTIMIZE ZORDER BY (all columns weigh the same, each
   * one skips less). The README's "File skipping" section has the measurements behind the choice.
   */
  public record Layout(Kind kind, List<String> columns) {
    public enum Kind { SORT, ZORDER }

    static Layout sort(String... columns) {
      return new Layout(Kind.SORT, List.of(columns));
    }

    static Layout zorder(String... columns) {
      return new Layout(Kind.ZORDER, List.of(columns));
    }
  }

  /** The layout of each table maintain compacts. */
  public static final Map<String, Layout> LAYOUT = Map.of(
      CloudTrailTable.NAME, Layout.sort("actor_principal", "access_key_id", "eventTime"),
      CloudTrailTable.INSIGHTS_NAME, Layout.zorder("eventTime"),
      VpcFlowTable.NAME, Layout.zorder("interface_id", "srcaddr", "dstaddr"),
      GuardDutyTable.NAME, Layout.zorder("account_id", "type"));

  private final Lake lake;
  private long targetFileBytes = 128L << 20;
  private Map<String, Integer> retentionDays = new TreeMap<>(Map.of(CloudTrailTable.NAME, 2557,
      CloudTrailTable.INSIGHTS_NAME, 2557, VpcFlowTable.NAME, 400, GuardDutyTable.NAME, 2557));
  private LegalHold legalHold = LegalHold.parse("");
  private LocalDate asOf = LocalDate.now(ZoneOffset.UTC);
  private int vacuumHours = 168;
  private boolean forceVacuum;
  private Progress progress = Progress.silent();

  private MaintainJob(Lake lake) {
    this.lake = lake;
  }

  public static MaintainJob on(Lake lake) {
    return new MaintainJob(lake);
  }

  /** Target size of compacted files. Default 128 MiB. */
  public MaintainJob targetFileBytes(long bytes) {
    if (bytes < 1024) {
      throw new ConfException("maintain.target-file-bytes must be at least 1024");
    }
    this.targetFileBytes = bytes;
    return this;
  }

  /**
   * Retention per table as {@code table=days,...}; replaces the whole default, and a table not
   * listed is never trimmed. Default 2557 days (7 years) for CloudTrail and GuardDuty findings,
   * 400 days for flow logs.
   */
  public MaintainJob retention(String spec) {
    Map<String, Integer> m = new TreeMap<>();
    for (String part : spec.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      String[] kv = part.trim().split("=");
      try {
        m.put(kv[0].trim(), Integer.parseInt(kv[1].trim()));
      } catch (RuntimeException e) {
        throw new ConfException("maintain.retention entry '" + part + "' must be table=days");
      }
    }
    this.retentionDays = m;
    return this;
  }

  /** Rows retention must never delete (see {@link LegalHold}). Default none. */
  public MaintainJob legalHold(String spec) {
    this.legalHold = LegalHold.parse(spec);
    return this;
  }

  /** The day retention counts back from. Default today (UTC). */
  public MaintainJob asOf(LocalDate day) {
    this.asOf = day;
    return this;
  }

  /** VACUUM safety window in hours; below 168 (Delta's default) only with force. Default 168. */
  public MaintainJob vacuumHours(int hours, boolean force) {
    if (hours < 168 && !force) {
      throw new ConfException("maintain.vacuum-hours below 168 can break time travel and readers "
          + "of older snapshots; pass --force-vacuum to do it anyway");
    }
    this.vacuumHours = hours;
    this.forceVacuum = force;
    return this;
  }

  public MaintainJob progress(Progress p) {
    this.progress = p;
    return this;
  }

  /** Per-table counts. Immutable. */
  public static final class Result implements JobResult {
    public final Map<String, Map<String, Object>> tables;
    public final String runId;

    Result(Map<String, Map<String, Object>> tables, String runId) {
      this.tables = java.util.Collections.unmodifiableMap(tables);
      this.runId = runId;
    }

    public long get(String table, String key) {
      return ((Number) tables.get(table).get(key)).longValue();
    }

    @Override
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("job", "maintain");
      m.put("run_id", runId);
      m.put("tables", tables);
      return m;
    }
  }

  public Result execute() {
    Instant started = Instant.now();
    String runId = RunHistory.newRunId(started);
    SparkSession spark = lake.spark();
    spark.sparkContext().setJobGroup("trailkeep-maintain-" + runId, "TrailKeep maintain", false);
    Map<String, Map<String, Object>> out = new TreeMap<>();
    try {
      for (String table : LAYOUT.keySet().stream().sorted().toArray(String[]::new)) {
        if (!lake.exists(table)) {
          continue;
        }
        out.put(table, maintain(table, runId));
      }
      Result r = new Result(out, runId);
      Map<String, String> options = new LinkedHashMap<>();
      options.put("target_file_bytes", String.valueOf(targetFileBytes));
      options.put("retention", retentionDays.toString());
      options.put("legal_hold", legalHold.toString());
      options.put("as_of", asOf.toString());
      options.put("vacuum_hours", String.valueOf(vacuumHours));
      RunHistory.record(lake, runId, "maintain", started, "succeeded", options, r);
      return r;
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  private Map<String, Object> maintain(String table, String runId) {
    SparkSession spark = lake.spark();
    String path = lake.pathOf(table);
    DeltaTable delta = DeltaTable.forPath(spark, path);
    Map<String, Object> m = new LinkedHashMap<>();
    long rowsDeleted = retention(table, delta, runId);
    Set<String> before = MaintenanceState.files(lake, table, -1);
    m.put("files_before", (long) before.size());
    Set<String> dates = MaintenanceState.addedPartitions(lake, table,
        MaintenanceState.lastVersion(lake, table));
    long rewritten = 0;
    if (!dates.isEmpty()) {
      Layout layout = LAYOUT.get(table);
      progress.info("maintain %s: compacting %d partitions (%s by %s)", table, dates.size(),
          layout.kind().name().toLowerCase(java.util.Locale.ROOT), String.join(", ", layout.columns()));
      rewritten = layout.kind() == Layout.Kind.SORT
          ? sortCompact(path, dates, layout.columns())
          : zorderCompact(delta, dates, layout.columns());
    }
    Set<String> after = MaintenanceState.files(lake, table, -1);
    long vacuumed = vacuum(table, delta, after);
    if (table.equals(CloudTrailTable.NAME)) {
      Set<String> indexDays = new TreeSet<>(dates);
      if (rowsDeleted > 0) {
        indexDays.addAll(AccessKeyIndex.daysBefore(lake, asOf.minusDays(retentionDays.get(table))));
      }
      m.put("index_days_rebuilt", (long) AccessKeyIndex.rebuild(lake, indexDays, targetFileBytes, progress));
    }
    MaintenanceState.record(lake, table, MaintenanceState.currentVersion(lake, table), runId);
    m.put("files_after", (long) after.size());
    m.put("files_rewritten", rewritten);
    m.put("partitions_compacted", (long) dates.size());
    m.put("rows_deleted", rowsDeleted);
    m.put("files_vacuumed", vacuumed);
    progress.info("maintain %s: %s", table, m);
    return m;
  }

  private long zorderCompact(DeltaTable delta, Set<String> dates, List<String> columns) {
    lake.spark().conf().set("spark.databricks.delta.optimize.maxFileSize", String.valueOf(targetFileBytes));
    long rewritten = 0;
    for (Row r : delta.optimize().where(MaintenanceState.dayPredicate(dates))
        .executeZOrderBy(columns.toArray(new String[0])).collectAsList()) {
      Row metrics = r.getStruct(r.fieldIndex("metrics"));
      rewritten += ((Number) metrics.getAs("numFilesRemoved")).longValue();
    }
    return rewritten;
  }

  /**
   * Rewrites each day as ceil(day bytes / target) files range-partitioned and sorted by
   * {@code columns}, in one Delta commit per day marked dataChange=false (streaming readers and
   * change feeds see no new data). The day is read inside the overwrite's own transaction (Delta
   * plans a scan of the table being written against the active transaction), so an append to the
   * same day committed meanwhile makes this commit fail with a concurrency error instead of
   * replacing rows it never read.
   */
  private long sortCompact(String path, Set<String> dates, List<String> columns) {
    SparkSession spark = lake.spark();
    Column[] order = columns.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    long rewritten = 0;
    int done = 0;
    for (String day : dates) {
      Dataset<Row> rows = spark.read().format("delta").load(path)
          .filter(col(CloudTrailTable.PARTITION_COLUMN).equalTo(lit(Date.valueOf(day))));
      String[] files = rows.inputFiles();
      if (files.length == 0) {
        continue;
      }
      long bytes = bytesOf(path, day, files);
      int n = (int) Math.max(1, Math.min(100_000, (bytes + targetFileBytes - 1) / targetFileBytes));
      rows.repartitionByRange(n, order).sortWithinPartitions(order)
          .write().format("delta").mode("overwrite")
          .option("replaceWhere", MaintenanceState.dayPredicate(Set.of(day)))
          .option("dataChange", "false")
          .save(path);
      rewritten += files.length;
      progress.info("maintain: %s rewritten as %d sorted files (%d/%d days)", day, n, ++done, dates.size());
    }
    return rewritten;
  }

  /** Total size of {@code files} (one listing of the day's directory). */
  private long bytesOf(String path, String day, String[] files) {
    Set<String> wanted = new HashSet<>();
    for (String f : files) {
      wanted.add(normalize(f));
    }
    try {
      org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(path,
          CloudTrailTable.PARTITION_COLUMN + "=" + day);
      org.apache.hadoop.fs.FileSystem fs = dir.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
      long total = 0;
      for (org.apache.hadoop.fs.FileStatus s : fs.listStatus(dir)) {
        if (wanted.contains(normalize(s.getPath().toString()))) {
          total += s.getLen();
        }
      }
      return total;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private long retention(String table, DeltaTable delta, String runId) {
    Integer days = retentionDays.get(table);
    if (days == null) {
      return 0;
    }
    LocalDate cutoff = asOf.minusDays(days);
    List<String> columns = Arrays.asList(lake.read(table).columns());
    Column expired = col(CloudTrailTable.PARTITION_COLUMN).lt(lit(Date.valueOf(cutoff)));
    Column deletable = expired.and(coalesce(legalHold.protects(columns, CloudTrailTable.PARTITION_COLUMN),
        lit(false)).equalTo(false));
    long rows = lake.read(table).filter(deletable).count();
    if (rows == 0) {
      return 0;
    }
    progress.info("maintain %s: retention deletes %d rows older than %s (policy %d days)", table, rows,
        cutoff, days);
    delta.delete(deletable);
    long version = delta.history(1).select("version").first().getLong(0);
    lake.ensure(MaintenanceTables.RETENTION_HISTORY, MaintenanceTables.RETENTION_SCHEMA, null, Map.of());
    Row row = RowFactory.create(table, runId, Timestamp.from(Instant.now()), days, Date.valueOf(cutoff),
        legalHold.isEmpty() ? null : legalHold.toString(), rows, version);
    lake.spark().createDataFrame(List.of(row), MaintenanceTables.RETENTION_SCHEMA).write()
        .format("delta").mode("append").save(lake.pathOf(MaintenanceTables.RETENTION_HISTORY));
    return rows;
  }

  private long vacuum(String table, DeltaTable delta, Set<String> referenced) {
    SparkSession spark = lake.spark();
    String check = "spark.databricks.delta.retentionDurationCheck.enabled";
    String previous = spark.conf().get(check, "true");
    if (forceVacuum) {
      spark.conf().set(check, "false");
    }
    // VACUUM lists the table with one task per unit of this setting (default 10000 tasks)
    String listing = "spark.sql.sources.parallelPartitionDiscovery.parallelism";
    String previousListing = spark.conf().get(listing, "10000");
    spark.conf().set(listing, String.valueOf(Math.max(8, spark.sparkContext().defaultParallelism() * 4)));
    try {
      Set<String> beforeOnDisk = dataFilesOnDisk(lake.pathOf(table));
      delta.vacuum(vacuumHours);
      Set<String> afterOnDisk = dataFilesOnDisk(lake.pathOf(table));
      beforeOnDisk.removeAll(afterOnDisk);
      for (String f : referenced) {
        if (!afterOnDisk.contains(normalize(f))) {
          throw new IllegalStateException("VACUUM removed a file the current snapshot uses: " + f);
        }
      }
      return beforeOnDisk.size();
    } finally {
      spark.conf().set(check, previous);
      spark.conf().set(listing, previousListing);
    }
  }

  private static String normalize(String uri) {
    return new org.apache.hadoop.fs.Path(uri).toUri().getPath();
  }

  private Set<String> dataFilesOnDisk(String path) {
    Set<String> out = new HashSet<>();
    try {
      org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(path);
      org.apache.hadoop.fs.FileSystem fs = root.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
      org.apache.hadoop.fs.RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> it = fs.listFiles(root, true);
      while (it.hasNext()) {
        String p = it.next().getPath().toString();
        if (p.endsWith(".parquet") && !p.contains("/_delta_log/")) {
          out.add(normalize(p));
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out;
  }
}
