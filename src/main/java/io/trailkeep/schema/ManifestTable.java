package io.trailkeep.schema;

import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code ingest_manifest} table: one row per raw object and ingest run that handled it, for
 * every source; the latest row of a path (greatest {@code ingested_at}) is its state. Discovery
 * skips any path whose state is done, so a file is ingested once across reruns. {@code status}:
 * {@code ingested} (all records landed), {@code partial} (some quarantined), {@code quarantined}
 * (nothing usable), {@code skipped} (routed apart: digest files, which the integrity job reads),
 * {@code unrecognized} (not a known layout) - all done - or {@code failed}: our code failed on it
 * ({@code error} says how); it is not done and every run retries it. {@code integrity_verdict}
 * is the file's latest digest-validation verdict (set on every row of the path by validate).
 */
public final class ManifestTable {

  private ManifestTable() {}

  public static final String NAME = "ingest_manifest";

  /** Statuses that do not mark a file done. */
  public static final List<String> NOT_DONE = List.of("failed");

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
      DataTypes.createStructField("ingested_at", DataTypes.TimestampType, false),
      DataTypes.createStructField("error", DataTypes.StringType, true),
      DataTypes.createStructField("integrity_verdict", DataTypes.StringType, true),
      DataTypes.createStructField("integrity_run_id", DataTypes.StringType, true),
      DataTypes.createStructField("integrity_checked_at", DataTypes.TimestampType, true)
  });
}
