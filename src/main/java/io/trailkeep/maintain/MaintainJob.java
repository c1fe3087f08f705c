package io.trailkeep.maintain;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.JsonNode;
import io.delta.tables.DeltaTable;
import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.conf.LegalHoldSpec;
import io.trailkeep.job.CrashPoints;
import io.trailkeep.job.JobAction;
import io.trailkeep.job.JobResult;
import io.trailkeep.job.Progress;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.lake.MaintenanceState;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.GuardDutyTable;
import io.trailkeep.schema.MaintenanceTables;
import io.trailkeep.schema.VpcFlowTable;
import io.trailkeep.spark.SessionSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
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
public final class MaintainJob extends JobAction<MaintainJob, MaintainJob.Result> {

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

  private LocalDate asOf = LocalDate.now(ZoneOffset.UTC);
  private boolean forceVacuum;

  private MaintainJob(Lake lake) {
    super("maintain", lake);
  }

  public static MaintainJob on(Lake lake) {
    return new MaintainJob(lake);
  }

  @Override
  protected List<ConfKey<?>> keys() {
    return List.of(ConfKey.MAINTAIN_TARGET_FILE_BYTES, ConfKey.MAINTAIN_RETENTION,
        ConfKey.MAINTAIN_LEGAL_HOLD, ConfKey.MAINTAIN_VACUUM_HOURS);
  }

  /** Target size of compacted files. */
  public MaintainJob targetFileBytes(long bytes) {
    return set(ConfKey.MAINTAIN_TARGET_FILE_BYTES, bytes);
  }

  /**
   * Retention per table as {@code table=days,...}; replaces the whole default, and a table not
   * listed is never trimmed.
   */
  public MaintainJob retention(String spec) {
    return option(ConfKey.MAINTAIN_RETENTION.name(), spec);
  }

  /** Rows retention must never delete (see {@link LegalHoldSpec}). */
  public MaintainJob legalHold(String spec) {
    return option(ConfKey.MAINTAIN_LEGAL_HOLD.name(), spec);
  }

  /** The day retention counts back from. Default today (UTC). */
  public MaintainJob asOf(LocalDate day) {
    this.asOf = day;
    return this;
  }

  /** VACUUM safety window in hours; below {@link ConfKey#VACUUM_MIN_HOURS} only with {@code force}. */
  public MaintainJob vacuumHours(int hours, boolean force) {
    this.forceVacuum = force;
    set(ConfKey.MAINTAIN_VACUUM_HOURS, hours);
    checkVacuumWindow();
    return this;
  }

  private void checkVacuumWindow() {
    if (get(ConfKey.MAINTAIN_VACUUM_HOURS) < ConfKey.VACUUM_MIN_HOURS && !forceVacuum) {
      throw new ConfException("maintain.vacuum-hours below " + ConfKey.VACUUM_MIN_HOURS
          + " can break time travel and readers "
          + "of older snapshots; pass --force-vacuum to do it anyway");
    }
  }

  /** Per-table counts, keyed by table. Immutable. */
  public record Result(String runId, String asOf, Map<String, Map<String, Object>> tables,
      List<String> tablesAbsent, double seconds) implements JobResult {
    public Result {
      tables = Collections.unmodifiableMap(new TreeMap<>(tables));
      tablesAbsent = List.copyOf(tablesAbsent);
    }

    @Override
    public String job() {
      return "maintain";
    }

    public long get(String table, String key) {
      return ((Number) tables.get(table).get(key)).longValue();
    }
  }

  @Override
  public Map<String, Object> optionsUsed() {
    Map<String, Object> m = new LinkedHashMap<>(super.optionsUsed());
    m.put("as_of", asOf.toString());
    m.put("force_vacuum", forceVacuum);
    return m;
  }

  /** The tables maintain looks after, in the order it does. */
  @Override
  protected List<String> requiredTables() {
    return LAYOUT.keySet().stream().sorted().toList();
  }

