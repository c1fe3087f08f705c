package io.trailkeep.schema;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Tables written by {@code correlate}: {@code incidents} (one row per incident: its time span,
 * severity, the accounts, regions and entities involved, counts and a one-line summary) and
 * {@code incident_timeline} (one row per thing that happened in an incident, from any source,
 * with a reference back to the raw row). The timeline's columns are also what
 * {@code investigate} prints, with a null incident id.
 */
public final class IncidentTables {
  private IncidentTables() {}

  public static final String INCIDENTS = "incidents";
  public static final String TIMELINE = "incident_timeline";
  /**
   * correlate's read position: per source table whose rows enter timelines (cloudtrail, vpc_flow,
   * entity_interfaces), the Delta version the last successful run read.
   */
  public static final String STATE = "correlate_state";
  public static final StructType STATE_SCHEMA = DetectTables.STATE_SCHEMA;

  private static final DataType STRINGS = DataTypes.createArrayType(DataTypes.StringType, true);

  public static final StructType INCIDENTS_SCHEMA = DataTypes.createStructType(new StructField[] {
      field("incident_id", DataTypes.StringType),
      field("first_time", DataTypes.TimestampType),
      field("last_time", DataTypes.TimestampType),
      field("severity", DataTypes.StringType),
      field("summary", DataTypes.StringType),
      field("accounts", STRINGS),
      field("regions", STRINGS),
      field("principals", STRINGS),
      field("access_keys", STRINGS),
      field("source_ips", STRINGS),
      field("instances", STRINGS),
      field("rule_ids", STRINGS),
      field("alert_ids", STRINGS),
      field("finding_ids", STRINGS),
      field("alert_count", DataTypes.LongType),
      field("finding_count", DataTypes.LongType),
      field("event_count", DataTypes.LongType),
      field("flow_records", DataTypes.LongType),
      // a hash of its seeds (their rows, times, severities and links) and the window: correlate
      // rebuilds an incident whose seeds changed, or whose span holds source days that changed
      field("seed_fingerprint", DataTypes.StringType)
  });

  /**
   * source: cloudtrail, vpc_flow, guardduty or alert. ref: the eventID, alert_id or finding id;
   * for flows (summarized per 5-minute bucket, interface and peer) the filter that returns the
   * raw rows. count: 1 for an event, the records of a flow summary, the events of an alert, the
   * occurrences of a finding.
   */
  public static final StructType TIMELINE_SCHEMA = DataTypes.createStructType(new StructField[] {
      field("incident_id", DataTypes.StringType),
      field("time", DataTypes.TimestampType),
      field("source", DataTypes.StringType),
      field("account_id", DataTypes.StringType),
      field("region", DataTypes.StringType),
      field("actor", DataTypes.StringType),
      field("action", DataTypes.StringType),
      field("target", DataTypes.StringType),
      field("source_ip", DataTypes.StringType),
      field("user_agent", DataTypes.StringType),
      field("outcome", DataTypes.StringType),
      field("count", DataTypes.LongType),
      field("ref", DataTypes.StringType)
  });

  private static StructField field(String name, DataType type) {
    return DataTypes.createStructField(name, type, true);
  }
}
