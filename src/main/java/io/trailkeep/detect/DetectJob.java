package io.trailkeep.detect;

import io.trailkeep.schema.Source;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.job.JobAction;
import io.trailkeep.job.JobResult;
import io.trailkeep.lake.Lake;
import io.trailkeep.lake.MaintenanceState;
import io.trailkeep.lake.SourceVersions;
import io.trailkeep.schema.AlertsTable;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.DetectTables;
import io.trailkeep.schema.GuardDutyTable;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The {@code detect} action: runs the enabled rules (shipped, the user's, Sigma's) over what was
 * ingested since its last run - the days whose files changed since the table versions recorded in
 * {@code detect_state}, widened by the longest window or sequence of any rule - or over a
 * backfill range, and writes their alerts to the {@code alerts} table by a MERGE on the stable
 * {@code alert_id}, so a rerun or an overlapping backfill creates no duplicate. First it rebuilds
 * the unusual-activity baselines of those days ({@link Baselines}). A rule that fails is reported
 * and the others run. Last it brings every stored alert's {@code suppressed_by} in line with the
 * user's exceptions ({@link RuleExceptions}, read and checked before the run starts); alerts they
 * suppress feed no query rule either.
 *
 * <p>Cost: one scan of each table's days for all its row-level rules ({@link RuleEngine}), one per
 * query rule, one MERGE, one scan of the alerts' flags (an UPDATE only when an exception's matches
 * changed). Side effects: alerts, baseline_activity, baseline_first_seen, detect_state,
 * run_history.
 */
public final class DetectJob extends JobAction<DetectJob, DetectJob.Result> {
  private LocalDate from;
  private LocalDate to;
  private List<Rule> extra = List.of();
  private List<Rule> only;
  private RuleExceptions exceptions;

  private DetectJob(Lake lake) {
    super("detect", lake);
  }

  public static DetectJob on(Lake lake) {
    return new DetectJob(lake);
  }

  @Override
  protected List<String> requiredTables() {
    return Source.mainTables();
  }

  @Override
  protected List<ConfKey<?>> keys() {
    return List.of(ConfKey.DETECT_RULES_DIR, ConfKey.DETECT_DISABLED, ConfKey.DETECT_LEARNING_DAYS,
        ConfKey.DETECT_EXCEPTIONS);
  }

  /** The exceptions file is read and checked before anything is written. */
  @Override
  protected void checkInput() {
    exceptions();
  }

  /**
   * The user's exceptions ({@code detect.exceptions}), each checked against the rules detect knows
   * (enabled or disabled); none when the key is empty. Loaded once per job.
   *
   * @throws io.trailkeep.conf.ConfException naming the file, the exception and the problem
   */
  public RuleExceptions exceptions() {
    if (exceptions == null) {
      // every rule detect knows, the disabled ones too, and whether it reads GuardDuty findings
      Map<String, Boolean> known = new TreeMap<>();
      for (Rule r : knownRules()) {
        known.put(r.id(), r.table().equals(GuardDutyTable.NAME) || queryNames(r, GuardDutyTable.NAME));
      }
      exceptions = RuleExceptions.load(lake().spark().sparkContext().hadoopConfiguration(),
          get(ConfKey.DETECT_EXCEPTIONS), known);
    }
    return exceptions;
  }

  /** Backfills [first, last] instead of the days changed since the last run. */
  public DetectJob days(LocalDate first, LocalDate last) {
    if (first == null || last == null || first.isAfter(last)) {
      throw new ConfException("a backfill needs --from and --to with --from not after --to");
    }
    this.from = first;
    this.to = last;
    return this;
  }

  /** Rules to run besides the shipped and the user's (compiled Sigma rules). */
  public DetectJob withRules(List<Rule> rules) {
    this.extra = List.copyOf(rules);
    return this;
  }

