package io.trailkeep.schema;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code alerts} table written by {@code detect}: one row per alert, identified by a stable
 * {@code alert_id} (rule, entities and time window), so a rerun or an overlapping backfill adds
 * nothing. Partitioned by {@code alert_date} (UTC day of {@code window_start}). {@code suppressed_by}
 * holds the id of the user's exception that quiets the alert (null for none): a suppressed alert
 * stays here but seeds no incident.
 */
public final class AlertsTable {
  private AlertsTable() {}

  public static final String NAME = "alerts";
  public static final String PARTITION_COLUMN = "alert_date";

  private static final DataType STRINGS = DataTypes.createArrayType(DataTypes.StringType, true);

  public static final StructType SCHEMA = DataTypes.createStructType(new StructField[] {
      field("alert_id", DataTypes.StringType),
      field("rule_id", DataTypes.StringType),
      field("rule_version", DataTypes.IntegerType),
      field("rule_source", DataTypes.StringType),
      field("severity", DataTypes.StringType),
      field("title", DataTypes.StringType),
      field("mitre_tactics", STRINGS),
      field("mitre_techniques", STRINGS),
      field("window_start", DataTypes.TimestampType),
      field("window_end", DataTypes.TimestampType),
      field("account_id", DataTypes.StringType),
      field("region", DataTypes.StringType),
      field("principal", DataTypes.StringType),
      field("access_key_id", DataTypes.StringType),
      field("source_ip", DataTypes.StringType),
      field("resource", DataTypes.StringType),
      field("event_ids", STRINGS),
      field("finding_ids", STRINGS),
      field("event_count", DataTypes.LongType),
      field("run_id", DataTypes.StringType),
      field("detected_at", DataTypes.TimestampType),
      field("suppressed_by", DataTypes.StringType),
      field(PARTITION_COLUMN, DataTypes.DateType)
  });

  private static StructField field(String name, DataType type) {
    return DataTypes.createStructField(name, type, true);
  }
}
