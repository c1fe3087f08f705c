package io.trailkeep.schema;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code run_history} table: one row per job run, succeeded or failed, with its options and
 * its result counts as JSON text, so an auditor can see what ran when, what it did and why a run
 * failed. {@code status} is {@code succeeded}, {@code failed} or {@code partial} (the job finished
 * but some of its items failed, see the result); a failed run has {@code error_class} and
 * {@code error_message}.
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
      DataTypes.createStructField("spark_version", DataTypes.StringType, true),
      DataTypes.createStructField("error_class", DataTypes.StringType, true),
      DataTypes.createStructField("error_message", DataTypes.StringType, true),
      DataTypes.createStructField("application_id", DataTypes.StringType, true)
  });
}