  /** Runs exactly these rules, not the configured set (the rule test runner). */
  public DetectJob onlyRules(List<Rule> rules) {
    this.only = List.copyOf(rules);
    return this;
  }

  /** What a run did. */
  public record Result(String runId, String firstDay, String lastDay, long rulesRun,
      long rulesFailed, Map<String, String> failures, long rulesSkipped,
      Map<String, String> skipped, long alertsNew,
      Map<String, Long> alertsByRule, long eventsScanned, int baselineDaysRebuilt,
      Map<String, Double> phaseSeconds, Map<String, Long> suppressed, double seconds)
      implements JobResult {
    @Override
    public String job() {
      return "detect";
    }

    @Override
    public String status() {
      return rulesFailed == 0 ? "succeeded" : "partial";
    }
  }

  /** The rules this run evaluates. */
  public List<Rule> rules() {
    if (only != null) {
      return only;
    }
    List<Rule> rules = knownRules();
    List<String> disabled = get(ConfKey.DETECT_DISABLED);
    rules.removeIf(r -> disabled.contains(r.id()));
    return rules;
  }

  /** Every rule this detect knows: shipped, the user's, Sigma's; the disabled ones too. */
  private List<Rule> knownRules() {
    if (only != null) {
      return new ArrayList<>(only);
    }
    String dir = get(ConfKey.DETECT_RULES_DIR);
    List<Rule> rules = new ArrayList<>(RuleFiles.all(dir.isEmpty() ? null : Path.of(dir)));
    rules.addAll(extra);
    return rules;
  }

  /** Source tables a query may name; {@code cloudtrail_activity} is a view of cloudtrail. */
  private static final Map<String, String> QUERY_TABLES = Map.of("cloudtrail", "cloudtrail",
      "cloudtrail_activity", "cloudtrail", "vpc_flow", "vpc_flow", "guardduty_findings",
      "guardduty_findings");

  /**
   * The source table a rule reads that the lake does not have (a lake of CloudTrail only has no
   * flow or finding tables), or null. Such rules are skipped, not failed.
   */
  static String missingTable(Lake lake, Rule r) {
    if (r.type() != Rule.Type.QUERY) {
      return lake.exists(r.table()) ? null : r.table();
    }
    for (Map.Entry<String, String> t : QUERY_TABLES.entrySet()) {
      if (queryNames(r, t.getKey())
          && !lake.exists(t.getValue())) {
        return t.getValue();
      }
    }
    return null;
  }

