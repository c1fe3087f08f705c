package io.trailkeep.schema;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Tables the maintain job keeps: {@code maintenance_state} (per table, the version its last
 * maintenance ended at, so the next run only rewrites what changed since) and
 * {@code retention_history} (every retention deletion: what, when, how many rows, under what
 * policy and legal holds).
 */
public final class MaintenanceTables {
  private MaintenanceTables() {}

  public static final String STATE = "maintenance_state";
  public static final String RETENTION_HISTORY = "retention_history";

  public static final StructType STATE_SCHEMA = DataTypes.createStructType(new StructField[] {
      DataTypes.createStructField("table_name", DataTypes.StringType, false),
      DataTypes.createStructField("version", DataTypes.LongType, false),
      DataTypes.createStructField("run_id", DataTypes.StringType, false),
      DataTypes.createStructField("maintained_at", DataTypes.TimestampType, false)
  });

  public static final StructType RETENTION_SCHEMA = DataTypes.createStructType(new StructField[] {
      DataTypes.createStructField("table_name", DataTypes.StringType, false),
      DataTypes.createStructField("run_id", DataTypes.StringType, false),
      DataTypes.createStructField("deleted_at", DataTypes.TimestampType, false),
      DataTypes.createStructField("policy_days", DataTypes.IntegerType, false),
      DataTypes.createStructField("cutoff_date", DataTypes.DateType, false),
      DataTypes.createStructField("legal_holds", DataTypes.StringType, true),
      DataTypes.createStructField("rows_deleted", DataTypes.LongType, false),
      DataTypes.createStructField("table_version", DataTypes.LongType, true)
  });
}
