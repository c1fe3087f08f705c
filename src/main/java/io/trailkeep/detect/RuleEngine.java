package io.trailkeep.detect;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.unix_timestamp;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.flatten;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import io.trailkeep.lake.Lake;
import io.trailkeep.schema.AlertsTable;
import java.sql.Date;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.storage.StorageLevel;

/**
 * Evaluates rules over a range of days of the lake and returns their alerts (the
 * {@link AlertsTable} columns but the run's). Cost: every predicate, threshold and sequence
 * condition of one table is evaluated in one scan of that table's days (a column of matching rule
 * ids per row; only matching rows are kept, cached, and shared by the rules); thresholds and
 * sequences then aggregate or join those few rows; query rules run their own query. A rule whose
 * logic does not analyze (a typo, a missing column) is reported and left out; the others run.
 */
final class RuleEngine {

  /** The alert's entities per table: {@link Entities#BY_TABLE}. */
  static final Map<String, Map<String, String>> ENTITIES = Entities.BY_TABLE;

  static final List<String> ENTITY_COLUMNS = Entities.COLUMNS;

  /** The alerts (before {@link #finish}), the rules that failed (id to reason), rows scanned. */
  record Outcome(Dataset<Row> alerts, Map<String, String> failures, long eventsScanned) {}

  private final Lake lake;
  private final SparkSession spark;
  private final List<Dataset<Row>> cached = new ArrayList<>();

  RuleEngine(Lake lake) {
    this.lake = lake;
    this.spark = lake.spark();
  }

  /** The columns of {@link #finish}: the alerts table's but the run's. */
  static final List<String> FINISHED = List.of("alert_id", "rule_id", "rule_version", "rule_source",
      "severity", "title", "mitre_tactics", "mitre_techniques", "window_start", "window_end",
      "account_id", "region", "principal", "access_key_id", "source_ip", "resource", "event_ids",
      "finding_ids", "event_count", AlertsTable.PARTITION_COLUMN);

  /** Caches {@code d} until {@link #release}. */
  Dataset<Row> cache(Dataset<Row> d) {
    Dataset<Row> c = d.persist(StorageLevel.MEMORY_AND_DISK());
    cached.add(c);
    return c;
  }

  /**
   * Releases the cached datasets, newest first: uncaching a dataset that later cached plans are
   * built on makes Spark re-plan each of those (a Delta file listing per table they read, about 16
   * seconds per run with every rule), while uncaching the dependants first leaves nothing to re-plan.
   */
  void release() {
    for (int i = cached.size() - 1; i >= 0; i--) {
      cached.get(i).unpersist();
    }
    cached.clear();
  }