  @Override
  protected Result run(Run run) {
    Lake lake = lake();
    Map<String, String> skipped = new TreeMap<>();
    List<Rule> rules = new ArrayList<>();
    for (Rule r : rules()) {
      String missing = missingTable(lake, r);
      if (missing == null) {
        rules.add(r);
      } else {
        skipped.put(r.id(), "the lake has no " + missing + " table");
      }
    }
    Map<String, Long> versions = new LinkedHashMap<>();
    Set<String> changed = new TreeSet<>();
    for (String t : Source.mainTables()) {
      if (!lake.exists(t)) {
        continue;
      }
      versions.put(t, MaintenanceState.currentVersion(lake, t));
      if (from == null) {
        // days with new rows; a compaction by maintain (dataChange=false) is no change
        changed.addAll(MaintenanceState.dataChangedPartitions(lake, t, SourceVersions.last(lake, DetectTables.STATE, t)));
      }
    }
    LocalDate first;
    LocalDate last;
    if (from != null) {
      first = from;
      last = to;
    } else if (changed.isEmpty()) {
      run.progress().info("detect: nothing changed since the last run");
      // an edited exceptions file still applies to the alerts already there
      Map<String, Long> suppressed = applyExceptions(lake, exceptions());
      SourceVersions.record(lake, DetectTables.STATE, versions, run.runId());
      return new Result(run.runId(), null, null, 0, 0, Map.of(), 0, Map.of(), 0, Map.of(), 0, 0, Map.of(),
          suppressed, run.seconds());
    } else {
      long reachDays = 1;
      for (Rule r : rules) {
        reachDays = Math.max(reachDays, (r.reach().toHours() + 23) / 24);
      }
      first = LocalDate.parse(((TreeSet<String>) changed).first()).minusDays(reachDays);
      last = LocalDate.parse(((TreeSet<String>) changed).last()).plusDays(reachDays);
    }
    Set<String> baselineDays = new TreeSet<>();
    if (from == null) {
      baselineDays.addAll(changed);
    } else if (lake.exists(CloudTrailTable.NAME)) {
      // a backfill rebuilds the days that hold events (a partition-column scan)
      for (Row d : lake.read(CloudTrailTable.NAME).select("event_date")
          .filter(col("event_date").between(lit(Date.valueOf(first)), lit(Date.valueOf(last))))
          .distinct().collectAsList()) {
        baselineDays.add(d.getDate(0).toString());
      }
    }
    run.progress().info("detect: %d rules over %s..%s", rules.size(), first, last);
    Map<String, Double> phases = new LinkedHashMap<>();
    long mark = System.nanoTime();
    int rebuilt = Baselines.rebuild(lake, baselineDays);
    run.progress().info("detect: baselines of %d days rebuilt", rebuilt);
    mark = phase(phases, "baselines", mark);
    RuleEngine engine = new RuleEngine(lake);
    Map<String, String> failures = new TreeMap<>();
    Map<String, Long> byRule = new TreeMap<>();
    long alertsNew;
    long scanned;
    Map<String, Long> suppressed;
    try {
      RuleEngine.Outcome rows = engine.rowRules(rules, first, last);
      failures.putAll(rows.failures());
      scanned = rows.eventsScanned();
      run.progress().info("detect: row rules evaluated over %d events", scanned);
      mark = phase(phases, "row_rules", mark);
      Dataset<Row> rowAlerts = rows.alerts() == null ? null : engine.finish(rules, rows.alerts());
      // query rules see the alerts table as it will be after this run's row rules (one MERGE of
      // everything at the end instead of one per kind)
      lake.ensure(AlertsTable.NAME, AlertsTable.SCHEMA, AlertsTable.PARTITION_COLUMN, Map.of());
      lake.registerViews(false);
      Dataset<Row> stored = lake.read(AlertsTable.NAME);
      Dataset<Row> visible = stored.selectExpr(RuleEngine.FINISHED.toArray(new String[0]));
      if (rowAlerts != null) {
        visible = visible.unionByName(rowAlerts);
      }
      // what a user's exception quiets feeds no query rule either (it would raise routine work again)
      Column unsuppressed = exceptions().suppressedBy().isNull();
      visible = visible.filter(unsuppressed);
      visible.createOrReplaceTempView(AlertsTable.NAME);
      if (lake.exists(CloudTrailTable.NAME)) {
        // the days the run reads, from the day before the first, scanned once for all queries
        engine.cache(Baselines.activity(lake.read(CloudTrailTable.NAME).filter(col("event_date")
            .between(lit(Date.valueOf(first.minusDays(1))), lit(Date.valueOf(last))))))
            .createOrReplaceTempView(Baselines.ACTIVITY_VIEW);
      }
      Map<String, Object> params = new LinkedHashMap<>();
      params.put("first_day", Date.valueOf(first));
      params.put("last_day", Date.valueOf(last));
      params.put("learning_days", get(ConfKey.DETECT_LEARNING_DAYS));
      // query rules on the alerts table run after the others and see their alerts too, so what
      // they find does not depend on whether the other alerts came from this run or an earlier one
      List<Rule> plain = new ArrayList<>();
      List<Rule> onAlerts = new ArrayList<>();
      for (Rule r : rules) {
        if (r.type() == Rule.Type.QUERY) {
          (readsAlerts(r) ? onAlerts : plain).add(r);
        }
      }
      Dataset<Row> q = queries(engine, plain, params, failures);
      if (q != null && !onAlerts.isEmpty()) {
        visible.unionByName(engine.finish(rules, q).filter(unsuppressed)).createOrReplaceTempView(AlertsTable.NAME);
      }
      Dataset<Row> q2 = queries(engine, onAlerts, params, failures);
      q = q == null ? q2 : q2 == null ? q : RuleEngine.union(List.of(q, q2));
      int queryCount = plain.size() + onAlerts.size();
      run.progress().info("detect: %d query rules evaluated", queryCount);
      mark = phase(phases, "query_rules", mark);
      Dataset<Row> all = q == null ? rowAlerts : rowAlerts == null ? engine.finish(rules, q)
          : rowAlerts.unionByName(engine.finish(rules, q));
      alertsNew = merge(lake, all, run, byRule, first, last);
      suppressed = applyExceptions(lake, exceptions());
      phase(phases, "merge", mark);
    } finally {
      engine.release();
    }
    SourceVersions.record(lake, DetectTables.STATE, versions, run.runId());
    for (Map.Entry<String, String> f : failures.entrySet()) {
      run.progress().info("detect: WARNING rule %s failed and was skipped: %s", f.getKey(), f.getValue());
    }
    run.progress().info("detect: %d new alerts from %d rules (%d failed), %d events scanned",
        alertsNew, rules.size(), failures.size(), scanned);
    if (!skipped.isEmpty()) {
      run.progress().info("detect: %d rules skipped (their table is not in the lake)", skipped.size());
    }
    return new Result(run.runId(), first.toString(), last.toString(), rules.size() - failures.size(),
        failures.size(), failures, skipped.size(), skipped, alertsNew, byRule, scanned, rebuilt, phases,
        suppressed, run.seconds());
  }

