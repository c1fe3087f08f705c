package io.trailkeep.schema;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Entity-resolution tables kept by {@code correlate}: {@code entity_sessions} (one row per set of
 * temporary credentials STS issued: the key, the session and role it belongs to, who asked for it
 * and from where, when it was valid, and the identity at the start of its role chain) and
 * {@code entity_state} (the version of each source table the resolution has read up to).
 */
public final class EntityTables {
  private EntityTables() {}

  public static final String SESSIONS = "entity_sessions";
  public static final String STATE = "entity_state";

  public static final StructType SESSIONS_SCHEMA = DataTypes.createStructType(new StructField[] {
      field("access_key_id", DataTypes.StringType),
      field("session_arn", DataTypes.StringType),
      field("role_arn", DataTypes.StringType),
      field("session_name", DataTypes.StringType),
      field("account_id", DataTypes.StringType),
      field("issued_by", DataTypes.StringType),
      field("issuer_type", DataTypes.StringType),
      field("issuer_arn", DataTypes.StringType),
      field("issuer_access_key_id", DataTypes.StringType),
      field("source_identity", DataTypes.StringType),
      field("source_ip", DataTypes.StringType),
      field("valid_from", DataTypes.TimestampType),
      field("valid_until", DataTypes.TimestampType),
      field("root_type", DataTypes.StringType),
      field("root_arn", DataTypes.StringType),
      field("chain_depth", DataTypes.IntegerType),
      field("event_id", DataTypes.StringType),
      field("event_date", DataTypes.DateType)});

  /** The same columns as {@code detect_state}: (table_name, version, run_id, processed_at). */
  public static final StructType STATE_SCHEMA = DetectTables.STATE_SCHEMA;

  private static StructField field(String name, DataType type) {
    return DataTypes.createStructField(name, type, true);
  }
}
