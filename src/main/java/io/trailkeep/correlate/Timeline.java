package io.trailkeep.correlate;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.window;

import io.trailkeep.schema.Source;
import io.trailkeep.detect.Entities;
import io.trailkeep.schema.IncidentTables;
import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Turns rows of each source into timeline rows ({@link IncidentTables#TIMELINE_SCHEMA}): who
 * (actor) did what (action) to which resource (target), from where, with what outcome, and the
 * reference back to the raw row. Flow records are summarized per 5-minute bucket, interface,
 * peer pair, port and action. The input rows carry an {@code incident_id} column (null for an
 * investigation). Pure projections: no Spark job runs here.
 */
public final class Timeline {
  /** The {@code source} of an alert row (the others are the source tables' labels). */
  static final String ALERT_SOURCE = "alert";

  private Timeline() {}

  /** Width of a flow summary bucket. */
  public static final String FLOW_BUCKET = "5 minutes";

  /** CloudTrail events: action {@code service:EventName}, outcome the error code or success. */
  public static Dataset<Row> cloudtrail(Dataset<Row> events) {
    return shape(events.select(col("incident_id"), col("eventTime").alias("time"),
        lit(Source.CLOUDTRAIL.label()).alias("source"), col("account_id"), col("awsRegion").alias("region"),
        coalesce(col("actor_principal"), col("actor_type")).alias("actor"),
        concat(regexp_replace(col("eventSource"), "\\.amazonaws\\.com$", ""), lit(":"), col("eventName"))
            .alias("action"),
        expr(Entities.BY_TABLE.get(Source.CLOUDTRAIL.table()).get("resource")).alias("target"),
        col("source_ip"), col("userAgent").alias("user_agent"),
        coalesce(col("errorCode"), lit("success")).alias("outcome"),
        lit(1L).alias("count"),
        expr(Entities.BY_TABLE.get(Source.CLOUDTRAIL.table()).get("event_id")).alias("ref")));
  }

  /** Alerts: action is the rule's title, outcome its severity, count its events. */
  public static Dataset<Row> alerts(Dataset<Row> alerts) {
    return shape(alerts.select(col("incident_id"), col("window_start").alias("time"),
        lit(ALERT_SOURCE).alias("source"), col("account_id"), col("region"), col("principal").alias("actor"),
        concat(lit("alert "), col("rule_id"), lit(": "), col("title")).alias("action"),
        col("resource").alias("target"), col("source_ip"), lit(null).alias("user_agent"),
        col("severity").alias("outcome"),
        coalesce(col("event_count"), lit(1L)).alias("count"), col("alert_id").alias("ref")));
  }

  /** GuardDuty findings: action is the finding type, outcome its severity band. */
  public static Dataset<Row> findings(Dataset<Row> findings) {
    return shape(findings.select(col("incident_id"),
        coalesce(col("first_seen"), col("createdAt")).alias("time"), lit(Source.GUARDDUTY.label()).alias("source"),
        col("accountId").alias("account_id"), col("region"),
        coalesce(col("principal_arn"), col("access_key_id")).alias("actor"), col("type").alias("action"),
        coalesce(col("instance_id"), element_at(col("bucket_names"), 1), col("cluster_name"),
            col("resource_type")).alias("target"),
        element_at(col("remote_ips"), 1).alias("source_ip"), lit(null).alias("user_agent"),
        col("severity_band").alias("outcome"),
        coalesce(col("finding_count"), lit(1L)).alias("count"), col("id").alias("ref")));
  }

  /**
   * Flow records, one row per incident, 5-minute bucket, interface, source, destination,
   * protocol, destination port and action; ref is the filter that returns the raw records.
   */
  public static Dataset<Row> flows(Dataset<Row> flows) {
    Dataset<Row> g = flows
        .groupBy(col("incident_id"), window(col("start_time"), FLOW_BUCKET).getField("start").alias("time"),
            col("event_date"), col("interface_id"), col("srcaddr"), col("dstaddr"),
            col("protocol_name"), col("dstport"), col("action"))
        .agg(count(lit(1)).alias("records"), sum(col("bytes")).alias("bytes"),
            first(col("log_account_id"), true).alias("account_id"), first(col("region"), true).alias("region"),
            first(col("instance_id"), true).alias("instance_id"));
    Column port = coalesce(col("dstport").cast("string"), lit("-"));
    return shape(g.select(col("incident_id"), col("time"), lit(Source.VPCFLOW.label()).alias("source"),
        col("account_id"), col("region"), col("srcaddr").alias("actor"),
        concat(lit("flow "), coalesce(col("protocol_name"), lit("?")), lit("/"), port, lit(" "),
            coalesce(col("bytes"), lit(0L)).cast("string"), lit(" bytes")).alias("action"),
        concat(col("dstaddr"), lit(" ("), coalesce(col("instance_id"), col("interface_id")), lit(")"))
            .alias("target"),
        col("srcaddr").alias("source_ip"), lit(null).alias("user_agent"), col("action").alias("outcome"),
        col("records").alias("count"),
        concat_ws(" ", lit("vpc_flow"), concat(lit("event_date="), col("event_date").cast("string")),
            concat(lit("interface_id="), col("interface_id")), concat(lit("srcaddr="), col("srcaddr")),
            concat(lit("dstaddr="), col("dstaddr")), concat(lit("dstport="), port),
            concat(lit("start_time>="), date_format(col("time"), "yyyy-MM-dd'T'HH:mm:ss'Z'")),
            concat(lit("start_time<"), date_format(col("time").plus(expr("interval 5 minutes")),
                "yyyy-MM-dd'T'HH:mm:ss'Z'"))).alias("ref")));
  }

  /** The timeline columns in schema order. */
  private static Dataset<Row> shape(Dataset<Row> rows) {
    return rows.select(Arrays.stream(IncidentTables.TIMELINE_SCHEMA.fields())
        .map(f -> col(f.name()).cast(f.dataType()).alias(f.name())).toArray(Column[]::new));
  }

  /** Time order, then source and reference, so equal times print the same way every run. */
  public static Column[] order() {
    return new Column[] {col("time"), col("source"), col("ref")};
  }
}