  /** True for a query rule that reads the {@code alerts} table. */
  static boolean readsAlerts(Rule r) {
    return queryNames(r, AlertsTable.NAME);
  }

  /** True for a query rule whose query names {@code table} (as a whole word). */
  private static boolean queryNames(Rule r, String table) {
    return r.type() == Rule.Type.QUERY
        && java.util.regex.Pattern.compile("\\b" + table + "\\b").matcher(r.query()).find();
  }

  /**
   * Evaluates query rules (their alerts before {@link RuleEngine#finish}, cached), all in one job;
   * when one fails at run time each is run alone to isolate it. Failures go to {@code failures};
   * null when no rule gave a result.
   */
  private static Dataset<Row> queries(RuleEngine engine, List<Rule> rules, Map<String, Object> params,
      Map<String, String> failures) {
    List<Dataset<Row>> parts = new ArrayList<>();
    List<Rule> queries = new ArrayList<>();
    for (Rule r : rules) {
      try {
        parts.add(engine.query(r, params));
        queries.add(r);
      } catch (Exception e) {
        failures.put(r.id(), RuleEngine.firstLine(e));
      }
    }
    try {
      Dataset<Row> together = RuleEngine.union(parts);
      if (together != null) {
        engine.cache(together).count();
      }
      return together;
    } catch (Exception together) {
      List<Dataset<Row>> ok = new ArrayList<>();
      for (int i = 0; i < parts.size(); i++) {
        try {
          Dataset<Row> a = engine.cache(parts.get(i));
          a.count();
          ok.add(a);
        } catch (Exception e) {
          failures.put(queries.get(i).id(), RuleEngine.firstLine(e));
        }
      }
      return RuleEngine.union(ok);
    }
  }

