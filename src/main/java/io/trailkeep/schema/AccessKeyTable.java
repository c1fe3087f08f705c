package io.trailkeep.schema;

import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * {@code cloudtrail_access_keys}: one row per access key, principal and day of CloudTrail activity
 * (key id, the principal it acted as, how many events, first and last seen). Built by the maintain
 * job from the {@code cloudtrail} table for the days that changed; investigations use it to turn
 * "everything this key did" into a filter on the principal the daily files are sorted by, and
 * analysts use it to answer "whose key is this, and when was it used" without a scan.
 */
public final class AccessKeyTable {
  private AccessKeyTable() {}

  public static final String NAME = "cloudtrail_access_keys";

  public static final StructType SCHEMA = DataTypes.createStructType(new StructField[] {
      DataTypes.createStructField("access_key_id", DataTypes.StringType, false),
      DataTypes.createStructField("actor_principal", DataTypes.StringType, true),
      DataTypes.createStructField("account_id", DataTypes.StringType, true),
      DataTypes.createStructField("event_date", DataTypes.DateType, false),
      DataTypes.createStructField("events", DataTypes.LongType, false),
      DataTypes.createStructField("first_seen", DataTypes.TimestampType, true),
      DataTypes.createStructField("last_seen", DataTypes.TimestampType, true)
  });

  /** Rows are sorted by key so that a lookup reads one file of the compacted index. */
  public static final List<String> SORT = List.of("access_key_id", "event_date");
}