  /**
   * Evaluates the row-level rules (predicate, threshold, sequence) over days [first, last]: per
   * table one pass that tags each row with the conditions it meets; then all predicate rules in
   * one aggregation, and each threshold and sequence rule over the few tagged rows.
   */
  Outcome rowRules(List<Rule> rules, LocalDate first, LocalDate last) {
    Map<String, String> failures = new TreeMap<>();
    List<Dataset<Row>> alerts = new ArrayList<>();
    long scanned = 0;
    Map<String, List<Rule>> byTable = new TreeMap<>();
    for (Rule r : rules) {
      if (r.type() != Rule.Type.QUERY) {
        byTable.computeIfAbsent(r.table(), t -> new ArrayList<>()).add(r);
      }
    }
    for (Map.Entry<String, List<Rule>> t : byTable.entrySet()) {
      if (!lake.exists(t.getKey())) {
        continue;
      }
      Dataset<Row> days = lake.read(t.getKey()).filter(col("event_date").between(
          lit(Date.valueOf(first)), lit(Date.valueOf(last))));
      List<Column> withDefaults = new ArrayList<>(List.of(col("*")));
      ENTITIES.get(t.getKey()).forEach((name, sql) -> withDefaults.add(expr(sql).alias("_" + name)));
      Dataset<Row> base = days.select(withDefaults.toArray(new Column[0]));
      List<Rule> usable = usable(base, t.getValue(), failures);
      if (usable.isEmpty()) {
        continue;
      }
      List<Column> tags = new ArrayList<>();
      for (Rule r : usable) {
        conditions(r).forEach((tag, c) -> tags.add(when(c, lit(tag))));
      }
      // rows read: a count of the days' files (Parquet footers only, no column is decoded). An
      // Observation on the pass hung forever in a session that had run maintain before (its
      // metrics never arrived), so the count is asked for explicitly.
      scanned += days.count();
      // the default entities (a dozen JSON lookups for the resource) only for matching rows
      Dataset<Row> matched = days
          .withColumn("_rules", array_compact(array(tags.toArray(new Column[0]))))
          .filter(size(col("_rules")).gt(0))
          .select(withDefaults.toArray(new Column[0]))
          .withColumn("_rule", explode(col("_rules"))).drop("_rules")
          .persist(StorageLevel.MEMORY_AND_DISK());
      cached.add(matched);
      List<Rule> predicates = new ArrayList<>();
      for (Rule r : usable) {
        if (r.type() == Rule.Type.PREDICATE) {
          predicates.add(r);
          continue;
        }
        try {
          alerts.add(r.type() == Rule.Type.THRESHOLD
              ? threshold(r, matched.filter(col("_rule").equalTo(r.id())))
              : sequence(r, matched));
        } catch (Exception e) {
          failures.put(r.id(), firstLine(e));
        }
      }
      if (!predicates.isEmpty()) {
        alerts.add(predicates(predicates, matched));
      }
    }
    Dataset<Row> all = union(alerts);
    if (all != null) {
      // computed once here, reused by the merge and the query rules
      all = all.persist(StorageLevel.MEMORY_AND_DISK());
      cached.add(all);
      all.count();
    }
    return new Outcome(all, failures, scanned);
  }

  /**
   * The rules whose expressions analyze against the table; the others are reported in
   * {@code failures}. All expressions are analyzed together first (one analysis of the plan);
   * only when that fails is each rule analyzed alone to find the culprits.
   */
  private static List<Rule> usable(Dataset<Row> base, List<Rule> rules, Map<String, String> failures) {
    try {
      List<Column> all = new ArrayList<>();
      for (Rule r : rules) {
        all.addAll(expressions(r));
      }
      base.select(all.toArray(new Column[0])).schema();
      return rules;
    } catch (Exception together) {
      List<Rule> ok = new ArrayList<>();
      for (Rule r : rules) {
        try {
          base.select(expressions(r).toArray(new Column[0])).schema();
          ok.add(r);
        } catch (Exception e) {
          failures.put(r.id(), firstLine(e));
        }
      }
      return ok;
    }
  }

  /** Every expression of a rule that is evaluated on the table's rows. */
  private static List<Column> expressions(Rule r) {
    List<Column> out = new ArrayList<>(conditions(r).values());
    for (String e : r.entities().values()) {
      out.add(expr(e));
    }
    for (String g : r.groupBy()) {
      out.add(expr(g));
    }
    for (String b : r.by()) {
      out.add(expr(b));
    }
    for (String x : new String[] {r.countDistinct(), r.linkFirst(), r.linkThen()}) {
      if (x != null) {
        out.add(expr(x));
      }
    }
    return out;
  }

  /** The conditions a rule tags rows with: its id, or id#first and id#then for a sequence. */
  private static Map<String, Column> conditions(Rule r) {
    Map<String, Column> m = new LinkedHashMap<>();
    if (r.type() == Rule.Type.SEQUENCE) {
      m.put(r.id() + "#first", expr(r.first()));
      m.put(r.id() + "#then", expr(r.then()));
    } else {
      m.put(r.id(), r.condition() != null ? r.condition() : expr(r.where()));
    }
    return m;
  }