  @Override
  protected Result run(Run run) {
    checkVacuumWindow();
    this.settings = run.settings();
    this.progress = run.progress();
    Map<String, Map<String, Object>> out = new TreeMap<>();
    List<String> absent = new ArrayList<>();
    for (String table : requiredTables()) {
      if (!lake().exists(table)) {
        absent.add(table);
        progress.info("maintain %s: no such table in this lake (ingest creates it when its source "
            + "delivers); nothing to do", table);
        continue;
      }
      out.put(table, maintain(table, run.runId()));
    }
    return new Result(run.runId(), asOf.toString(), out, absent, run.seconds());
  }

  private SessionSettings settings;
  private Progress progress;

  private Map<String, Object> maintain(String table, String runId) {
    Lake lake = lake();
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
          layout.kind().name().toLowerCase(Locale.ROOT), String.join(", ", layout.columns()));
      rewritten = layout.kind() == Layout.Kind.SORT
          ? sortCompact(table, path, dates, layout.columns())
          : zorderCompact(delta, dates, layout.columns());
    }
    Set<String> after = MaintenanceState.files(lake, table, -1);
    long vacuumed = vacuum(table, delta, after);
    if (table.equals(CloudTrailTable.NAME)) {
      Set<String> indexDays = new TreeSet<>(dates);
      if (rowsDeleted > 0) {
        indexDays.addAll(AccessKeyIndex.daysBefore(lake,
            asOf.minusDays(get(ConfKey.MAINTAIN_RETENTION).get(table))));
      }
      m.put("index_days_rebuilt", (long) AccessKeyIndex.rebuild(lake, indexDays,
          get(ConfKey.MAINTAIN_TARGET_FILE_BYTES), progress, settings));
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
    settings.set("spark.databricks.delta.optimize.maxFileSize",
        String.valueOf(get(ConfKey.MAINTAIN_TARGET_FILE_BYTES)));
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
  private long sortCompact(String table, String path, Set<String> dates, List<String> columns) {
    SparkSession spark = lake().spark();
    long targetFileBytes = get(ConfKey.MAINTAIN_TARGET_FILE_BYTES);
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
      CrashPoints.pauseAfterRows(rows.repartitionByRange(n, order).sortWithinPartitions(order),
              "maintain." + table + ".rewriting")
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
      Path dir = new Path(path,
          CloudTrailTable.PARTITION_COLUMN + "=" + day);
      FileSystem fs = dir.getFileSystem(lake().spark().sparkContext().hadoopConfiguration());
      long total = 0;
      for (FileStatus s : fs.listStatus(dir)) {
        if (wanted.contains(normalize(s.getPath().toString()))) {
          total += s.getLen();
        }
      }
      return total;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Deletes the table's rows older than its policy, except those under legal hold, in one Delta
   * commit that carries what retention_history needs (a marker in the commit's userMetadata); then
   * records every such commit retention_history does not hold yet. A crash between the two is
   * repaired by the next run, which finds the commit in the table's history.
   */
  private long retention(String table, DeltaTable delta, String runId) {
    Lake lake = lake();
    Integer days = get(ConfKey.MAINTAIN_RETENTION).get(table);
    long rows = 0;
    if (days != null) {
      LocalDate cutoff = asOf.minusDays(days);
      LegalHoldSpec hold = get(ConfKey.MAINTAIN_LEGAL_HOLD);
      List<String> columns = Arrays.asList(lake.read(table).columns());
      Column expired = col(CloudTrailTable.PARTITION_COLUMN).lt(lit(Date.valueOf(cutoff)));
      Column deletable = expired.and(coalesce(LegalHold.protects(hold, columns,
          CloudTrailTable.PARTITION_COLUMN), lit(false)).equalTo(false));
      rows = lake.read(table).filter(deletable).count();
      if (rows > 0) {
        progress.info("maintain %s: retention deletes %d rows older than %s (policy %d days)", table,
            rows, cutoff, days);
        Map<String, Object> marker = new LinkedHashMap<>();
        marker.put(RETENTION_MARKER, runId);
        marker.put("policy_days", days);
        marker.put("cutoff_date", cutoff.toString());
        marker.put("legal_holds", hold.isEmpty() ? null : hold.text());
        marker.put("rows_deleted", rows);
        settings.set(Lake.COMMIT_MARKER_CONF, Json.write(marker));
        delta.delete(deletable);
        settings.unset(Lake.COMMIT_MARKER_CONF);
        CrashPoints.reach("maintain." + table + ".retention-committed");
      }
    }
    recordRetention(table);
    return rows;
  }

  private static final String RETENTION_MARKER = "trailkeep_retention_run";

  /** Appends a retention_history row for every retention commit of {@code table} not recorded yet. */
  private void recordRetention(String table) {
    Lake lake = lake();
    List<Row> commits = DeltaTable.forPath(lake.spark(), lake.pathOf(table)).history()
        .filter(col("userMetadata").contains("\"" + RETENTION_MARKER + "\""))
        .select("version", "timestamp", "userMetadata").collectAsList();
    if (commits.isEmpty()) {
      return;
    }
    lake.ensure(MaintenanceTables.RETENTION_HISTORY, MaintenanceTables.RETENTION_SCHEMA, null, Map.of());
    Set<Long> recorded = new HashSet<>();
    for (Row r : lake.read(MaintenanceTables.RETENTION_HISTORY)
        .filter(col("table_name").equalTo(table)).select("table_version").collectAsList()) {
      if (!r.isNullAt(0)) {
        recorded.add(r.getLong(0));
      }
    }
    List<Row> rows = new ArrayList<>();
    for (Row c : commits) {
      if (recorded.contains(c.getLong(0))) {
        continue;
      }
      JsonNode m = Json.parse(c.getString(2));
      rows.add(RowFactory.create(table, m.path(RETENTION_MARKER).asText(), c.getTimestamp(1),
          m.path("policy_days").asInt(), Date.valueOf(m.path("cutoff_date").asText()),
          m.path("legal_holds").isNull() ? null : m.path("legal_holds").asText(),
          m.path("rows_deleted").asLong(), c.getLong(0)));
    }
    if (!rows.isEmpty()) {
      lake.spark().createDataFrame(rows, MaintenanceTables.RETENTION_SCHEMA).write()
          .format("delta").mode("append").save(lake.pathOf(MaintenanceTables.RETENTION_HISTORY));
    }
  }

  private long vacuum(String table, DeltaTable delta, Set<String> referenced) {
    SparkSession spark = lake().spark();
    if (forceVacuum) {
      settings.set("spark.databricks.delta.retentionDurationCheck.enabled", "false");
    }
    // VACUUM lists the table with one task per unit of this setting (default 10000 tasks)
    settings.set("spark.sql.sources.parallelPartitionDiscovery.parallelism",
        String.valueOf(Math.max(8, spark.sparkContext().defaultParallelism() * 4)));
    Set<String> beforeOnDisk = dataFilesOnDisk(lake().pathOf(table));
    // Delta's VACUUM prints "Deleted N files..." on Scala's Console, i.e. stdout, where our
    // results and --json go; it goes to stderr with the progress instead
    scala.Console$.MODULE$.withOut(System.err, new scala.runtime.AbstractFunction0<Object>() {
      @Override
      public Object apply() {
        return delta.vacuum(get(ConfKey.MAINTAIN_VACUUM_HOURS));
      }
    });
    Set<String> afterOnDisk = dataFilesOnDisk(lake().pathOf(table));
    beforeOnDisk.removeAll(afterOnDisk);
    for (String f : referenced) {
      if (!afterOnDisk.contains(normalize(f))) {
        throw new IllegalStateException("VACUUM removed a file the current snapshot uses: " + f);
      }
    }
    return beforeOnDisk.size();
  }

  private static String normalize(String uri) {
    return new Path(uri).toUri().getPath();
  }

  private Set<String> dataFilesOnDisk(String path) {
    Set<String> out = new HashSet<>();
    try {
      Path root = new Path(path);
      FileSystem fs = root.getFileSystem(lake().spark().sparkContext().hadoopConfiguration());
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
      while (it.hasNext()) {
        String p = it.next().getPath().toString();
        if (p.endsWith(".parquet") && !p.contains("/_delta_log/")) {
          out.add(normalize(p));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
