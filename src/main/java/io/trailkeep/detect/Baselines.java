package io.trailkeep.detect;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import io.delta.tables.DeltaTable;
import io.trailkeep.lake.Lake;
import io.trailkeep.lake.MaintenanceState;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.DetectTables;
import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * The {@code baseline_activity} table: per account, principal and day, what the principal did -
 * the APIs it called ({@code api}: eventSource:eventName), the regions ({@code region}), source
 * networks ({@code network}: the /24 of an IPv4 address, the /64 of an IPv6 one) and user-agent
 * families ({@code agent}) it used, how many events it made ({@code volume}), and the most it made
 * within ten minutes ({@code burst}, {@link #bursts}). Rebuilt for the
 * days detect reads (one replaceWhere commit), so reruns never double it. The unusual-activity
 * rules compare a day with the days before it, through {@code baseline_first_seen} (the first day
 * of each value, kept up to date from the rebuilt days: {@link #updateFirstSeen}).
 */
final class Baselines {
  private Baselines() {}

  /** The view of CloudTrail with the baseline values of each event, for rules to join on. */
  static final String ACTIVITY_VIEW = "cloudtrail_activity";

  /**
   * The baseline values of each event, added as columns: {@code api} (eventSource:eventName),
   * {@code network} (the /24 of an IPv4 address, the first four groups of an IPv6 one) and
   * {@code agent_family} (the product before the first slash, space or parenthesis of the user
   * agent: aws-cli, Boto3, console.amazonaws.com, ...). Rules compare these with the baseline
   * through the {@value #ACTIVITY_VIEW} view, so both use the same definitions.
   */
  static Dataset<Row> activity(Dataset<Row> cloudtrail) {
    Column network = when(col("source_ip").contains(":"),
        regexp_extract(col("source_ip"), "^([0-9a-fA-F]*:[0-9a-fA-F]*:[0-9a-fA-F]*:[0-9a-fA-F]*)", 1))
        .otherwise(regexp_extract(col("source_ip"), "^(\\d+\\.\\d+\\.\\d+)\\.", 1));
    return cloudtrail
        .withColumn("api", concat_ws(":", col("eventSource"), col("eventName")))
        .withColumn("network", when(col("source_ip").isNotNull(), network))
        .withColumn("agent_family", regexp_extract(coalesce(col("userAgent"), lit("")),
            "^\\[?([A-Za-z][A-Za-z0-9._ -]*?)(?:[/ (\\]]|$)", 1));
  }

  /** Rebuilds the baseline rows of {@code days}; returns how many days were rebuilt. */
  static int rebuild(Lake lake, Set<String> days) {
    lake.ensure(DetectTables.BASELINE, DetectTables.BASELINE_SCHEMA, "event_date", Map.of());
    if (days.isEmpty() || !lake.exists(CloudTrailTable.NAME)) {
      if (!lake.exists(DetectTables.FIRST_SEEN)) {
        updateFirstSeen(lake, lake.read(DetectTables.BASELINE));
      }
      return 0;
    }
    List<Date> dates = new ArrayList<>();
    for (String d : days) {
      dates.add(Date.valueOf(d));
    }
    Dataset<Row> events = activity(lake.read(CloudTrailTable.NAME)
        .filter(col("event_date").isin(dates.toArray()).and(col("actor_principal").isNotNull())));
    // one pass: each event contributes one (kind, value) pair per kind, counted in one shuffle
    Column pairs = array(pair("api", col("api")), pair("region", col("awsRegion")),
        pair("network", col("network")), pair("agent", col("agent_family")), pair("volume", lit("*")));
    Dataset<Row> rows = events
        .select(col("account_id"), col("actor_principal").alias("principal"), col("event_date"),
            explode(pairs).alias("p"))
        .filter(col("p.value").isNotNull())
        .groupBy(col("account_id"), col("principal"), col("p.kind").alias("kind"),
            col("p.value").alias("value"), col("event_date"))
        .agg(count(lit(1)).alias("events"))
        .selectExpr(DetectTables.BASELINE_SCHEMA.fieldNames())
        .unionByName(bursts(events));
    rows.repartition(1).write().format("delta").mode("overwrite")
        .option("replaceWhere", MaintenanceState.dayPredicate(new TreeSet<>(days)))
        .save(lake.pathOf(DetectTables.BASELINE));
    updateFirstSeen(lake, lake.read(DetectTables.BASELINE).filter(col("event_date").isin(dates.toArray())));
    return days.size();
  }

  /** Minutes of the sliding window a {@code burst} row counts in. */
  static final int BURST_MINUTES = 10;

  /**
   * Per account, principal and day, the most events the principal made within any
   * {@value #BURST_MINUTES} minutes ending at one of its events that day (kind {@code burst},
   * value {@code *}): a window that slides per event, so a burst is never split between two
   * buckets. Counted within the UTC day, so a day's count never depends on which other days a run
   * rebuilds with it (a burst across midnight counts on each side). Cost: one sort of the days'
   * events per principal.
   */
  private static Dataset<Row> bursts(Dataset<Row> events) {
    WindowSpec preceding = Window.partitionBy("account_id", "actor_principal", "event_date")
        .orderBy(col("eventTime").cast("long")).rangeBetween(-(BURST_MINUTES * 60L - 1), 0);
    return events.select(col("account_id"), col("actor_principal"), col("event_date"),
            count(lit(1)).over(preceding).alias("n"))
        .groupBy(col("account_id"), col("actor_principal").alias("principal"), col("event_date"))
        .agg(max("n").alias("events"))
        .withColumn("kind", lit("burst")).withColumn("value", lit("*"))
        .selectExpr(DetectTables.BASELINE_SCHEMA.fieldNames());
  }

  /**
   * Brings {@code baseline_first_seen} up to date with baseline rows: a value not seen before is
   * inserted with its first day; one seen before keeps the earlier of the two days (a backfill of
   * older days moves it back, a later day never moves it). A lake whose baselines predate the
   * table gets it from the whole {@code baseline_activity} once. Cost: one aggregation of the
   * given rows and one MERGE into a table of one row per principal and value.
   */
  static void updateFirstSeen(Lake lake, Dataset<Row> baselineRows) {
    Dataset<Row> rows = baselineRows;
    if (!lake.exists(DetectTables.FIRST_SEEN)) {
      lake.ensure(DetectTables.FIRST_SEEN, DetectTables.FIRST_SEEN_SCHEMA, null, Map.of());
      rows = lake.read(DetectTables.BASELINE);
    }
    // a burst is a count, not a value that can be new
    Dataset<Row> firsts = rows.filter(col("kind").notEqual("burst"))
        .groupBy("account_id", "principal", "kind", "value")
        .agg(min("event_date").alias("first_day"))
        .selectExpr(DetectTables.FIRST_SEEN_SCHEMA.fieldNames());
    DeltaTable.forPath(lake.spark(), lake.pathOf(DetectTables.FIRST_SEEN)).as("t")
        .merge(firsts.as("s"), col("t.account_id").eqNullSafe(col("s.account_id"))
            .and(col("t.principal").eqNullSafe(col("s.principal")))
            .and(col("t.kind").equalTo(col("s.kind")))
            .and(col("t.value").eqNullSafe(col("s.value"))))
        .whenMatched(col("s.first_day").lt(col("t.first_day")))
        .updateExpr(Map.of("first_day", "s.first_day"))
        .whenNotMatched().insertAll()
        .execute();
  }

  private static Column pair(String kind, Column value) {
    return struct(lit(kind).alias("kind"), value.cast("string").alias("value"));
  }
}