  /**
   * Adds the entity columns ({@code _e_*}) of the rules' rows - a rule's own expressions where it
   * has them, else the table's defaults - and drops rows on a rule's allow-list. Rows of several
   * rules are handled at once: per-rule choices are CASE expressions on {@code _rule}.
   */
  private static Dataset<Row> withEntities(List<Rule> rules, Dataset<Row> rows) {
    List<Column> cols = new ArrayList<>(List.of(col("*")));
    for (String e : ENTITY_COLUMNS) {
      Column c = null;
      for (Rule r : rules) {
        String own = r.entities().get(e);
        if (own != null) {
          c = (c == null ? when(col("_rule").equalTo(r.id()), expr(own))
              : c.when(col("_rule").equalTo(r.id()), expr(own)));
        }
      }
      cols.add((c == null ? col("_" + e) : c.otherwise(col("_" + e))).alias("_e_" + e));
    }
    Dataset<Row> d = rows.select(cols.toArray(new Column[0]));
    Column keep = null;
    for (Rule r : rules) {
      Column allowed = allowListed(r);
      if (allowed != null) {
        Column drop = col("_rule").equalTo(r.id()).and(allowed);
        keep = keep == null ? drop : keep.or(drop);
      }
    }
    return keep == null ? d : d.filter(keep.unary_$bang());
  }

  /** True for rows whose principal, account or address is on the rule's allow-list. */
  private static Column allowListed(Rule r) {
    List<Column> any = new ArrayList<>();
    if (!r.suppress().principals().isEmpty()) {
      any.add(coalesce(col("_e_principal").isin(r.suppress().principals().toArray()), lit(false)));
    }
    if (!r.suppress().accounts().isEmpty()) {
      any.add(coalesce(col("_e_account_id").isin(r.suppress().accounts().toArray()), lit(false)));
    }
    for (String address : r.suppress().addresses()) {
      any.add(coalesce(IpColumns.inNetwork(col("_e_source_ip"), address), lit(false)));
    }
    Column out = null;
    for (Column c : any) {
      out = out == null ? c : out.or(c);
    }
    return out;
  }

  private static long suppressSeconds(Rule r) {
    return (r.suppress().window() == null ? Duration.ofHours(1) : r.suppress().window()).getSeconds();
  }

  /**
   * All predicate rules in one aggregation: matches of one rule and entity within one suppression
   * window (an hour unless the rule says otherwise; windows aligned to the epoch) make one alert.
   */
  private static Dataset<Row> predicates(List<Rule> rules, Dataset<Row> matched) {
    List<String> ids = new ArrayList<>();
    Column seconds = null;
    for (Rule r : rules) {
      ids.add(r.id());
      if (suppressSeconds(r) != 3600) {
        Column s = lit(suppressSeconds(r));
        seconds = seconds == null ? when(col("_rule").equalTo(r.id()), s)
            : seconds.when(col("_rule").equalTo(r.id()), s);
      }
    }
    Column window = seconds == null ? lit(3600L) : seconds.otherwise(lit(3600L));
    Column epoch = unix_timestamp(col("_event_time"));
    // a GuardDuty finding is its own instance: its updates (same id, later last sight) update
    // its alert instead of adding one per window they fall in
    Dataset<Row> d = withEntities(rules, matched.filter(col("_rule").isin(ids.toArray())))
        .withColumn("_instance", when(col("_finding_id").isNotNull(), concat_ws(":", lit("finding"),
        col("_finding_id"))).otherwise(timestamp_seconds(epoch.minus(pmod(epoch, window))).cast("string")));
    List<Column> keys = new ArrayList<>(List.of(col("_rule")));
    keys.addAll(entityColumns());
    keys.add(col("_instance"));
    return d.groupBy(keys.toArray(new Column[0])).agg(
            min("_event_time").alias("window_start"), max("_event_end").alias("window_end"),
            array_sort(collect_set(col("_event_id"))).alias("event_ids"),
            array_sort(collect_set(col("_finding_id"))).alias("finding_ids"),
            count(lit(1)).alias("event_count"));
  }

