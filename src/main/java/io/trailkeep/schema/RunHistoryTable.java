package io.trailkeep.schema;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code run_history} table: one row per job run, with its options and its result counts as
 * JSON text, so an auditor can see what ran when and what it did.
 */
public final class RunHistoryTable {

  private RunHistoryTable() {}

  public static final String NAME = "run_history";

  public static final StructType SCHEMA = DataTypes.createStructType(new StructField[] {
      DataTypes.createStructField("run_id", DataTypes.StringType, false),
      DataTypes.createStructField("job", DataTypes.StringType, false),
      DataTypes.createStructField("started_at", DataTypes.TimestampType, false),
      DataTypes.createStructField("finished_at", DataTypes.TimestampType, false),
      DataTypes.createStructField("status", DataTypes.StringType, false),
      DataTypes.createStructField("options", DataTypes.StringType, true),
      DataTypes.createStructField("result", DataTypes.StringType, true),
      DataTypes.createStructField("spark_version", DataTypes.StringType, true)
  });
}