  /**
   * MERGEs alerts on alert_id: new ones are inserted; one that gained events (more data in its
   * window) or a later last sight (an updated GuardDuty finding) is updated; a repeated one
   * changes nothing. Counts the inserted alerts per rule.
   */
  private long merge(Lake lake, Dataset<Row> alerts, Run run, Map<String, Long> byRule,
      LocalDate first, LocalDate last) {
    lake.ensure(AlertsTable.NAME, AlertsTable.SCHEMA, AlertsTable.PARTITION_COLUMN, Map.of());
    // a lake from before exceptions gains suppressed_by
    lake.ensureColumns(AlertsTable.NAME, AlertsTable.SCHEMA);
    if (alerts == null) {
      return 0;
    }
    Dataset<Row> rows = alerts.withColumn("run_id", lit(run.runId()))
        .withColumn("detected_at", lit(Timestamp.from(Instant.now())))
        .withColumn("suppressed_by", exceptions().suppressedBy())
        .selectExpr(AlertsTable.SCHEMA.fieldNames())
        .dropDuplicates("alert_id");
    Map<String, Column> update = new LinkedHashMap<>();
    // the resource too: a query rule may describe its evidence there ("209 calls in ten minutes")
    for (String c : List.of("window_start", "window_end", "event_ids", "finding_ids", "event_count", "resource",
        "suppressed_by")) {
      update.put(c, col("s." + c));
    }
    DeltaTable.forPath(lake.spark(), lake.pathOf(AlertsTable.NAME)).as("t")
        .merge(rows.as("s"), col("t.alert_id").equalTo(col("s.alert_id")))
        .whenMatched(col("s.event_count").gt(col("t.event_count"))
            .or(col("s.window_end").gt(col("t.window_end")))).update(update)
        .whenNotMatched().insertAll()
        .execute();
    // an updated alert keeps the run id that created it: this run's rows are its new alerts
    long inserted = 0;
    for (Row r : lake.read(AlertsTable.NAME)
        .filter(col(AlertsTable.PARTITION_COLUMN).between(lit(Date.valueOf(first.minusDays(7))),
            lit(Date.valueOf(last))).and(col("run_id").equalTo(lit(run.runId()))))
        .groupBy("rule_id").agg(count(lit(1))).collectAsList()) {
      byRule.merge(r.getString(0), r.getLong(1), Long::sum);
      inserted += r.getLong(1);
    }
    return inserted;
  }

  /**
   * Brings every stored alert's {@code suppressed_by} in line with {@code exceptions} (an edited
   * file applies to old alerts too; a removed exception releases its alerts): one UPDATE of the
   * alerts whose value differs, none when none does. Returns, per exception, the alerts it
   * suppresses. Cost: a scan of the alerts table's few columns (with no exceptions, Delta's null
   * counts skip every file); a rewrite of the files holding alerts whose flag changed.
   */
  static Map<String, Long> applyExceptions(Lake lake, RuleExceptions exceptions) {
    if (!lake.exists(AlertsTable.NAME)) {
      return Map.of();
    }
    lake.ensureColumns(AlertsTable.NAME, AlertsTable.SCHEMA);
    Column expected = exceptions.suppressedBy();
    Column stale = org.apache.spark.sql.functions.not(col("suppressed_by").eqNullSafe(expected));
    if (!lake.read(AlertsTable.NAME).filter(stale).isEmpty()) {
      DeltaTable.forPath(lake.spark(), lake.pathOf(AlertsTable.NAME))
          .update(stale, Map.of("suppressed_by", expected));
    }
    Map<String, Long> out = new TreeMap<>();
    if (!exceptions.isEmpty()) {
      exceptions.entries().forEach(e -> out.put(e.id(), 0L));
      for (Row r : lake.read(AlertsTable.NAME).filter(col("suppressed_by").isNotNull())
          .groupBy("suppressed_by").agg(count(lit(1))).collectAsList()) {
        out.put(r.getString(0), r.getLong(1));
      }
    }
    return out;
  }

  /** Records the seconds since {@code since} as {@code name}; returns now. */
  private static long phase(Map<String, Double> phases, String name, long since) {
    long now = System.nanoTime();
    phases.put(name, (now - since) / 1e9);
    return now;
  }

}