  /**
   * More than {@code threshold} matches (or distinct values) per group within {@code window}, and
   * {@code having} when given: counted in a window ending at each matching row (the rows of its
   * group in the {@code window} up to it), so a burst is never split between two windows; the
   * qualifying windows of one group that overlap are merged into one alert, identified by its
   * group and the time of the row ending its first qualifying window. Cost: a join of the rule's
   * matching rows with themselves on the group, bounded by the window.
   */
  private static Dataset<Row> threshold(Rule r, Dataset<Row> rows) {
    Dataset<Row> d = withEntities(List.of(r), rows);
    List<String> groupBy = r.groupBy().isEmpty() ? List.of("_e_account_id", "_e_principal") : r.groupBy();
    List<Column> groupCols = new ArrayList<>(List.of(col("*")));
    List<Column> groups = new ArrayList<>();
    for (int i = 0; i < groupBy.size(); i++) {
      groupCols.add(expr(groupBy.get(i)).alias("_g" + i));
      groups.add(col("_g" + i));
    }
    d = d.select(groupCols.toArray(new Column[0]));
    Duration w = r.window();
    if (r.having() == null) {
      return episodes(r, d, groups, w);
    }
    // one window per matching row, ending at it (its group's rows of the window before it): a
    // burst is counted whole in the window of its last row, wherever it falls
    List<Column> anchorCols = new ArrayList<>();
    Column on = col("_event_time").leq(col("_a_t"))
        .and(col("_event_time").gt(col("_a_t").minus(expr("INTERVAL " + w.getSeconds() + " SECONDS"))));
    for (int i = 0; i < groups.size(); i++) {
      anchorCols.add(col("_g" + i).alias("_a_g" + i));
      on = on.and(col("_g" + i).eqNullSafe(col("_a_g" + i)));
    }
    anchorCols.add(col("_event_time").alias("_a_t"));
    Dataset<Row> anchors = d.select(anchorCols.toArray(new Column[0])).distinct();
    List<Column> keys = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      keys.add(col("_a_g" + i));
    }
    keys.add(col("_a_t"));
    Column measure = r.countDistinct() == null ? count(lit(1)) : countDistinct(expr(r.countDistinct()));
    List<Column> aggs = new ArrayList<>();
    aggs.add(measure.alias("_measure"));
    aggs.add((r.having() == null ? lit(true) : expr(r.having())).alias("_having"));
    aggs.add(min("_event_time").alias("window_start"));
    aggs.add(max("_event_end").alias("window_end"));
    aggs.add(collect_set(col("_event_id")).alias("_events"));
    aggs.add(collect_set(col("_finding_id")).alias("_findings"));
    aggs.add(min(earliest()).alias("_earliest"));
    Dataset<Row> windows = d.join(anchors, on).groupBy(keys.toArray(new Column[0]))
        .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]))
        .filter(col("_measure").gt(r.threshold()).and(col("_having")));
    for (int i = 0; i < groups.size(); i++) {
      windows = windows.withColumnRenamed("_a_g" + i, "_g" + i);
    }
    // merge qualifying windows of a group that overlap (their ends within a window) into episodes
    WindowSpec byGroup = Window.partitionBy(groups.toArray(new Column[0])).orderBy(col("_a_t"));
    Dataset<Row> episodes = windows
        .withColumn("_new", when(lag(col("_a_t"), 1).over(byGroup)
            .gt(col("_a_t").minus(expr("INTERVAL " + w.getSeconds() + " SECONDS"))), lit(0)).otherwise(lit(1)))
        .withColumn("_episode", sum(col("_new")).over(byGroup.rowsBetween(Window.unboundedPreceding(),
            Window.currentRow())));
    List<Column> episodeKeys = new ArrayList<>(groups);
    episodeKeys.add(col("_episode"));
    List<Column> merged = new ArrayList<>();
    merged.add(min("window_start").alias("window_start"));
    merged.add(max("window_end").alias("window_end"));
    merged.add(min(col("_a_t")).alias("_first_window"));
    merged.add(array_sort(array_distinct(flatten(collect_list(col("_events"))))).alias("event_ids"));
    merged.add(array_sort(array_distinct(flatten(collect_list(col("_findings"))))).alias("finding_ids"));
    merged.add(min(col("_earliest")).alias("_earliest"));
    return episodeAlerts(r, episodes.groupBy(episodeKeys.toArray(new Column[0]))
        .agg(merged.get(0), merged.subList(1, merged.size()).toArray(new Column[0])), groups, col("_first_window"));
  }

  /**
   * A threshold rule's alerts from its episodes (one row per group and episode with its window,
   * evidence lists and earliest row): entities of the earliest row, the event count, and the
   * instance - the group and {@code firstEnd}, the end of the episode's first qualifying window.
   */
  private static Dataset<Row> episodeAlerts(Rule r, Dataset<Row> episodes, List<Column> groups, Column firstEnd) {
    Dataset<Row> alerts = episodes;
    for (String e : ENTITY_COLUMNS) {
      alerts = alerts.withColumn("_e_" + e, col("_earliest.e_" + e));
    }
    List<Column> idParts = new ArrayList<>(groups);
    idParts.add(firstEnd.cast("string"));
    return alerts
        .withColumn("event_count", size(col("event_ids")).cast("long"))
        .withColumn("_instance", concat_ws("|", idParts.toArray(new Column[0])))
        .withColumn("_rule", lit(r.id()));
  }

  /**
   * {@link #threshold} without {@code having}, in time linear in the rule's matching rows: window
   * functions over each group's rows in time order give, per row, the count (or distinct count)
   * of the window ending at it, then the earliest qualifying window end within a window after it
   * (the window that holds it); qualifying window ends less than a window apart form one episode.
   * The same episodes as the self-join, without its cost on a burst of thousands of rows.
   */
  private static Dataset<Row> episodes(Rule r, Dataset<Row> d, List<Column> groups, Duration w) {
    long ws = w.getSeconds();
    Column[] g = groups.toArray(new Column[0]);
    WindowSpec inTime = Window.partitionBy(g).orderBy(col("_s"));
    Column measure = r.countDistinct() == null ? count(lit(1)) : null;
    Dataset<Row> e = d.withColumn("_s", col("_event_time").cast("long"));
    e = e.withColumn("_n", measure != null ? measure.over(inTime.rangeBetween(-(ws - 1), 0))
        : size(collect_set(expr(r.countDistinct())).over(inTime.rangeBetween(-(ws - 1), 0))));
    e = e.withColumn("_q", col("_n").gt(r.threshold()));
    // the first qualifying window end at or after the row, within a window: the row is in it
    e = e.withColumn("_cover", min(when(col("_q"), col("_s"))).over(inTime.rangeBetween(0, ws - 1)))
        .filter(col("_cover").isNotNull());
    List<Column> endCols = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      endCols.add(col("_g" + i).alias("_c_g" + i));
    }
    endCols.add(col("_s").alias("_c"));
    List<Column> endGroups = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      endGroups.add(col("_c_g" + i));
    }
    WindowSpec ends = Window.partitionBy(endGroups.toArray(new Column[0])).orderBy(col("_c"));
    Dataset<Row> episodeOf = e.filter(col("_q")).select(endCols.toArray(new Column[0])).distinct()
        .withColumn("_new", when(lag(col("_c"), 1).over(ends).gt(col("_c").minus(ws)), lit(0)).otherwise(lit(1)))
        .withColumn("_episode", sum(col("_new")).over(ends.rowsBetween(Window.unboundedPreceding(),
            Window.currentRow())));
    Column on = col("_cover").equalTo(col("_c"));
    for (int i = 0; i < groups.size(); i++) {
      on = on.and(col("_g" + i).eqNullSafe(col("_c_g" + i)));
    }
    List<Column> keys = new ArrayList<>(groups);
    keys.add(col("_episode"));
    return episodeAlerts(r, e.join(episodeOf, on).groupBy(keys.toArray(new Column[0])).agg(
        min("_event_time").alias("window_start"),
        max("_event_end").alias("window_end"),
        min(col("_cover")).alias("_first_end"),
        array_sort(collect_set(col("_event_id"))).alias("event_ids"),
        array_sort(collect_set(col("_finding_id"))).alias("finding_ids"),
        min(earliest()).alias("_earliest")), groups, timestamp_seconds(col("_first_end")));
  }

  /**
   * The first condition, then the second on the same entity ({@code by}, and {@code link} when
   * given) within {@code window}: one alert per first event, listing it and every follow-up.
   */
  private static Dataset<Row> sequence(Rule r, Dataset<Row> matched) {
    // both sides are selected under new names: the two come from one dataset, and a self-join
    // on shared column names does not resolve reliably
    Dataset<Row> firstRows = withEntities(List.of(r), matched.filter(col("_rule").equalTo(r.id() + "#first"))
        .withColumn("_rule", lit(r.id())));
    Dataset<Row> thenRows = matched.filter(col("_rule").equalTo(r.id() + "#then"));
    List<Column> f = new ArrayList<>(List.of(col("_event_time").alias("f_time"),
        col("_event_id").alias("f_id"), col("_finding_id").alias("f_finding")));
    for (String e : ENTITY_COLUMNS) {
      f.add(col("_e_" + e));
    }
    List<Column> t = new ArrayList<>(List.of(col("_event_time").alias("t_time"),
        col("_event_id").alias("t_id"), col("_finding_id").alias("t_finding")));
    for (int i = 0; i < r.by().size(); i++) {
      f.add(expr(r.by().get(i)).alias("f_by" + i));
      t.add(expr(r.by().get(i)).alias("t_by" + i));
    }
    if (r.linkFirst() != null) {
      f.add(expr(r.linkFirst()).alias("f_link"));
      t.add(expr(r.linkThen()).alias("t_link"));
    }
    Dataset<Row> fa = firstRows.select(f.toArray(new Column[0]));
    Dataset<Row> ta = thenRows.select(t.toArray(new Column[0]));
    Column on = col("t_time").geq(col("f_time"))
        .and(col("t_time").leq(col("f_time").plus(expr("INTERVAL " + r.window().getSeconds()
            + " SECONDS"))));
    for (int i = 0; i < r.by().size(); i++) {
      on = on.and(col("f_by" + i).equalTo(col("t_by" + i)));
    }
    if (r.linkFirst() != null) {
      on = on.and(col("f_link").equalTo(col("t_link")));
    }
    List<Column> keys = new ArrayList<>();
    keys.add(col("f_id").alias("_instance"));
    keys.addAll(entityColumns());
    return fa.join(ta, on).groupBy(keys.toArray(new Column[0])).agg(
            min(col("f_time")).alias("window_start"), max(col("t_time")).alias("window_end"),
            array_sort(array_distinct(flatten(array(array(first(col("f_id"))),
                collect_set(col("t_id")))))).alias("event_ids"),
            array_sort(array_distinct(array_compact(flatten(array(array(first(col("f_finding"), true)),
                collect_set(col("t_finding")))))))
                .alias("finding_ids"))
        .withColumn("event_count", size(col("event_ids")).cast("long"))
        .withColumn("_rule", lit(r.id()));
  }

  /** Evaluates a query rule; its query returns the alert columns (see README, rule format). */
  Dataset<Row> query(Rule r, Map<String, Object> params) {
    Dataset<Row> rows = spark.sql(r.query(), params);
    List<String> have = List.of(rows.columns());
    List<Column> cols = new ArrayList<>(List.of(lit(r.id()).alias("_rule"),
        col("window_start"), col("window_end")));
    for (String e : ENTITY_COLUMNS) {
      cols.add((have.contains(e) ? col(e).cast("string") : lit(null).cast("string")).alias("_e_" + e));
    }
    for (String c : List.of("event_ids", "finding_ids")) {
      cols.add((have.contains(c) ? array_sort(col(c)) : array().cast("array<string>")).alias(c));
    }
    cols.add((have.contains("event_count") ? col("event_count").cast("long")
        : size(have.contains("event_ids") ? col("event_ids") : array()).cast("long")).alias("event_count"));
    // the alert's identity: the rule's own key (grouping values from the evidence), else its
    // entities and the UTC day it starts on - a fixed boundary, not the first event the run's
    // day range happened to reach
    if (have.contains("alert_key")) {
      cols.add(col("alert_key").cast("string").alias("_instance"));
      cols.add(lit(true).alias("_keyed"));
    } else {
      cols.add(to_date(col("window_start")).cast("string").alias("_instance"));
      cols.add(lit(false).alias("_keyed"));
    }
    Dataset<Row> d = rows.select(cols.toArray(new Column[0]));
    Column allowed = allowListed(r);
    return allowed == null ? d : d.filter(allowed.unary_$bang());
  }

  /**
   * The time, identity and entities of a row as one struct ordered by time, then identity: its
   * minimum over a group is the group's earliest row, so an alert's entities are those of its
   * first event whatever order Spark reads the rows in (unlike {@code first()}).
   */
  private static Column earliest() {
    List<Column> fields = new ArrayList<>(List.of(col("_event_time").alias("t"),
        coalesce(col("_event_id"), col("_finding_id")).alias("id")));
    for (String e : ENTITY_COLUMNS) {
      fields.add(col("_e_" + e).alias("e_" + e));
    }
    return struct(fields.toArray(new Column[0]));
  }

  private static List<Column> entityColumns() {
    List<Column> keys = new ArrayList<>();
    for (String e : ENTITY_COLUMNS) {
      keys.add(col("_e_" + e));
    }
    return keys;
  }

  /** The columns every rule's alerts have before {@link #finish}. */
  private static final List<String> PRE_FINISH = List.of("_rule", "_e_account_id", "_e_region",
      "_e_principal", "_e_access_key_id", "_e_source_ip", "_e_resource", "window_start",
      "window_end", "event_ids", "finding_ids", "event_count", "_instance", "_keyed");

  /**
   * The alert columns: a stable id from the evidence - the rule, the entities and the alert's
   * instance (its window aligned to fixed boundaries, its first event, its GuardDuty finding, or
   * a query rule's UTC day), or for a query rule that returns {@code alert_key} the rule and that
   * key alone - and the rule's metadata from a small broadcast table.
   */
  Dataset<Row> finish(List<Rule> rules, Dataset<Row> alerts) {
    List<Row> meta = new ArrayList<>();
    for (Rule r : rules) {
      meta.add(RowFactory.create(r.id(), r.version(), r.source(), r.severity(), r.title(),
          r.tactics().toArray(new String[0]), r.techniques().toArray(new String[0])));
    }
    StructType metaSchema = new StructType()
        .add("rule_id", DataTypes.StringType).add("rule_version", DataTypes.IntegerType)
        .add("rule_source", DataTypes.StringType).add("severity", DataTypes.StringType)
        .add("title", DataTypes.StringType)
        .add("mitre_tactics", DataTypes.createArrayType(DataTypes.StringType, true))
        .add("mitre_techniques", DataTypes.createArrayType(DataTypes.StringType, true));
    Dataset<Row> metadata = spark.createDataFrame(meta, metaSchema);
    List<Column> id = new ArrayList<>(List.of(col("_rule")));
    id.addAll(entityColumns());
    id.add(col("_instance"));
    Dataset<Row> a = alerts.join(broadcast(metadata), col("_rule").equalTo(col("rule_id")));
    Column alertId = when(col("_keyed"), sha2(concat_ws("|", col("_rule"), lit("key"), col("_instance")), 256))
        .otherwise(sha2(concat_ws("|", id.toArray(new Column[0])), 256));
    return a.select(alertId.alias("alert_id"),
        col("rule_id"), col("rule_version"), col("rule_source"), col("severity"), col("title"),
        col("mitre_tactics"), col("mitre_techniques"),
        col("window_start").cast("timestamp").alias("window_start"),
        col("window_end").cast("timestamp").alias("window_end"),
        col("_e_account_id").alias("account_id"), col("_e_region").alias("region"),
        col("_e_principal").alias("principal"), col("_e_access_key_id").alias("access_key_id"),
        col("_e_source_ip").alias("source_ip"), col("_e_resource").alias("resource"),
        array_compact(col("event_ids")).alias("event_ids"),
        array_compact(col("finding_ids")).alias("finding_ids"), col("event_count"),
        to_date(col("window_start")).alias(AlertsTable.PARTITION_COLUMN));
  }

  /** The union of alert parts, each reduced to {@link #PRE_FINISH} in that order. */
  static Dataset<Row> union(List<Dataset<Row>> parts) {
    Dataset<Row> out = null;
    for (Dataset<Row> p : parts) {
      List<Column> cols = new ArrayList<>();
      for (String c : PRE_FINISH) {
        cols.add(switch (c) {
          case "window_start", "window_end" -> col(c).cast("timestamp").alias(c);
          case "event_ids", "finding_ids" -> col(c).cast("array<string>").alias(c);
          case "event_count" -> col(c).cast("long").alias(c);
          case "_keyed" -> (List.of(p.columns()).contains(c) ? col(c) : lit(false)).alias(c);
          default -> col(c);
        });
      }
      Dataset<Row> q = p.select(cols.toArray(new Column[0]));
      out = out == null ? q : out.union(q);
    }
    return out;
  }

  static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    for (String line : m.split("\n")) {
      if (!line.isBlank()) {
        return line.trim();
      }
    }
    return m;
  }
}
