package io.trailkeep.schema;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code ingest_manifest} table: one row per raw object TrailKeep has finished with, for every
 * source. Discovery skips any path present here, so a file is ingested once across reruns.
 * {@code status} is {@code ingested} (all records landed), {@code partial} (some records
 * quarantined), {@code quarantined} (nothing usable) or {@code skipped} (routed apart, e.g. digest
 * files, which the integrity job reads instead).
 */
public final class ManifestTable {

  private ManifestTable() {}

  public static final String NAME = "ingest_manifest";

  public static final StructType SCHEMA = DataTypes.createStructType(new StructField[] {
      DataTypes.createStructField("path", DataTypes.StringType, false),
      DataTypes.createStructField("source", DataTypes.StringType, false),
      DataTypes.createStructField("kind", DataTypes.StringType, false),
      DataTypes.createStructField("account_id", DataTypes.StringType, true),
      DataTypes.createStructField("region", DataTypes.StringType, true),
      DataTypes.createStructField("delivery_date", DataTypes.DateType, true),
      DataTypes.createStructField("size", DataTypes.LongType, false),
      DataTypes.createStructField("modification_time", DataTypes.TimestampType, true),
      DataTypes.createStructField("records", DataTypes.LongType, false),
      DataTypes.createStructField("quarantined", DataTypes.LongType, false),
      DataTypes.createStructField("status", DataTypes.StringType, false),
      DataTypes.createStructField("run_id", DataTypes.StringType, false),
      DataTypes.createStructField("ingested_at", DataTypes.TimestampType, false)
  });
}
