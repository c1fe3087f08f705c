package io.trailkeep.schema;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Tables the detect job keeps besides {@link AlertsTable alerts}: {@code detect_state} (per
 * source table, the Delta version detect has processed, so the next run reads only the days that
 * changed since) and {@code baseline_activity} (per account, principal, kind and day, what the
 * principal did: the APIs it called, regions, source networks and user-agent families it used,
 * and its event volume; rebuilt for each changed day, so reruns do not double it) and
 * {@code baseline_first_seen} (per account, principal, kind and value, the first day it was seen:
 * kept up to date from the rebuilt days, so the unusual-activity rules never aggregate the whole
 * history).
 */
public final class DetectTables {
  private DetectTables() {}

  public static final String STATE = "detect_state";
  public static final String BASELINE = "baseline_activity";
  public static final String FIRST_SEEN = "baseline_first_seen";

  public static final StructType STATE_SCHEMA = DataTypes.createStructType(new StructField[] {
      DataTypes.createStructField("table_name", DataTypes.StringType, false),
      DataTypes.createStructField("version", DataTypes.LongType, false),
      DataTypes.createStructField("run_id", DataTypes.StringType, false),
      DataTypes.createStructField("processed_at", DataTypes.TimestampType, false)
  });

  /** kind: api (eventSource:eventName), region, network (a /24 or /64), agent (family), volume. */
  public static final StructType BASELINE_SCHEMA = DataTypes.createStructType(new StructField[] {
      DataTypes.createStructField("account_id", DataTypes.StringType, true),
      DataTypes.createStructField("principal", DataTypes.StringType, true),
      DataTypes.createStructField("kind", DataTypes.StringType, false),
      DataTypes.createStructField("value", DataTypes.StringType, true),
      DataTypes.createStructField("event_date", DataTypes.DateType, false),
      DataTypes.createStructField("events", DataTypes.LongType, false)
  });

  /**
   * The first day each value of {@link #BASELINE_SCHEMA} was seen for its account and principal;
   * kind {@code volume} (value {@code *}) holds the first day of the principal's history.
   */
  public static final StructType FIRST_SEEN_SCHEMA = DataTypes.createStructType(new StructField[] {
      DataTypes.createStructField("account_id", DataTypes.StringType, true),
      DataTypes.createStructField("principal", DataTypes.StringType, true),
      DataTypes.createStructField("kind", DataTypes.StringType, false),
      DataTypes.createStructField("value", DataTypes.StringType, true),
      DataTypes.createStructField("first_day", DataTypes.DateType, false)
  });
}
